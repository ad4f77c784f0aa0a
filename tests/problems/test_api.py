"""The JSON API /api/v1/issues: every role against every action (forbidden ones: 403, nothing changed)."""
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from app.extensions import db
from app.models import Department, DepartmentKind, Role
from app.problems import services
from app.problems.models import Category, Dispatch, Problem, ProblemEvent

T0 = datetime(2026, 9, 22, 23, 33, tzinfo=UTC)


@pytest.fixture
def people(world, make_user):
    """The world's people plus a property worker of the building, another department and an outsider."""
    building = world.household.building
    company = Department(name="方庄物业", kind=DepartmentKind.PROPERTY)
    db.session.add(company)
    db.session.flush()
    building.property_department_id = company.id
    db.session.commit()
    return {
        "resident": world.resident, "neighbour": world.neighbour, "head": world.head, "staff": world.staff,
        "street": world.street, "police": world.police,
        "market": make_user(Role.DEPARTMENT, world.departments["工商所"], name="工商所"),
        "property": make_user(Role.DEPARTMENT, company, name="物业小王"),
        "outsider": make_user(Role.RESIDENT, world.other_household, name="外楼居民"),
    }


def _problem(world, *, resolved=False, dispatched=False, at=T0) -> Problem:
    p = services.report_problem(db.session, world.resident, world.household.building, category=Category.REPAIRS,
                                text="单元门锁坏了", household=world.household, now=at, uuid=str(uuid.uuid4()))
    if dispatched:
        services.dispatch(db.session, world.street, p, [world.departments["方庄派出所"]], "", now=T0 + timedelta(hours=1))
    if resolved:
        services.resolve(db.session, world.staff, p, "修好了", now=T0 + timedelta(hours=2))
    db.session.commit()
    return p


def _post(client, url, body):
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    return client.post(url, json=body, headers={"X-CSRFToken": token})


def _order(p):
    return db.session.query(Dispatch).filter_by(problem_id=p.id).one().id


# action: (state of the problem, request, who may)
ACTIONS = {
    "view": ({}, lambda c, p, w: c.get(f"/api/v1/issues/{p.id}"),
             {"resident", "neighbour", "head", "staff", "street", "property"}),
    "comment": ({}, lambda c, p, w: _post(c, f"/api/v1/issues/{p.id}/comments", {"text": "还没修"}),
                {"resident", "neighbour", "head", "staff", "street", "property"}),
    "note": ({}, lambda c, p, w: _post(c, f"/api/v1/issues/{p.id}/comments", {"text": "内部", "internal": True}),
             {"staff", "street"}),
    "escalate": ({}, lambda c, p, w: _post(c, f"/api/v1/issues/{p.id}/escalate", {"reason": "需要上级"}),
                 {"head", "staff"}),
    "dispatch": ({}, lambda c, p, w: _post(c, f"/api/v1/issues/{p.id}/dispatch",
                                           {"department_ids": [w.departments["城管执法队"].id]}), {"staff", "street"}),
    "resolve": ({}, lambda c, p, w: _post(c, f"/api/v1/issues/{p.id}/resolve", {"text": "修好了"}), {"staff", "street"}),
    "confirm": ({"resolved": True}, lambda c, p, w: _post(c, f"/api/v1/issues/{p.id}/confirm",
                                                          {"rating": 5, "thanks": True}), {"resident"}),
    "reopen": ({"resolved": True}, lambda c, p, w: _post(c, f"/api/v1/issues/{p.id}/reopen", {"reason": "又坏了"}),
               {"resident"}),
    "accept": ({"dispatched": True}, lambda c, p, w: _post(c, f"/api/v1/issues/orders/{_order(p)}/accept", {}),
               {"police"}),
    "progress": ({"dispatched": True}, lambda c, p, w: _post(c, f"/api/v1/issues/orders/{_order(p)}/progress",
                                                             {"text": "已到现场"}), {"police"}),
    "done": ({"dispatched": True}, lambda c, p, w: _post(c, f"/api/v1/issues/orders/{_order(p)}/done",
                                                         {"text": "处理完毕"}), {"police"}),
    "report": ({}, lambda c, p, w: _post(c, "/api/v1/issues", {"building_id": p.building_id, "category": "noise",
                                                                "text": "楼上装修太吵"}),
               {"resident", "neighbour", "head", "staff", "street"}),
    "report_visit": ({}, lambda c, p, w: _post(c, "/api/v1/issues", {
        "building_id": p.building_id, "category": "care_needs", "text": "独居老人需要帮助", "source": "visit",
        "household_id": w.household.id}), {"head", "staff", "street"}),
    "hotline": ({}, lambda c, p, w: _post(c, "/api/v1/issues", {
        "building_id": p.building_id, "category": "fire_safety", "text": "楼道充电", "source": "hotline",
        "hotline_order_no": "12345-0471"}), {"staff", "street"}),
}
PEOPLE = ["resident", "neighbour", "head", "staff", "street", "police", "market", "property", "outsider"]


