"""One use case, one command: the pages, the JSON API and a phone's outbox all run the loop's commands."""
import uuid
from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.problems import services
from app.problems.models import Category, Problem

T0 = datetime(2026, 9, 22, 23, 33, tzinfo=UTC)


@pytest.fixture
def problem(world):
    """A problem of the world's resident, dispatched to the police (so every step has something to act on)."""
    p = services.report_problem(db.session, world.resident, world.household.building, category=Category.REPAIRS,
                                text="单元门锁坏了", household=world.household, now=T0, uuid=str(uuid.uuid4()))
    services.dispatch(db.session, world.street, p, [world.departments["方庄派出所"]], "", now=T0)
    db.session.commit()
    return p


def _order(p):
    return p.dispatches[0].id


# command: (page URL and form, API URL and body, sync payload); the order is the work order of `problem`
WAYS = {
    "issue.report": (lambda p: ("/issues/new", {"category": "noise", "text": "楼上装修"}),
                     lambda p: ("/api/v1/issues", {"building_id": p.building_id, "category": "noise", "text": "楼上装修"}),
                     lambda p: {"building_id": p.building_id, "category": "noise", "text": "楼上装修"}),
    "issue.comment": (lambda p: (f"/issues/{p.id}/update", {"update-text": "还没修"}),
                      lambda p: (f"/api/v1/issues/{p.id}/comments", {"text": "还没修"}),
                      lambda p: {"problem_id": p.id, "text": "还没修"}),
    "issue.escalate": (lambda p: (f"/issues/{p.id}/escalate", {"escalate-reason": "需要上级"}),
                       lambda p: (f"/api/v1/issues/{p.id}/escalate", {"reason": "需要上级"}),
                       lambda p: {"problem_id": p.id, "reason": "需要上级"}),
    "issue.dispatch": (lambda p: (f"/issues/{p.id}/dispatch", {"dispatch-departments": [p.dispatches[0].department_id]}),
                       lambda p: (f"/api/v1/issues/{p.id}/dispatch", {"department_ids": [p.dispatches[0].department_id]}),
                       lambda p: {"problem_id": p.id, "department_ids": [p.dispatches[0].department_id]}),
    "issue.resolve": (lambda p: (f"/issues/{p.id}/resolve", {"resolve-text": "修好了"}),
                      lambda p: (f"/api/v1/issues/{p.id}/resolve", {"text": "修好了"}),
                      lambda p: {"problem_id": p.id, "text": "修好了"}),
    "issue.confirm": (lambda p: (f"/issues/{p.id}/confirm", {"confirm-rating": "5"}),
                      lambda p: (f"/api/v1/issues/{p.id}/confirm", {"rating": 5}),
                      lambda p: {"problem_id": p.id, "rating": 5}),
    "issue.reopen": (lambda p: (f"/issues/{p.id}/reopen", {"reopen-reason": "又坏了"}),
                     lambda p: (f"/api/v1/issues/{p.id}/reopen", {"reason": "又坏了"}),
                     lambda p: {"problem_id": p.id, "reason": "又坏了"}),
    "issue.accept": (lambda p: (f"/issues/orders/{_order(p)}/accept", {}),
                     lambda p: (f"/api/v1/issues/orders/{_order(p)}/accept", {}),
                     lambda p: {"order_id": _order(p)}),
    "issue.progress": (lambda p: (f"/issues/orders/{_order(p)}/progress", {"text": "已到现场"}),
                       lambda p: (f"/api/v1/issues/orders/{_order(p)}/progress", {"text": "已到现场"}),
                       lambda p: {"order_id": _order(p), "text": "已到现场"}),
    "issue.done": (lambda p: (f"/issues/orders/{_order(p)}/done", {"text": "处理完毕"}),
                   lambda p: (f"/api/v1/issues/orders/{_order(p)}/done", {"text": "处理完毕"}),
                   lambda p: {"order_id": _order(p), "text": "处理完毕"}),
}


