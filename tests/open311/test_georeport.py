"""Open311 GeoReport v2, read and written the way a standards client does (JSON and XML)."""
import uuid
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from app.extensions import db
from app.models import Role
from app.problems import services
from app.problems.models import Category

T0 = datetime(2026, 9, 22, 23, 33, tzinfo=UTC)
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
                  "address", "address_id", "zipcode", "lat", "long", "media_url"}


@pytest.fixture
def platform(app, make_household, make_user):
    household = make_household()
    staff = make_user(Role.STAFF, household.building.community)
    key = app.test_cli_runner().invoke(args=["open311", "issue-key", "城市平台", "--phone", staff.phone]).output.strip()
    open_one = services.report_problem(db.session, staff, household.building, category=Category.ELEVATOR,
                                       text="电梯停了", now=T0, uuid=str(uuid.uuid4()))
    done = services.report_problem(db.session, staff, household.building, category=Category.GREENERY,
                                   text="树枝压到地面", now=T0, uuid=str(uuid.uuid4()))
    services.resolve(db.session, staff, done, "已修剪", now=T0)
    db.session.commit()
    return {"key": key, "building": household.building, "open": open_one, "done": done}


def test_services_list_is_public_json_and_xml(client):
    services_json = client.get("/open311/v2/services.json").get_json()
    assert {s["service_code"] for s in services_json} >= {"greenery", "elevator", "repairs"}
    assert set(services_json[0]) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    root = ET.fromstring(client.get("/open311/v2/services.xml").data)
    assert root.tag == "services" and root.find("service/service_code") is not None
    assert client.get("/open311/v2/services/greenery.json").get_json() == {"service_code": "greenery", "attributes": []}


def test_requests_json_with_the_standard_fields_and_filters(client, platform, frozen_clock):
    frozen_clock.set(T0 + timedelta(days=1))
    rows = client.get("/open311/v2/requests.json", query_string={"api_key": platform["key"]}).get_json()
    assert {r["service_request_id"] for r in rows} == {str(platform["open"].id), str(platform["done"].id)}
    assert set(rows[0]) == REQUEST_FIELDS
    by_id = {r["service_request_id"]: r for r in rows}
    assert by_id[str(platform["open"].id)]["status"] == "open"
    closed = by_id[str(platform["done"].id)]
    assert closed["status"] == "closed" and closed["status_notes"].startswith("已解决") and "已修剪" in closed["status_notes"]
    assert closed["requested_datetime"] == "2026-09-23T07:33:00+08:00"
    only_open = client.get("/open311/v2/requests.json", query_string={"api_key": platform["key"], "status": "open"})
    assert [r["service_code"] for r in only_open.get_json()] == ["elevator"]
    by_code = client.get("/open311/v2/requests.json", query_string={"api_key": platform["key"], "service_code": "greenery"})
    assert [r["service_code"] for r in by_code.get_json()] == ["greenery"]
    later = client.get("/open311/v2/requests.json",
                       query_string={"api_key": platform["key"], "start_date": "2026-09-24T00:00:00+08:00"})
    assert later.get_json() == []


def test_requests_xml_parses_as_the_standard(client, platform):
    response = client.get(f"/open311/v2/requests/{platform['open'].id}.xml", query_string={"api_key": platform["key"]})
    root = ET.fromstring(response.data)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("service_request_id") == str(platform["open"].id)
    assert request.findtext("status") == "open" and request.findtext("description") == "电梯停了"


def test_post_a_request_then_find_it_by_token(client, platform):
    response = client.post("/open311/v2/requests.json", data={
        "api_key": platform["key"], "service_code": "noise", "description": "夜间施工噪音",
        "address_id": platform["building"].id, "address_string": "2门"})
    assert response.status_code == 201
    created = response.get_json()[0]
    found = client.get(f"/open311/v2/tokens/{created['token']}.json", query_string={"api_key": platform["key"]}).get_json()
    assert found[0]["service_request_id"] == created["service_request_id"]
    row = client.get(f"/open311/v2/requests/{created['service_request_id']}.json",
                     query_string={"api_key": platform["key"]}).get_json()[0]
    assert row["description"] == "夜间施工噪音" and row["service_code"] == "noise"