def _snapshot(p: Problem) -> tuple:
    db.session.expire_all()
    p = db.session.get(Problem, p.id)
    return (db.session.query(Problem).count(), db.session.query(ProblemEvent).count(), p.status, p.level,
            p.first_response_at, p.rating, [(d.status, d.department_id) for d in p.dispatches])


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_api_permission_matrix(client, login, world, people, frozen_clock, who, action):
    """Allowed: 2xx and the change is made; forbidden: 403 in the API's error shape and nothing changed."""
    frozen_clock.set(T0 + timedelta(hours=3))
    state, call, allowed = ACTIONS[action]
    p = _problem(world, **state)
    before = _snapshot(p)
    login(people[who])
    response = call(client, p, world)
    if who in allowed:
        assert response.status_code in (200, 201), response.get_json()
        if action != "view":
            assert _snapshot(p) != before
    else:
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
        assert _snapshot(p) == before


def test_s2_over_the_api_four_departments(client, login, world, make_user):
    """The street dispatches to four departments in one call; resolved only when the fourth is done."""
    p = _problem(world)
    login(world.street)
    ids = [d.id for d in world.departments.values()]
    answer = _post(client, f"/api/v1/issues/{p.id}/dispatch", {"department_ids": ids, "note": "联合执法"}).get_json()
    assert len(answer["order_ids"]) == 4 and answer["status"] == "in_progress"
    workers = {name: make_user(Role.DEPARTMENT, dept, name=name) for name, dept in world.departments.items()}
    for i, (name, dept) in enumerate(world.departments.items()):
        login(workers[name])
        order = db.session.query(Dispatch).filter_by(problem_id=p.id, department_id=dept.id).one()
        assert _post(client, f"/api/v1/issues/orders/{order.id}/accept", {}).status_code == 200
        status = _post(client, f"/api/v1/issues/orders/{order.id}/done", {"text": "完成"}).get_json()["status"]
        assert status == ("resolved" if i == 3 else "in_progress")
    login(world.resident)
    shown = client.get(f"/api/v1/issues/{p.id}").get_json()["problem"]
    assert [d["status"] for d in shown["dispatches"]] == ["done"] * 4
    assert [e["kind"] for e in shown["events"]].count("dispatch_done") == 4