@pytest.mark.parametrize("name", list(WAYS))
def test_the_page_the_api_and_sync_run_the_same_command(client, login, world, problem, reached, name):
    """Whoever asks and whatever is answered (refusals included), each way in runs the command itself."""
    token = login(world.street)
    page, api, sync = WAYS[name]
    url, form = page(problem)
    prefix = url.rsplit("/", 1)[1]
    client.post(url, data={"csrf_token": token, f"{prefix}-csrf_token": token, **form})
    url, body = api(problem)
    client.post(url, json=body, headers={"X-CSRFToken": token})
    client.post("/api/v1/sync", json={"client_id": "phone", "mutations": [
        {"id": str(uuid.uuid4()), "type": name, "payload": sync(problem)}]}, headers={"X-CSRFToken": token})
    assert reached == [name] * 3


def test_reporting_for_myself_picks_my_household_in_that_building_whichever_way(client, login, world):
    """The rule is the command's: the page, the API and sync file the resident's report on their household."""
    token = login(world.resident)
    building_id = world.household.building_id
    client.post("/issues/new", data={"csrf_token": token, "category": "noise", "text": "页面"})
    client.post("/api/v1/issues", json={"building_id": building_id, "category": "noise", "text": "接口"},
                headers={"X-CSRFToken": token})
    client.post("/api/v1/sync", json={"mutations": [{"id": str(uuid.uuid4()), "type": "issue.report", "payload": {
        "building_id": building_id, "category": "noise", "text": "离线"}}]}, headers={"X-CSRFToken": token})
    assert {p.text: p.household_id for p in db.session.query(Problem)} == \
        {"页面": world.household.id, "接口": world.household.id, "离线": world.household.id}


def test_a_resident_cannot_relay_a_visit_nor_report_for_another_household(client, login, world):
    """Relaying a visit or reporting for someone else's household needs a building head or above, every way in."""
    token = login(world.resident)
    building_id = world.household.building_id
    visit = client.post("/api/v1/issues", json={"building_id": building_id, "category": "noise", "text": "走访",
                                                "source": "visit"}, headers={"X-CSRFToken": token})
    assert visit.status_code == 403 and visit.get_json()["error"]["code"] == "forbidden"
    neighbour = world.neighbour.roles[0].household_id
    results = client.post("/api/v1/sync", json={"mutations": [{"id": str(uuid.uuid4()), "type": "issue.report", "payload": {
        "building_id": building_id, "household_id": neighbour, "category": "noise", "text": "替邻居"}}]},
        headers={"X-CSRFToken": token}).get_json()["results"]
    assert results[0]["status"] == "rejected" and results[0]["error"]["code"] == "forbidden"
    assert db.session.query(Problem).count() == 0
    token = login(world.head)
    relayed = client.post("/api/v1/issues", json={"building_id": building_id, "household_id": neighbour, "category": "noise",
                                                  "text": "走访", "source": "visit"}, headers={"X-CSRFToken": token})
    assert relayed.status_code == 201 and db.session.get(Problem, relayed.get_json()["id"]).household_id == neighbour


def test_the_pages_keep_saying_why_in_their_own_words(client, login, world, problem):
    """What the forms answer is unchanged: no department ticked, no stars, a report with nothing in it."""
    token = login(world.street)
    none = client.post(f"/issues/{problem.id}/dispatch", data={"csrf_token": token})
    assert none.status_code == 302
    assert "请至少选择一个还没有派过的部门。" in client.get(none.headers["Location"]).get_data(as_text=True)
    services.complete(db.session, world.police, problem.dispatches[0], "完成", now=T0)
    db.session.commit()
    token = login(world.resident)
    stars = client.post(f"/issues/{problem.id}/confirm", data={"csrf_token": token, "confirm-csrf_token": token})
    assert "请选择1到5颗星。" in client.get(stars.headers["Location"]).get_data(as_text=True)
    empty = client.post("/issues/new", data={"csrf_token": token, "category": "noise", "text": "  "})
    assert empty.status_code == 400 and "请说明问题,或者拍张照片、录段语音。" in empty.get_data(as_text=True)
    assert db.session.query(Problem).count() == 1
