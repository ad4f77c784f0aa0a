"""Visits, the household ledger, coverage and follow-ups."""
from datetime import UTC, datetime, timedelta

import pytest

from app.commands import Context
from app.extensions import db
from app.models import Role
from app.visits.commands import add
from app.visits.models import Visit, VisitKind
from app.visits.schemas import NeedIn, VisitIn
from app.visits.services import coverage, follow_ups_due, ledger
from tests.conftest import csrf_from

NOW = datetime(2026, 9, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def building(make_building, make_household):
    b = make_building("6号楼")
    make_household(b, unit="6门", room="101", members="潘建国", lives_alone=True, no_smartphone=True)
    make_household(b, unit="6门", room="102", members="王秀英")
    make_household(b, unit="7门", room="201", members="李志强", empty_nest=True)
    return b


def record(user, household, days_ago, **extra):
    data = VisitIn(household_id=household.id, visited_at=NOW - timedelta(days=days_ago), **extra)
    result = add(Context(db.session, user, NOW, uuid=f"00000000-0000-0000-0000-{household.id:06d}{days_ago:06d}"), data)
    db.session.commit()
    return db.session.get(Visit, result["id"])


def test_ledger_filters_and_search(building, make_user):
    head = make_user(Role.BUILDING_HEAD, building)
    h101, h102, _ = building.households
    record(head, h101, 10)
    record(head, h102, 60)
    assert [r.household.room for r in ledger(db.session, building, now=NOW)] == ["101", "102", "201"]
    assert [r.household.room for r in ledger(db.session, building, search="秀英", now=NOW)] == ["102"]
    assert [r.household.room for r in ledger(db.session, building, flag="lives_alone", now=NOW)] == ["101"]
    assert [r.household.room for r in ledger(db.session, building, not_visited_days=30, now=NOW)] == ["102", "201"]
    assert [r.household.room for r in ledger(db.session, building, not_visited_days=90, now=NOW)] == ["201"]
    assert ledger(db.session, building, now=NOW)[0].last_visit_at == NOW - timedelta(days=10)


def test_coverage_counts_the_last_visit_of_each_household(building, make_user):
    head = make_user(Role.BUILDING_HEAD, building)
    h101, h102, _ = building.households
    record(head, h101, 100)
    record(head, h101, 5)  # the latest visit counts
    record(head, h102, 45)
    figures = coverage(db.session, [building], now=NOW)[0]
    assert (figures.households, figures.visited_30, figures.visited_90) == (3, 1, 2)
    assert round(figures.share_90, 2) == 0.67


def test_s8_need_referral_and_follow_up(building, make_user, frozen_clock):
    head = make_user(Role.BUILDING_HEAD, building)
    h101 = building.households[0]
    record(head, h101, 3, kind=VisitKind.ELDERLY_CARE, notes="子女在外地,一个人闷得慌",
           needs=[NeedIn(text="想有人常来说说话", status="referred", referral="养老驿站陪伴服务")],
           follow_up_on=(NOW + timedelta(days=4)).date())
    from app.auth.scope import managed_building_ids

    assert follow_ups_due(db.session, managed_building_ids(head), today=NOW.date()) == []
    due = follow_ups_due(db.session, managed_building_ids(head), today=(NOW + timedelta(days=4)).date())
    assert [v.household_id for v in due] == [h101.id]
    assert due[0].needs[0].referral == "养老驿站陪伴服务"


def test_visit_form_without_javascript(client, login, building, make_user):
    head = make_user(Role.BUILDING_HEAD, building)
    login(head)
    page = client.get(f"/visits/new?building={building.id}").get_data(as_text=True)
    assert "6门 101" in page and "没有信号也能用" in page
    h101 = building.households[0]
    response = client.post(f"/visits/new?building={building.id}", data={
        "csrf_token": csrf_from(page), "household_id": h101.id, "visited_at": "2026-09-23T10:14",
        "kind": "elderly_care", "notes": "聊天一小时", "need": "扶手松了", "referral": "", "follow_up_on": "",
    })
    assert response.status_code == 302
    history = client.get(f"/visits/households/{h101.id}").get_data(as_text=True)
    assert "2026-09-23 10:14" in history and "聊天一小时" in history and "扶手松了" in history


def test_visit_form_rejects_a_missing_household(client, login, building, make_user):
    login(make_user(Role.BUILDING_HEAD, building))
    page = client.get("/visits/new").get_data(as_text=True)
    response = client.post("/visits/new", data={"csrf_token": csrf_from(page), "household_id": 0,
                                                "visited_at": "2026-09-23T10:14", "kind": "routine"})
    assert response.status_code == 400 and "请选择住户" in response.get_data(as_text=True)


def test_edit_household_flags(client, login, building, make_user):
    login(make_user(Role.STAFF, building.community))
    h102 = building.households[1]
    page = client.get(f"/visits/households/{h102.id}/edit").get_data(as_text=True)
    client.post(f"/visits/households/{h102.id}/edit", data={
        "csrf_token": csrf_from(page), "members": "王秀英", "member_count": 1, "lives_alone": "y",
        "preferred_contact": "door"})
    db.session.refresh(h102)
    assert h102.lives_alone and h102.preferred_contact.value == "door"


PAGES = ["/visits/", "/visits/ledger/{b}", "/visits/new?building={b}", "/visits/households/{h}", "/visits/households/{h}/edit"]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("resident", False), ("building_head", True), ("staff", True), ("street", True), ("department", False),
     ("other_head", False)],
)
def test_who_may_see_the_ledger(client, login, building, make_user, make_building, role, allowed):
    h = building.households[0]
    scopes = {"resident": (Role.RESIDENT, h), "building_head": (Role.BUILDING_HEAD, building),
              "staff": (Role.STAFF, building.community), "street": (Role.STREET, building.community.street),
              "department": (Role.DEPARTMENT, None), "other_head": (Role.BUILDING_HEAD, make_building())}
    r, s = scopes[role]
    login(make_user(r, s))
    for template in PAGES[1:]:
        status = client.get(template.format(b=building.id, h=h.id)).status_code
        assert (status == 200) is allowed, (template, status)
