"""Pages a building head and staff use: follow-ups due, coverage, one-step problem reports, who may do what."""
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.commands import Context
from app.extensions import db
from app.models import Role
from app.problems.models import Problem, Source
from app.visits.commands import add
from app.visits.models import NeedStatus, Visit, VisitKind
from app.visits.schemas import NeedIn, VisitIn
from tests.conftest import csrf_from

# 23 Sep 2026 07:33 UTC is 15:33 in Beijing; 16:30 UTC is already 24 Sep there.
NOW = datetime(2026, 9, 23, 7, 33, tzinfo=UTC)


@pytest.fixture
def building(make_building, make_household):
    """6号楼 with three households."""
    b = make_building("6号楼")
    make_household(b, unit="7门", room="101", members="潘建国", lives_alone=True)
    make_household(b, unit="7门", room="102", members="王秀英")
    make_household(b, unit="7门", room="201", members="李志强")
    return b


def record(user, household, days_ago, **extra):
    """A visit made `days_ago` days before NOW."""
    data = VisitIn(household_id=household.id, visited_at=NOW - timedelta(days=days_ago), **extra)
    result = add(Context(db.session, user, NOW, uuid=f"00000000-0000-0000-0000-{household.id:06d}{days_ago:06d}"), data)
    db.session.commit()
    return db.session.get(Visit, result["id"])


def test_follow_ups_due_by_the_beijing_date(client, login, building, make_user, frozen_clock):
    head = make_user(Role.BUILDING_HEAD, building)
    record(head, building.households[0], 3, kind=VisitKind.ELDERLY_CARE, notes="约好明天再来",
           follow_up_on=datetime(2026, 9, 24).date())
    login(head)
    assert "暂时没有需要回访的住户" in client.get("/visits/follow-ups").get_data(as_text=True)
    frozen_clock.set(datetime(2026, 9, 23, 16, 30, tzinfo=UTC))  # 00:30 on 24 Sep in Beijing
    page = client.get("/visits/follow-ups").get_data(as_text=True)
    assert "7门 101" in page and "约好明天再来" in page
    home = client.get("/").get_data(as_text=True)
    assert "待回访" in home and "/visits/follow-ups" in home
    visit_id = db.session.scalar(select(Visit.id))
    response = client.post(f"/visits/{visit_id}/follow-up-done", data={"csrf_token": csrf_from(page), "back": "follow_ups"})
    assert response.headers["Location"].endswith("/visits/follow-ups")
    assert "7门 101" not in client.get("/visits/follow-ups").get_data(as_text=True)


def test_coverage_page_for_staff(client, login, building, make_user, frozen_clock):
    head = make_user(Role.BUILDING_HEAD, building)
    record(head, building.households[0], 10)
    record(head, building.households[1], 60)
    login(make_user(Role.STAFF, building.community))
    page = client.get("/visits/").get_data(as_text=True)
    assert "1 (33%)" in page and "2 (67%)" in page


def test_ledger_filter_not_visited_on_the_page(client, login, building, make_user, frozen_clock):
    head = make_user(Role.BUILDING_HEAD, building)
    record(head, building.households[0], 10)
    login(head)
    page = client.get(f"/visits/ledger/{building.id}?not_visited=30").get_data(as_text=True)
    assert "王秀英" in page and "李志强" in page and "潘建国" not in page
    page = client.get(f"/visits/ledger/{building.id}?q=101").get_data(as_text=True)
    assert "潘建国" in page and "王秀英" not in page


def test_the_form_opens_on_the_households_building(client, login, building, make_building, make_household, make_user):
    other = make_building("8号楼", community=building.community)
    there = make_household(other, unit="1门", room="301")
    login(make_user(Role.STAFF, building.community))
    page = client.get(f"/visits/new?household={there.id}").get_data(as_text=True)
    assert f'<option selected value="{there.id}">' in page or f'value="{there.id}" selected' in page


