"""Rendered pieces kept between requests (app/problems/fragments.py): never one person's view shown to
another, every change on the next request, and a kept card list reads exactly as a fresh one would."""
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Department, DepartmentKind
from app.problems import fragments, services
from app.problems.models import Category
from tests.conftest import PASSWORD, csrf_from

T0 = datetime(2026, 9, 22, 23, 33, tzinfo=UTC)
NOTE = "内部:物业拖延,不要对外说"


@pytest.fixture
def problem(world, frozen_clock):
    frozen_clock.set(T0)
    p = services.report_problem(db.session, world.resident, world.household.building, category=Category.REPAIRS,
                                text="单元门锁坏了", household=world.household, now=T0, uuid=str(uuid.uuid4()))
    db.session.commit()
    return p


def cards(html: str) -> str:
    """The card list of a feed or queue page."""
    return re.search(r'<ul class="plain-list[^"]*">.*?</ul>', html, re.S).group(0)


def record(html: str) -> str:
    """The problem page from its first section to the end of the timeline."""
    return re.search(r'<section class="card">.*?</ol>', html, re.S).group(0)


@pytest.mark.parametrize("viewer", ["resident", "neighbour", "head"])
def test_a_record_rendered_for_staff_is_never_shown_to_others(client, login, world, problem, viewer):
    services.respond(db.session, world.staff, problem, NOTE, now=T0, public=False)
    db.session.commit()
    login(world.staff)
    staff_page = client.get(f"/issues/{problem.id}").get_data(as_text=True)
    assert NOTE in staff_page and len(fragments.pieces) == 1  # the record, with the note in it (the actions are per person)
    login(getattr(world, viewer))
    page = client.get(f"/issues/{problem.id}").get_data(as_text=True)
    assert NOTE not in page and "内部备注" not in page
    assert "单元门锁坏了" in page


def test_a_record_rendered_for_a_resident_is_not_what_staff_get(client, login, world, problem):
    services.respond(db.session, world.staff, problem, NOTE, now=T0, public=False)
    db.session.commit()
    login(world.resident)
    assert NOTE not in client.get(f"/issues/{problem.id}").get_data(as_text=True)
    login(world.staff)
    assert NOTE in client.get(f"/issues/{problem.id}").get_data(as_text=True)