def test_department_progress_with_a_photo_counts_as_the_response(client, login, world, tmp_path):
    """Progress posted on a work order is public, carries its photo and meets the feedback clock."""
    p = _problem(world, dispatched=True)
    login(world.police)
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buf, "JPEG")
    photo = str(uuid.uuid4())
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    put = client.put(f"/api/v1/uploads/{photo}", data={"file": (io.BytesIO(buf.getvalue()), "p.jpg")},
                     headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    assert put.status_code in (200, 201), put.get_json()
    answer = _post(client, f"/api/v1/issues/orders/{_order(p)}/progress", {"text": "已到现场劝离", "attachments": [photo]})
    assert answer.status_code == 200 and answer.get_json()["first_response_at"]
    login(world.resident)
    shown = client.get(f"/api/v1/issues/{p.id}").get_json()["problem"]
    assert shown["events"][-1]["kind"] == "dispatch_progress" and shown["events"][-1]["actor_role"] == "department"
    # the photo is the step's (issue 17): with the progress, not among the report's own photos
    assert [f["uuid"] for f in shown["events"][-1]["files"]] == [photo] and shown["photos"] == []
    thumb = client.get(f"/uploads/{photo}/thumb")
    thumb.close()
    assert thumb.status_code == 200


def test_bad_input_answers_in_the_error_shape(client, login, world):
    """Missing fields, unknown attachments and a closed problem: clear messages, nothing stored."""
    p = _problem(world, resolved=True)
    login(world.resident)
    before = db.session.query(Problem).count()
    missing = _post(client, "/api/v1/issues", {"building_id": p.building_id})
    assert missing.status_code == 400 and "category" in missing.get_json()["error"]["fields"]
    unknown = _post(client, "/api/v1/issues", {"building_id": p.building_id, "category": "noise", "text": "吵",
                                               "attachments": [str(uuid.uuid4())]})
    assert unknown.status_code == 400 and "attachments" in unknown.get_json()["error"]["fields"]
    login(world.staff)
    closed = _post(client, f"/api/v1/issues/{p.id}/escalate", {"reason": "再看看"})
    assert closed.status_code == 409 and closed.get_json()["error"]["message"]
    assert db.session.query(Problem).count() == before


def test_report_retried_with_the_same_uuid_is_stored_once(client, login, world):
    """A client that lost the answer sends the same uuid again and gets the same problem back."""
    login(world.resident)
    body = {"uuid": str(uuid.uuid4()), "building_id": world.household.building_id, "category": "sanitation",
            "text": "垃圾桶满了"}
    first = _post(client, "/api/v1/issues", body)
    again = _post(client, "/api/v1/issues", body)
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["id"] == again.get_json()["id"]
    assert first.get_json()["reporter"] == "6号楼 6门 302"


def test_feed_and_queue(client, login, world, frozen_clock):
    """Residents read their building's feed (household, never a phone); staff read the queue, overdue first."""
    late = _problem(world)
    fresh = _problem(world, at=T0 + timedelta(hours=11))
    frozen_clock.set(T0 + timedelta(hours=13))
    login(world.resident)
    feed = client.get("/api/v1/issues").get_json()
    assert {p["id"] for p in feed["problems"]} == {late.id, fresh.id}
    assert world.resident.phone not in str(feed)
    login(world.staff)
    queue = client.get("/api/v1/issues/queue").get_json()["problems"]
    assert queue[0]["id"] == late.id and queue[0]["overdue"] and not queue[1]["overdue"]
    login(world.resident)
    assert client.get("/api/v1/issues/queue").status_code == 403


def test_the_feed_pages_through_a_buildings_history(client, login, world):
    """50 to an answer; `older` names the next page until the last, which has none; nothing twice."""
    from app.problems.queries import PAGE

    ids = [_problem(world, at=T0 + timedelta(minutes=i)).id for i in range(PAGE + 7)]
    login(world.resident)
    first = client.get("/api/v1/issues").get_json()
    assert [p["id"] for p in first["problems"]] == ids[::-1][:PAGE] and first["older"]
    rest = client.get(f"/api/v1/issues?before={first['older']}").get_json()
    assert [p["id"] for p in rest["problems"]] == ids[::-1][PAGE:] and rest["older"] is None
    bad = client.get("/api/v1/issues?before=yesterday")
    assert bad.status_code == 400 and bad.get_json()["error"]["fields"] == {"before": "格式不正确。"}


@pytest.mark.parametrize("attachments", ["not-a-list", 5, [5]])
def test_attachments_that_are_not_uuids_are_a_field_error(client, login, world, attachments):
    """A malformed "attachments" is answered on its field, as any other field is, and nothing is stored."""
    login(world.resident)
    response = _post(client, "/api/v1/issues", {"building_id": world.household.building_id, "category": "noise",
                                                "text": "吵", "attachments": attachments})
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 400 and list(fields) == ["attachments.0" if isinstance(attachments, list) else "attachments"]
    assert db.session.query(Problem).count() == 0