@pytest.mark.parametrize(("data", "status"), [
    ({"service_code": "nope", "description": "x"}, 400),
    ({"service_code": "noise", "description": "x"}, 400),  # no building
    ({"service_code": "noise", "description": "x", "api_key": "wrong"}, 403),
])
def test_errors_in_the_standard_shape(client, platform, data, status):
    payload = {"api_key": platform["key"], "address_id": 0, **data}
    response = client.post("/open311/v2/requests.xml", data=payload)
    assert response.status_code == status
    error = ET.fromstring(response.data).find("error")
    assert error.findtext("code") == str(status) and error.findtext("description")


def test_reading_requests_needs_a_key(client, platform):
    response = client.get("/open311/v2/requests.json")
    assert response.status_code == 403 and response.get_json()[0]["code"] == 403


def test_without_dates_the_last_90_days_and_only_the_keys_buildings(client, platform, frozen_clock, make_household):
    """As the standard says, no start_date means the most recent 90 days; other communities stay hidden."""
    elsewhere = make_household()  # another community, outside the key's account
    services.report_problem(db.session, platform["open"].entered_by, elsewhere.building, category=Category.NOISE,
                            text="别的社区", now=T0, uuid=str(uuid.uuid4()))
    db.session.commit()
    frozen_clock.set(T0 + timedelta(days=89))
    rows = client.get("/open311/v2/requests.json", query_string={"api_key": platform["key"]}).get_json()
    assert {r["service_request_id"] for r in rows} == {str(platform["open"].id), str(platform["done"].id)}
    frozen_clock.set(T0 + timedelta(days=91))
    assert client.get("/open311/v2/requests.json", query_string={"api_key": platform["key"]}).get_json() == []
    old = client.get("/open311/v2/requests.xml", query_string={"api_key": platform["key"],
                                                              "service_request_id": str(platform["open"].id)})
    assert [r.findtext("service_request_id") for r in ET.fromstring(old.data).findall("request")] == \
        [str(platform["open"].id)]


def test_a_token_outside_the_keys_buildings_is_not_found(client, platform, make_household):
    """A token is a problem's uuid; another community's problem stays hidden even to someone who knows it."""
    elsewhere = make_household()
    token = str(uuid.uuid4())
    services.report_problem(db.session, platform["open"].entered_by, elsewhere.building, category=Category.NOISE,
                            text="别的社区", now=T0, uuid=token)
    db.session.commit()
    response = client.get(f"/open311/v2/tokens/{token}.json", query_string={"api_key": platform["key"]})
    assert response.status_code == 404
    assert response.get_json() == [{"code": 404, "description": "token not found"}]


def test_the_key_of_a_switched_off_account_reads_nothing(client, platform):
    """Staff who leave are switched off; the city platform's key they held stops with them."""
    platform["open"].entered_by.active = False
    db.session.commit()
    response = client.get("/open311/v2/requests.json", query_string={"api_key": platform["key"]})
    assert response.status_code == 403
    assert response.get_json() == [{"code": 403, "description": "api_key is missing or not valid"}]


def test_a_key_cannot_post_for_a_building_outside_its_account(client, platform, make_household):
    """The platform's report is the `open311.report` command: the key's account must cover the building."""
    elsewhere = make_household()
    response = client.post("/open311/v2/requests.json", data={
        "api_key": platform["key"], "service_code": "noise", "description": "夜间施工噪音",
        "address_id": elsewhere.building_id})
    assert response.status_code == 403
    assert response.get_json() == [{"code": 403, "description": "this api_key may not report for that building"}]
    empty = client.post("/open311/v2/requests.xml", data={
        "api_key": platform["key"], "service_code": "noise", "address_id": platform["building"].id})
    assert empty.status_code == 400 and ET.fromstring(empty.data).findtext("error/description") == \
        "请说明问题,或者拍张照片、录段语音。"
