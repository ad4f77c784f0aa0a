"""The desk's work over the JSON API (/api/v1/issues): re-categorise, merge, assign and mark read run the
same commands as the pages, with the same refusals in the API's error shape."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Role
from app.notifications.models import InboxItem
from app.problems import services
from app.problems.models import Category, EventKind, ProblemEvent
from tests.problems.test_desk import T0, report


@pytest.fixture
def three(world, frozen_clock):
    """Three open problems of the world's building, as the desk's page tests have them."""
    frozen_clock.set(T0 + timedelta(hours=13))
    return [report(world, "单元门锁坏了", household=world.household), report(world, "楼道灯不亮", at=T0 + timedelta(hours=2)),
            report(world, "下水道堵了", at=T0 + timedelta(hours=3), hotline="2026092300123")]


def post(client, url, body):
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    return client.post(url, json=body, headers={"X-CSRFToken": token})


def test_staff_recategorise_and_merge_over_the_api(client, login, world, three):
    login(world.staff)
    answer = post(client, f"/api/v1/issues/{three[1].id}/recategorise", {"category": "sanitation"})
    assert answer.status_code == 200 and answer.get_json()["category"] == "sanitation"
    answer = post(client, f"/api/v1/issues/{three[1].id}/merge", {"into": three[0].id})
    assert answer.status_code == 200
    assert (answer.get_json()["status"], answer.get_json()["merged_into"]) == ("closed", three[0].id)
    db.session.expire_all()
    assert three[1].merged_into_id == three[0].id and three[1].category == Category.SANITATION


def test_assign_and_mark_read_over_the_api(client, login, world, three, make_user):
    colleague = make_user(Role.STAFF, world.household.building.community, name="周社工")
    login(world.staff)
    answer = post(client, "/api/v1/issues/assign", {"problem_ids": [three[0].id, three[2].id], "assignee_id": colleague.id})
    assert answer.status_code == 200
    assert [p["id"] for p in answer.get_json()["problems"]] == [three[0].id, three[2].id]
    db.session.expire_all()
    assert [p.assignee_id for p in three] == [colleague.id, None, colleague.id]
    assert db.session.query(InboxItem).filter_by(user_id=colleague.id, kind="issue.assigned").count() == 2

    services.dispatch(db.session, world.staff, three[1], [world.departments["方庄派出所"]], "", now=T0)
    db.session.add(InboxItem(user_id=world.staff.id, kind="issue.deadline", title="t", url=f"/issues/{three[1].id}"))
    db.session.commit()
    answer = post(client, "/api/v1/issues/mark-read", {"problem_ids": [three[1].id]})
    assert answer.status_code == 200 and answer.get_json()["marked"] == 1
    assert db.session.query(InboxItem).filter_by(user_id=world.staff.id, read_at=None).count() == 0


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/api/v1/issues/{p}/recategorise", {"category": "aliens"}, "category"),
    ("/api/v1/issues/{p}/merge", {"into": 99999}, "into"),
    ("/api/v1/issues/assign", {"problem_ids": ["{p}"], "assignee_id": 99999}, "assignee_id"),
    ("/api/v1/issues/assign", {"problem_ids": []}, "problem_ids"),
])
def test_bad_desk_input_is_a_field_error_and_changes_nothing(client, login, world, three, url, body, field):
    login(world.staff)
    problem = three[1]
    body = {k: [problem.id] if v == ["{p}"] else v for k, v in body.items()}
    answer = post(client, url.format(p=problem.id), body)
    assert answer.status_code == 400
    assert field in answer.get_json()["error"]["fields"]
    db.session.expire_all()
    assert (problem.category, problem.merged_into_id, problem.assignee_id, problem.is_open) == \
        (Category.REPAIRS, None, None, True)
    assert db.session.query(ProblemEvent).filter(ProblemEvent.kind.in_(
        [EventKind.RECATEGORISED, EventKind.MERGED, EventKind.ASSIGNED])).count() == 0


@pytest.mark.parametrize("who", ["head", "resident"])
def test_only_the_desk_does_desk_work_over_the_api(client, login, world, three, who):
    login(getattr(world, who))
    assert post(client, f"/api/v1/issues/{three[1].id}/recategorise", {"category": "sanitation"}).status_code == 403
    assert post(client, "/api/v1/issues/assign", {"problem_ids": [three[1].id], "assignee_id": world.staff.id}
                ).status_code == 403
    db.session.expire_all()
    assert (three[1].category, three[1].assignee_id) == (Category.REPAIRS, None)
