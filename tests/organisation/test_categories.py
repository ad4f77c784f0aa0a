"""A community's problem categories: the report form and the Open311 service list follow them."""
from __future__ import annotations

from app.extensions import db
from app.models import Community
from app.open311.models import ApiKey, key_hash
from tests.organisation.test_commands import refused, run


def test_the_report_form_offers_only_the_community_s_categories(org, people, client, login):
    """After the street keeps 维修 and 电梯 only, a resident of the community sees those two and no other."""
    login(people["resident"])
    page = client.get(f"/issues/new?building={org.building.id}").get_data(as_text=True)
    assert 'value="noise"' in page and 'value="repairs"' in page
    run(people["street"], "organisation.community.categories", {"community_id": org.community.id,
                                                                "categories": ["repairs", "elevator"]})
    assert db.session.get(Community, org.community.id).offers("repairs")
    page = client.get(f"/issues/new?building={org.building.id}").get_data(as_text=True)
    assert 'value="repairs"' in page and 'value="elevator"' in page
    assert 'value="noise"' not in page and 'value="sanitation"' not in page


def test_at_least_one_category_stays(org, people):
    """An empty list is refused; the community keeps all of them."""
    refusal = refused(people["street"], "organisation.community.categories", {"community_id": org.community.id, "categories": []})
    assert "categories" in refusal.fields
    assert db.session.get(Community, org.community.id).disabled_categories == ""


def test_open311_services_of_a_community(org, people, client, make_user):
    """services.json?jurisdiction_id=<community> lists the community's own; a request in another category is refused."""
    everything = client.get("/open311/v2/services.json").get_json()
    assert len(everything) == 13
    run(people["street"], "organisation.community.categories", {"community_id": org.community.id,
                                                                "categories": ["repairs", "elevator"]})
    own = client.get(f"/open311/v2/services.json?jurisdiction_id={org.community.id}").get_json()
    assert [s["service_code"] for s in own] == ["repairs", "elevator"]
    assert client.get("/open311/v2/services.json?jurisdiction_id=999999").status_code == 404
    key = ApiKey(name="12345", key_hash=key_hash("secret-key"), user=people["staff"])
    db.session.add(key)
    db.session.commit()
    refused_post = client.post("/open311/v2/requests.json", data={
        "api_key": "secret-key", "service_code": "noise", "address_id": org.building.id, "description": "夜里施工"})
    assert refused_post.status_code == 400
    accepted = client.post("/open311/v2/requests.json", data={
        "api_key": "secret-key", "service_code": "repairs", "address_id": org.building.id, "description": "楼道灯坏了"})
    assert accepted.status_code == 201


def test_the_care_mode_report_follows_too(org, people, client, login):
    """The large-type report page of care mode offers the community's categories among its six."""
    run(people["street"], "organisation.community.categories", {"community_id": org.community.id,
                                                                "categories": ["repairs", "elevator"]})
    login(people["resident"])
    page = client.get("/care/report").get_data(as_text=True)
    assert "categories/repairs.svg" in page and "categories/elevator.svg" in page
    assert "categories/noise.svg" not in page and "categories/sanitation.svg" not in page
