"""Each use case of visits is one command: its page and, for a visit, the device's outbox reach it."""
import io
import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role
from app.problems.models import Problem
from app.uploads.models import Attachment
from app.visits.models import NeedStatus, Visit, VisitNeed
from tests.conftest import csrf_from


@pytest.fixture
def building(make_building, make_household):
    """6号楼 with two households."""
    b = make_building("6号楼")
    make_household(b, unit="7门", room="101", members="潘建国")
    make_household(b, unit="7门", room="102", members="王秀英")
    return b


def visit_form(client, building, household, **fields):
    """Post the visit form without JavaScript."""
    page = client.get(f"/visits/new?building={building.id}").get_data(as_text=True)
    return client.post(f"/visits/new?building={building.id}", data={
        "csrf_token": csrf_from(page), "household_id": household.id, "visited_at": "2026-09-23T10:14", "kind": "routine",
        **fields}, content_type="multipart/form-data")


def sync_visits(client, token, households):
    """Send one `visit.add` per household through the outbox's endpoint; the results."""
    items = [{"id": str(uuid.uuid4()), "type": "visit.add",
              "payload": {"household_id": h.id, "visited_at": "2026-09-23T07:33:00+08:00"}} for h in households]
    return client.post("/api/v1/sync", json={"mutations": items}, headers={"X-CSRFToken": token}).get_json()["results"]


def test_a_visit_from_the_page_and_from_the_outbox_is_one_command(client, login, building, make_user, reached):
    token = login(make_user(Role.BUILDING_HEAD, building))
    first, second = building.households
    assert visit_form(client, building, first, need="扶手松了", report_need="y").status_code == 302
    assert reached == ["visit.add", "issue.report"]  # the need became a problem report through its own command
    reached.clear()
    assert [r["status"] for r in sync_visits(client, token, [second])] == ["applied"]
    assert [r["status"] for r in sync_visits(client, token, [first, second])] == ["applied"] * 2  # a run, in bulk
    assert reached == ["visit.add", "visit.add"]
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 4


def test_a_photo_that_is_not_one_is_refused_on_its_field_and_nothing_is_saved(client, login, building, make_user):
    login(make_user(Role.BUILDING_HEAD, building))
    response = visit_form(client, building, building.households[0], notes="有照片", photo=(io.BytesIO(b"not an image"), "a.jpg"))
    assert response.status_code == 400
    assert "这个文件不是可以识别的照片" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_a_visit_in_the_future_is_refused_on_its_time(client, login, building, make_user):
    login(make_user(Role.BUILDING_HEAD, building))
    response = visit_form(client, building, building.households[0], visited_at="2999-01-01T10:00")
    assert response.status_code == 400 and "走访时间" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_the_ledger_pages_each_reach_their_command(client, login, building, make_user, reached):
    token = login(make_user(Role.STAFF, building.community))
    household = building.households[0]
    assert visit_form(client, building, household, need="想有人说说话", follow_up_on="2026-09-20").status_code == 302
    need = db.session.scalar(select(VisitNeed))
    visit_id = db.session.scalar(select(Visit.id))
    reached.clear()
    client.post(f"/visits/households/{household.id}/edit", data={"csrf_token": token, "members": "潘建国", "member_count": "",
                                                                 "preferred_contact": "phone"})
    client.post(f"/visits/needs/{need.id}/report", data={"csrf_token": token})
    client.post(f"/visits/needs/{need.id}/report", data={"csrf_token": token})  # a second click reports nothing more
    client.post(f"/visits/needs/{need.id}/done", data={"csrf_token": token})
    client.post(f"/visits/{visit_id}/follow-up-done", data={"csrf_token": token})
    assert reached == ["household.edit", "visit.need_report", "issue.report", "visit.need_report", "visit.need_done",
                       "visit.follow_up_done"]
    db.session.rollback()
    assert db.session.get(VisitNeed, need.id).status == NeedStatus.DONE
    assert db.session.scalar(select(func.count()).select_from(Problem)) == 1
    assert db.session.get(Visit, visit_id).follow_up_done and household.member_count == 0


def test_a_missing_need_or_visit_is_404(client, login, building, make_user):
    token = login(make_user(Role.BUILDING_HEAD, building))
    assert client.post("/visits/needs/999999/done", data={"csrf_token": token}).status_code == 404
    assert client.post("/visits/needs/999999/report", data={"csrf_token": token}).status_code == 404
    assert client.post("/visits/999999/follow-up-done", data={"csrf_token": token}).status_code == 404
    assert client.post("/visits/households/999999/edit", data={"csrf_token": token}).status_code == 404
