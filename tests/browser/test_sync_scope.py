"""A phone that pulled before its person's scope changed holds exactly the new scope after its next pull."""
import time

import pytest

from app.clock import utcnow
from app.commands import Context, execute
from app.extensions import db
from app.models import Role, RoleAssignment, User
from tests.browser.conftest import expect_synced_once

pytestmark = pytest.mark.browser

HELD = """() => import('/static/js/store.js')
    .then((store) => store.all('households')).then((rows) => rows.map((r) => r.id).sort((a, b) => a - b))"""


def held_soon(page, expected: list[int], timeout: float = 30.0) -> None:
    """The phone's offline copy holds exactly these households (the first sync runs on its own after sign-in)."""
    deadline = time.monotonic() + timeout
    while (held := page.evaluate(HELD)) != expected:
        assert time.monotonic() < deadline, f"the phone holds {held}, expected {expected}"
        page.wait_for_timeout(100)


def as_staff(staff: User, name: str, payload: dict):
    """Run an accounts command as staff at their desk would, in a transaction of its own."""
    db.session.rollback()  # not on top of a read begun before the phone's requests wrote
    result = execute(name, Context(session=db.session, user=db.session.get(User, staff.id), now=utcnow()), payload)
    db.session.commit()
    return result


def test_made_head_of_another_building_the_phone_gets_it_and_drops_the_old_one(page, sign_in, make_building,
                                                                              make_household, make_user):
    a = make_building("6号楼")
    b = make_building("8号楼", community=a.community)
    home, neighbour = make_household(a, room="101"), make_household(a, room="102")
    over_there = [make_household(b, room="201"), make_household(b, room="202")]
    head = make_user(Role.RESIDENT, home)
    head.roles.append(RoleAssignment(role=Role.BUILDING_HEAD, building=a))
    db.session.commit()
    staff = make_user(Role.STAFF, a.community)
    head_of_a = next(r.id for r in head.roles if r.role == Role.BUILDING_HEAD)

    sign_in(head.phone)
    expect_synced_once(page)  # the first pull: building 6's ledger is on the phone
    held_soon(page, sorted([home.id, neighbour.id]))

    # At the desk: head of building 8 now, no longer of building 6 (still living there).
    as_staff(staff, "accounts.grant", {"user_id": head.id, "role": "building_head", "place_id": b.id})
    as_staff(staff, "accounts.revoke", {"assignment_id": head_of_a})

    pulled = page.evaluate("() => import('/static/js/sync.js').then((s) => s.pull())")
    assert pulled["changed"] == 3  # everything in the new scope came, though none of it changed
    assert page.evaluate(HELD) == sorted([home.id, *(h.id for h in over_there)])  # the neighbour's row is gone
    again = page.evaluate("() => import('/static/js/sync.js').then((s) => s.pull())")
    assert again["changed"] == 0 and page.evaluate(HELD) == sorted([home.id, *(h.id for h in over_there)])
