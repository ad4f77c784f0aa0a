"""POST /api/v1/sync: each mutation applied once, on its own, with a reason when refused."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role
from app.sync.models import SyncMutation
from app.visits.models import Visit
from tests.sync.mutations import new_id


def visit(household_id, **extra):
    return {"id": new_id(), "type": "visit.add", "client_time": "2026-09-23T07:40:00+08:00",
            "payload": {"household_id": household_id, "visited_at": "2026-09-23T07:33:00+08:00", "kind": "routine",
                        **extra}}


def visits():
    return db.session.scalar(select(func.count()).select_from(Visit))


@pytest.fixture
def head(make_building, make_household, make_user, login):
    building = make_building()
    household = make_household(building)
    user = make_user(Role.BUILDING_HEAD, building)
    login(user)
    return user, household


def test_applied_then_duplicate_on_retry(head, sync):
    _, household = head
    batch = [visit(household.id, notes="一切正常"), visit(household.id)]
    first = sync(batch).get_json()
    assert [r["status"] for r in first["results"]] == ["applied", "applied"]
    assert first["results"][0]["entity"]["notes"] == "一切正常"
    assert int(first["cursor"].split(".")[0]) > 0  # "<change number>.<scope fingerprint>"
    again = sync(batch).get_json()
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert again["results"][0]["entity"] == first["results"][0]["entity"]
    assert visits() == 2


def test_bad_items_are_refused_and_their_neighbours_still_apply(head, sync, make_household):
    _, household = head
    elsewhere = make_household()  # another building, not the head's
    batch = [
        visit(household.id),
        {"id": new_id(), "type": "visit.fly", "payload": {}},
        {"id": new_id(), "type": "visit.add", "payload": {"household_id": "six", "visited_at": "yesterday"}},
        visit(elsewhere.id),
        {"id": "not-a-uuid", "type": "visit.add", "payload": {}},
        visit(household.id, notes="第二户"),
    ]
    results = sync(batch).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "rejected", "rejected", "applied"]
    assert "服务器不认识这种记录(visit.fly)" in results[1]["error"]["message"]
    assert results[2]["error"]["fields"] == {"household_id": "填写的内容类型不对。", "visited_at": "填写的内容类型不对。"}
    assert results[3]["error"] == {"code": "forbidden", "message": "您没有权限进行这个操作。", "fields": {}}
    assert results[4]["error"]["fields"]["id"] == "格式不正确。"
    assert visits() == 2
    # A refusal is remembered: sending it again gives the same answer, not a second attempt.
    assert sync([batch[3]]).get_json()["results"][0]["status"] == "rejected"


def test_batch_over_the_limit_is_413_with_the_limit(head, sync):
    _, household = head
    response = sync([visit(household.id) for _ in range(201)])
    assert response.status_code == 413
    assert "200" in response.get_json()["error"]["message"]
    assert visits() == 0


def test_needs_csrf_and_a_session(client, head):
    _, household = head
    assert client.post("/api/v1/sync", json={"mutations": [visit(household.id)]}).status_code == 400
    client.delete("/api/v1/session", headers={"X-CSRFToken": client.get("/api/v1/csrf").get_json()["csrf_token"]})
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    response = client.post("/api/v1/sync", json={"mutations": [visit(household.id)]}, headers={"X-CSRFToken": token})
    assert response.status_code == 401
    assert visits() == 0


def test_someone_elses_uuid_is_not_leaked(head, sync, client, make_user, login):
    _, household = head
    item = visit(household.id, notes="私事")
    sync([item])
    other = make_user(Role.BUILDING_HEAD, household.building)
    login(other)
    result = sync([item]).get_json()["results"][0]
    assert result["status"] == "rejected" and "entity" not in result
    assert db.session.scalar(select(func.count()).select_from(SyncMutation)) == 1


def test_envelope_must_be_an_object_with_mutations(head, client):
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    response = client.post("/api/v1/sync", json={"client_id": "x"}, headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"mutations": "这一项必须填写。"}


def test_a_refused_item_inside_a_run_gives_the_same_answers_as_one_by_one(head, sync, make_household):
    """Runs of visits are applied together; one bad item makes the run fall back, answers unchanged."""
    _, household = head
    elsewhere = make_household()
    batch = [visit(household.id, notes=str(i)) for i in range(5)]
    batch.insert(3, visit(elsewhere.id))
    results = sync(batch).get_json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 3 + ["rejected"] + ["applied"] * 2
    assert [r["entity"]["notes"] for r in results if r["status"] == "applied"] == ["0", "1", "2", "3", "4"]
    assert visits() == 5
    assert [r["status"] for r in sync(batch).get_json()["results"]] == ["duplicate"] * 3 + ["rejected"] + ["duplicate"] * 2


def test_a_run_is_recorded_like_single_items(head, sync, client):
    _, household = head
    batch = [visit(household.id, needs=[{"text": "扶手松了"}]) for _ in range(4)]
    first = sync(batch).get_json()
    assert {r["status"] for r in first["results"]} == {"applied"}
    assert first["results"][0]["entity"]["needs"] == [{"text": "扶手松了", "status": "open", "referral": ""}]
    pulled = client.get("/api/v1/sync?since=0").get_json()["changes"]
    assert len(pulled["visits"]) == 4
    assert pulled["households"][0]["last_visit_at"] is not None