def signed_in(app, user):
    """A client of its own (its own session, as another phone), signed in as `user`."""
    other = app.test_client()
    token = csrf_from(other.get("/auth/login").get_data(as_text=True))
    assert other.post("/auth/login", data={"phone": user.phone, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return other


def test_each_person_gets_their_own_csrf_token_and_actions_around_a_kept_record(app, client, login, world, problem):
    login(world.staff)
    staff_page = client.get(f"/issues/{problem.id}").get_data(as_text=True)
    client = signed_in(app, world.resident)
    resident_page = client.get(f"/issues/{problem.id}").get_data(as_text=True)
    assert record(staff_page) == record(resident_page)  # the kept piece, the same for both
    assert csrf_from(staff_page) != csrf_from(resident_page)
    assert "吹哨" in staff_page and "吹哨" not in resident_page  # dispatching is staff's
    token = csrf_from(resident_page)
    response = client.post(f"/issues/{problem.id}/update", data={"csrf_token": token, "update-csrf_token": token,
                                                                 "update-text": "还是坏的"})
    assert response.status_code == 302


def tokens_in(html: str) -> set[str]:
    """Every CSRF token a page carries: the meta tag, plain forms and each prefixed form's hidden field."""
    return set(re.findall(r'(?:name="(?:[a-z]+-)?csrf_token" type="hidden" value|name="csrf_token" value|'
                          r'name="csrf-token" content)="([^"]+)"', html))


def test_forms_carry_only_the_askers_own_token(app, client, login, world, problem):
    """Two phones of staff with the same rights, around the same kept record: each page holds its own token alone."""
    login(world.staff)
    first = client.get(f"/issues/{problem.id}").get_data(as_text=True)
    other = signed_in(app, world.staff)
    second = other.get(f"/issues/{problem.id}").get_data(as_text=True)
    assert "dispatch-csrf_token" in second and "escalate-csrf_token" in second  # the forms were served
    mine, theirs = tokens_in(first), tokens_in(second)
    assert len(mine) == 1 and len(theirs) == 1 and mine != theirs
    assert "\x00" not in second
    token = theirs.pop()
    response = other.post(f"/issues/{problem.id}/escalate", data={"csrf_token": token, "escalate-csrf_token": token,
                                                                  "escalate-reason": "需要街道协调"})
    assert response.status_code == 302
    assert "已上报" in other.get(f"/issues/{problem.id}").get_data(as_text=True)


def test_actions_follow_who_asks_and_the_problem(app, client, login, world, problem):
    """The staff's forms are never served to the reporter, and a resolved problem offers the reporter
    the confirmation instead of the update form."""
    login(world.staff)
    assert "吹哨" in client.get(f"/issues/{problem.id}").get_data(as_text=True)
    resident = signed_in(app, world.resident)
    page = resident.get(f"/issues/{problem.id}").get_data(as_text=True)
    assert "吹哨" not in page and "dispatch-csrf_token" not in page and "update-text" in page
    services.resolve(db.session, world.staff, problem, "门锁已换", now=T0 + timedelta(hours=1))
    db.session.commit()
    page = resident.get(f"/issues/{problem.id}").get_data(as_text=True)
    assert "confirm-rating" in page and "update-text" not in page
    assert "confirm-rating" not in client.get(f"/issues/{problem.id}").get_data(as_text=True)  # not the reporter


def test_a_change_shows_on_the_next_request_on_every_page(client, login, world, problem, frozen_clock):
    login(world.staff)
    feed, queue, show = f"/issues/building/{problem.building_id}", "/issues/queue", f"/issues/{problem.id}"
    for url in (feed, queue, show):
        assert "已反映" in client.get(url).get_data(as_text=True)
    # A public answer through the page itself: status and timeline change.
    page = client.get(show).get_data(as_text=True)
    token = csrf_from(page)
    frozen_clock.set(T0 + timedelta(minutes=5))
    client.post(f"/issues/{problem.id}/update", data={"csrf_token": token, "update-csrf_token": token,
                                                      "update-text": "物业明早来修"})
    for url in (feed, queue, show):
        assert "已受理" in client.get(url).get_data(as_text=True), url
    assert "物业明早来修" in client.get(show).get_data(as_text=True)
    # A change made elsewhere (a service, as the sync engine or the API calls it).
    services.comment(db.session, world.neighbour, problem, "我家也是", now=T0 + timedelta(minutes=6))
    db.session.commit()
    assert "我家也是" in client.get(show).get_data(as_text=True)


def test_a_household_edited_shows_on_the_cards(client, login, world, problem):
    login(world.resident)
    feed = f"/issues/building/{problem.building_id}"
    assert "6门 302" in client.get(feed).get_data(as_text=True)
    world.household.room = "305"
    db.session.commit()
    assert "6门 305" in client.get(feed).get_data(as_text=True)


def dispatch_choices(html: str) -> list[str]:
    """The departments the dispatch form offers, in order."""
    return [name.strip() for name in re.findall(r'name="dispatch-departments" value="\d+">([^<]+)</label>', html)]


@pytest.mark.parametrize("change", ["added", "renamed", "removed"])
def test_the_dispatch_form_follows_the_departments_on_the_next_request(frozen_clock, client, login, world, change):
    """The form is kept rendered; its list of departments is read again only when one changed."""
    later = frozen_clock.now + timedelta(days=1)  # the departments exist (world) before the problem is reported
    frozen_clock.set(later)
    problem = services.report_problem(db.session, world.resident, world.household.building, category=Category.REPAIRS,
                                      text="单元门锁坏了", household=world.household, now=later, uuid=str(uuid.uuid4()))
    db.session.commit()
    login(world.street)
    show = f"/issues/{problem.id}"
    assert dispatch_choices(client.get(show).get_data(as_text=True)) == ["城管执法队", "工商所", "方庄派出所", "食药监所"]
    assert dispatch_choices(client.get(show).get_data(as_text=True)) == ["城管执法队", "工商所", "方庄派出所", "食药监所"]
    frozen_clock.set(later + timedelta(minutes=1))
    if change == "added":
        db.session.add(Department(name="园林绿化所", kind=DepartmentKind.CITY))
    elif change == "renamed":
        world.departments["工商所"].name = "市场监管所"
    else:
        db.session.delete(world.departments["食药监所"])
    db.session.commit()
    expected = {"added": ["园林绿化所", "城管执法队", "工商所", "方庄派出所", "食药监所"],
                "renamed": ["城管执法队", "市场监管所", "方庄派出所", "食药监所"],
                "removed": ["城管执法队", "工商所", "方庄派出所"]}[change]
    assert dispatch_choices(client.get(show).get_data(as_text=True)) == expected


def test_a_deleted_problem_leaves_the_kept_list(client, login, world, problem):
    login(world.resident)
    feed = f"/issues/building/{problem.building_id}"
    assert "单元门锁坏了" in client.get(feed).get_data(as_text=True)
    problem.is_deleted = True
    db.session.commit()
    assert "单元门锁坏了" not in client.get(feed).get_data(as_text=True)


def test_pages_follow_the_language(client, login, world, problem):
    login(world.resident)
    feed = f"/issues/building/{problem.building_id}"
    assert "已反映" in client.get(feed).get_data(as_text=True)
    world.resident.locale = "en"
    db.session.commit()
    page = client.get(feed).get_data(as_text=True)
    assert "Reported" in page and "已反映" not in page


def test_a_kept_list_reads_as_a_fresh_one_as_the_answer_clock_runs(client, login, world, problem, frozen_clock,
                                                                   make_household, make_user):
    """Moment by moment across the 12 hours and past the deadline: the list served (kept or not)
    equals the list rendered from nothing."""
    building = world.household.building
    others = []
    for minutes in (0, 17, 44, 123, 301):  # deadlines spread so their clocks change at different moments
        at = T0 + timedelta(minutes=minutes)
        others.append(services.report_problem(db.session, world.resident, building, category=Category.NOISE,
                                              text=f"{minutes}分", now=at, uuid=str(uuid.uuid4())))
    db.session.commit()
    login(world.staff)
    feed, queue = f"/issues/building/{building.id}", "/issues/queue"
    seen = set()
    moment = T0
    while moment < T0 + timedelta(hours=14):
        frozen_clock.set(moment)
        for url in (feed, queue):
            served = cards(client.get(url).get_data(as_text=True))
            fragments.pieces.clear()
            assert served == cards(client.get(url).get_data(as_text=True)), (url, moment)
            seen.add(served)
        client.get(feed), client.get(queue)  # kept again for the next moment
        moment += timedelta(seconds=211)
    assert len(seen) > 50  # the clocks did move, and the kept lists followed them


@pytest.mark.parametrize("left_seconds", [0, 1, 179, 180, 181, 359, 360, 361, 3599, 3600, 12 * 3600 - 1, 12 * 3600])
def test_clock_changes_at_is_never_after_the_clock_changes(world, problem, left_seconds):
    """Up to the moment it gives, the clock reads as it did (the macro's own text compared)."""
    from flask import render_template_string

    now = problem.feedback_due_at - timedelta(seconds=left_seconds)
    changes = fragments.clock_changes_at(problem, now)
    template = ('{% from "problems/_macros.html" import clock with context %}{{ clock(problem, now) }}')
    labels = {"CLOCK_TEXTS": {"answered": "A %(time)s", "overdue": "O %(time)s", "due": "D %(h)s"}}
    first = render_template_string(template, problem=problem, now=now, **labels)
    for later in (now + (changes - now) * f for f in (0.25, 0.5, 0.9, 1)):
        assert render_template_string(template, problem=problem, now=later, **labels) == first


def test_answered_and_overdue_clocks_do_not_expire_the_list(world, problem):
    assert fragments.clock_changes_at(problem, problem.feedback_due_at + timedelta(seconds=1)) is None
    problem.first_response_at = T0 + timedelta(hours=1)
    assert fragments.clock_changes_at(problem, T0 + timedelta(hours=2)) is None


def test_the_cache_forgets_the_least_recently_used():
    cache = fragments.TimedCache(size=2)
    later = T0 + timedelta(hours=1)
    cache.put("a", "A", later), cache.put("b", "B", later)
    assert cache.get("a", T0) == "A"
    cache.put("c", "C", later)
    assert cache.get("b", T0) is None and cache.get("a", T0) == "A" and cache.get("c", T0) == "C"
    assert cache.get("a", later) is None  # its time is up


@pytest.mark.parametrize("who", ["staff", "street", "admin"])
def test_those_above_the_building_see_internal_notes_and_their_actions(client, login, world, problem, make_user, who):
    """The page's rules answered from the reach read with the problem (queries.problem_page) agree with each rule asked alone."""
    from app.auth.permissions import can
    from app.models import Role

    user = make_user(Role.ADMIN) if who == "admin" else getattr(world, who)
    services.respond(db.session, world.staff, problem, NOTE, now=T0, public=False)
    db.session.commit()
    login(user)
    page = client.get(f"/issues/{problem.id}").get_data(as_text=True)
    assert NOTE in page
    assert ("吹哨派单给部门" in page) == can(user, "issue.dispatch", problem)
    assert ("标记已解决" in page or "Mark resolved" in page) == can(user, "issue.resolve", problem)