def test_a_need_becomes_a_problem_report_in_one_step(client, login, building, make_user, frozen_clock):
    head = make_user(Role.BUILDING_HEAD, building)
    visit = record(head, building.households[0], 1, needs=[NeedIn(text="楼道灯坏了")])
    login(head)
    page = client.get(f"/visits/households/{building.households[0].id}").get_data(as_text=True)
    assert "作为问题上报" in page
    url = f"/visits/needs/{visit.needs[0].id}/report"
    response = client.post(url, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and "/issues/" in response.headers["Location"]
    client.post(url, data={"csrf_token": csrf_from(page)})  # a second click makes no second report
    problems = db.session.scalars(select(Problem)).all()
    assert [(p.text, p.source) for p in problems] == [("楼道灯坏了", Source.VISIT)]
    db.session.refresh(visit.needs[0])
    assert visit.needs[0].status == NeedStatus.REFERRED
    assert "查看问题上报" in client.get(f"/visits/households/{building.households[0].id}").get_data(as_text=True)


def test_the_visit_form_can_report_the_need_at_once(client, login, building, make_user):
    login(make_user(Role.BUILDING_HEAD, building))
    page = client.get(f"/visits/new?building={building.id}").get_data(as_text=True)
    client.post(f"/visits/new?building={building.id}", data={
        "csrf_token": csrf_from(page), "household_id": building.households[1].id, "visited_at": "2026-09-23T10:14",
        "kind": "routine", "need": "下水道堵了", "report_need": "y"})
    assert db.session.scalar(select(Problem.text)) == "下水道堵了"


SCOPES = {
    "resident": lambda b: (Role.RESIDENT, b.households[0]),
    "building_head": lambda b: (Role.BUILDING_HEAD, b),
    "staff": lambda b: (Role.STAFF, b.community),
    "street": lambda b: (Role.STREET, b.community.street),
    "department": lambda b: (Role.DEPARTMENT, None),
}


@pytest.mark.parametrize(
    ("role", "view", "visit", "edit", "import_"),
    [("resident", 403, 403, 403, 403), ("building_head", 200, 302, 302, 403), ("staff", 200, 302, 302, 200),
     ("street", 200, 302, 302, 200), ("department", 403, 403, 403, 403)],
)
def test_permission_matrix(client, login, building, make_user, role, view, visit, edit, import_):
    token = login(make_user(*SCOPES[role](building)))
    h = building.households[1]
    assert client.get(f"/visits/ledger/{building.id}").status_code == view
    response = client.post(f"/visits/new?building={building.id}", data={
        "csrf_token": token, "household_id": h.id, "visited_at": "2026-09-23T10:14", "kind": "routine"})
    assert response.status_code == visit
    response = client.post(f"/visits/households/{h.id}/edit", data={
        "csrf_token": token, "members": "改过", "member_count": 1, "preferred_contact": "phone"})
    assert response.status_code == edit
    assert client.get("/visits/import").status_code == import_
    if import_ == 200:
        csv = "\ufeff单元,房号\n7门,301\n".encode()
        assert client.post("/visits/import", data={"csrf_token": token, "building_id": building.id,
                                                   "file": (io.BytesIO(csv), "a.csv")},
                           content_type="multipart/form-data").status_code == 200
    db.session.rollback()
    db.session.refresh(h)
    assert (h.members == "改过") is (edit == 302)


def test_visiting_again_settles_the_follow_up(building, make_user):
    from app.auth.scope import managed_building_ids
    from app.visits.services import follow_ups_due

    head = make_user(Role.BUILDING_HEAD, building)
    h101, h102, _ = building.households
    record(head, h101, 10, follow_up_on=(NOW - timedelta(days=3)).date())
    record(head, h102, 10, follow_up_on=(NOW - timedelta(days=3)).date())
    today = NOW.date()
    assert {v.household_id for v in follow_ups_due(db.session, managed_building_ids(head), today=today)} == {h101.id, h102.id}
    record(head, h101, 2)  # the follow-up visit was made
    assert [v.household_id for v in follow_ups_due(db.session, managed_building_ids(head), today=today)] == [h102.id]
    record(head, h102, 1, follow_up_on=today)  # visited again, and again owed from today
    due = follow_ups_due(db.session, managed_building_ids(head), today=today)
    assert [(v.household_id, v.follow_up_on) for v in due] == [(h102.id, today)]


def test_a_bad_household_edit_says_why_and_changes_nothing(client, login, building, make_user):
    token = login(make_user(Role.BUILDING_HEAD, building))
    h = building.households[1]
    response = client.post(f"/visits/households/{h.id}/edit", data={
        "csrf_token": token, "members": "改过", "member_count": 99, "preferred_contact": "phone"})
    assert response.status_code == 400 and 'aria-invalid="true"' in response.get_data(as_text=True)
    db.session.rollback()
    db.session.refresh(h)
    assert h.members == "王秀英"


def test_a_need_is_marked_solved(client, login, building, make_user):
    head = make_user(Role.BUILDING_HEAD, building)
    visit = record(head, building.households[0], 1, needs=[NeedIn(text="想有人常来说说话", status="referred",
                                                                   referral="养老驿站陪伴服务")])
    token = login(head)
    page = client.get(f"/visits/households/{building.households[0].id}").get_data(as_text=True)
    assert "已转介" in page and "标记为已解决" in page
    client.post(f"/visits/needs/{visit.needs[0].id}/done", data={"csrf_token": token})
    page = client.get(f"/visits/households/{building.households[0].id}").get_data(as_text=True)
    assert "已解决" in page and "标记为已解决" not in page
    login(make_user(Role.RESIDENT, building.households[0]))
    assert client.post(f"/visits/needs/{visit.needs[0].id}/done", data={"csrf_token": token}).status_code in (400, 403)


def test_the_household_page_refuses_a_wrong_phone_with_the_imports_words(client, login, building, make_user):
    token = login(make_user(Role.BUILDING_HEAD, building))
    h = building.households[1]
    response = client.post(f"/visits/households/{h.id}/edit", data={
        "csrf_token": token, "members": "王秀英", "member_count": 1, "preferred_contact": "phone", "contact_phone": "abc"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "需要填数字" in page
    db.session.rollback()
    db.session.refresh(h)
    assert h.contact_phone == ""
    client.post(f"/visits/households/{h.id}/edit", data={
        "csrf_token": token, "members": "王秀英", "member_count": 1, "preferred_contact": "phone",
        "contact_phone": "010-62345678"})
    db.session.rollback()
    db.session.refresh(h)
    assert h.contact_phone == "010-62345678"
