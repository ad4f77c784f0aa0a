"""`visit.add` through POST /api/v1/sync, and the ledger rows devices pull for offline use."""
import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role
from app.problems.models import Problem, Source
from app.uploads.models import Attachment
from app.visits.models import NeedStatus, Visit


def new_id() -> str:
    """A fresh mutation id, as a device makes it."""
    return str(uuid.uuid4())


def visit(household_id, **extra):
    """A `visit.add` mutation for the household."""
    return {"id": new_id(), "type": "visit.add", "client_time": "2026-09-23T07:40:00+08:00",
            "payload": {"household_id": household_id, "visited_at": "2026-09-23T07:33:00+08:00", "kind": "routine",
                        **extra}}


@pytest.fixture
def sync(client):
    """POST a batch to /api/v1/sync with a fresh CSRF token."""

    def send(mutations):
        token = client.get("/api/v1/csrf").get_json()["csrf_token"]
        return client.post("/api/v1/sync", json={"client_id": "phone", "mutations": mutations},
                           headers={"X-CSRFToken": token})

    return send


@pytest.fixture
def building(make_building, make_household):
    """6号楼 with two households."""
    b = make_building("6号楼")
    make_household(b, unit="7门", room="101", members="潘建国", lives_alone=True)
    make_household(b, unit="7门", room="102", members="王秀英")
    return b


def count_visits() -> int:
    """Visits on the server."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Visit))


@pytest.mark.parametrize(
    ("role", "status"),
    [("resident", "rejected"), ("building_head", "applied"), ("staff", "applied"), ("street", "applied"),
     ("department", "rejected"), ("other_head", "rejected")],
)
def test_who_may_record_a_visit(client, login, sync, building, make_user, make_building, role, status):
    h = building.households[0]
    scopes = {"resident": (Role.RESIDENT, h), "building_head": (Role.BUILDING_HEAD, building),
              "staff": (Role.STAFF, building.community), "street": (Role.STREET, building.community.street),
              "department": (Role.DEPARTMENT, None), "other_head": (Role.BUILDING_HEAD, make_building())}
    login(make_user(*scopes[role]))
    result = sync([visit(h.id)]).get_json()["results"][0]
    assert result["status"] == status
    if status == "rejected":
        assert result["error"]["message"]  # a reason a person can read
    assert count_visits() == (1 if status == "applied" else 0)


def test_the_mutation_id_is_the_visit_uuid_and_a_retry_changes_nothing(login, sync, building, make_user):
    login(make_user(Role.BUILDING_HEAD, building))
    batch = [visit(building.households[0].id, notes="一切正常"), visit(building.households[1].id)]
    assert [r["status"] for r in sync(batch).get_json()["results"]] == ["applied", "applied"]
    assert [r["status"] for r in sync(batch).get_json()["results"]] == ["duplicate", "duplicate"]
    assert sorted(db.session.scalars(select(Visit.uuid))) == sorted(m["id"] for m in batch)


def test_an_outside_household_is_rejected_and_its_neighbour_applies(login, sync, building, make_user, make_household):
    login(make_user(Role.BUILDING_HEAD, building))
    elsewhere = make_household()
    results = sync([visit(elsewhere.id), visit(building.households[0].id),
                    visit(building.households[1].id, visited_at="明天", needs=[{"text": ""}])]).get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "applied", "rejected"]
    assert "权限" in results[0]["error"]["message"] or "无权" in results[0]["error"]["message"]
    assert set(results[2]["error"]["fields"]) == {"visited_at", "needs.0.text"}
    assert count_visits() == 1


def test_a_visit_with_a_photo_and_a_need_to_report(client, login, sync, building, make_user):
    token = login(make_user(Role.BUILDING_HEAD, building))
    key = str(uuid.uuid4())
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 120, 40)).save(out, "JPEG")
    assert client.put(f"/api/v1/uploads/{key}", data={"file": (io.BytesIO(out.getvalue()), "door.jpg")},
                      headers={"X-CSRFToken": token}).status_code == 200
    h101 = building.households[0]
    mutation = visit(h101.id, kind="elderly_care", attachments=[key],
                     needs=[{"text": "卫生间扶手松了", "status": "to_report"},
                            {"text": "想有人常来说说话", "status": "referred", "referral": "养老驿站陪伴服务"}])
    result = sync([mutation]).get_json()["results"][0]
    assert result["status"] == "applied" and result["entity"]["photos"] == [key]
    db.session.rollback()
    saved = db.session.scalar(select(Visit).where(Visit.uuid == mutation["id"]))
    attachment = db.session.scalar(select(Attachment).where(Attachment.uuid == key))
    assert (attachment.subject_type, attachment.subject_id) == ("visit", saved.id)
    problem = db.session.scalar(select(Problem))
    assert (problem.text, problem.source, problem.household_id) == ("卫生间扶手松了", Source.VISIT, h101.id)
    assert [n.status for n in saved.needs] == [NeedStatus.REFERRED, NeedStatus.REFERRED]
    # the retried batch makes no second report
    assert sync([mutation]).get_json()["results"][0]["status"] == "duplicate"
    assert db.session.scalar(select(func.count()).select_from(Problem)) == 1
    # the photo is shown to the building head on the household page
    page = client.get(f"/visits/households/{h101.id}").get_data(as_text=True)
    assert f"/uploads/{key}/thumb" in page


@pytest.mark.parametrize(("role", "status"), [("staff", 200), ("other_head", 403), ("resident", 403)])
def test_who_sees_a_visit_photo(client, login, sync, building, make_user, make_building, role, status):
    token = login(make_user(Role.BUILDING_HEAD, building))
    key = str(uuid.uuid4())
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 40)).save(out, "JPEG")
    client.put(f"/api/v1/uploads/{key}", data={"file": (io.BytesIO(out.getvalue()), "door.jpg")},
               headers={"X-CSRFToken": token})
    assert sync([visit(building.households[0].id, attachments=[key])]).get_json()["results"][0]["status"] == "applied"
    scopes = {"staff": (Role.STAFF, building.community), "other_head": (Role.BUILDING_HEAD, make_building()),
              "resident": (Role.RESIDENT, building.households[0])}
    login(make_user(*scopes[role]))
    with client.get(f"/uploads/{key}/thumb") as response:  # closes the file it sends
        assert response.status_code == status


def test_pull_gives_my_ledger_with_last_visit(client, login, sync, building, make_user, make_household):
    login(make_user(Role.BUILDING_HEAD, building))
    make_household()  # another building's
    sync([visit(building.households[0].id)])
    changes = client.get("/api/v1/sync?since=0").get_json()["changes"]
    rows = {h["room"]: h for h in changes["households"]}
    assert set(rows) == {"101", "102"}
    assert rows["101"]["last_visit_at"].startswith("2026-09-22T23:33") and rows["101"]["lives_alone"] is True
    assert rows["102"]["last_visit_at"] is None
    assert [v["household_id"] for v in changes["visits"]] == [building.households[0].id]
