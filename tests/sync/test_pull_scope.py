"""A pull after a change of scope: a device that pulled before the change gets everything now in scope.

Only rows changed after the cursor are sent, so rows already in a newly granted building would
never reach a device that had pulled before the grant. The cursor carries a fingerprint of the
scope it was issued under; a pull from a cursor of another scope answers `reset: true` with the
full set from 0 (and the device drops what it held: rows no longer in scope go too).
"""
from sqlalchemy import select

from app.clock import utcnow
from app.commands import Context, execute
from app.extensions import db
from app.models import Role, RoleAssignment, User


def pull(client, since=0):
    response = client.get(f"/api/v1/sync?since={since}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(answer, kind="households"):
    return sorted(row["id"] for row in answer["changes"][kind])


def as_staff(staff: User, name: str, payload: dict):
    """Run an accounts command as a member of staff would from their desk, and commit."""
    result = execute(name, Context(session=db.session, user=db.session.get(User, staff.id), now=utcnow()), payload)
    db.session.commit()
    return result


def town(make_building, make_household, make_user):
    """Two buildings of one community, two households each; a head of the first who lives there; its staff."""
    a = make_building("6号楼")
    b = make_building("8号楼", community=a.community)
    homes_a = [make_household(a, room=f"10{i}") for i in range(2)]
    homes_b = [make_household(b, room=f"20{i}") for i in range(2)]
    head = make_user(Role.RESIDENT, homes_a[0])
    head.roles.append(RoleAssignment(role=Role.BUILDING_HEAD, building=a))
    db.session.commit()
    staff = make_user(Role.STAFF, a.community)
    return a, b, homes_a, homes_b, head, staff


def test_a_head_of_a_second_building_gets_its_households_on_the_next_pull(client, login, make_building,
                                                                          make_household, make_user):
    _a, b, homes_a, homes_b, head, staff = town(make_building, make_household, make_user)
    login(head)
    before = pull(client)  # the device pulled before the change
    assert ids(before) == sorted(h.id for h in homes_a) and before["reset"] is False
    assert pull(client, before["cursor"])["changes"]["households"] == []

    as_staff(staff, "accounts.grant", {"user_id": head.id, "role": "building_head", "place_id": b.id})

    after = pull(client, before["cursor"])  # nothing in building 8 changed after the cursor …
    assert after["reset"] is True  # … yet its households come, with everything else in scope
    assert ids(after) == sorted(h.id for h in homes_a + homes_b)
    again = pull(client, after["cursor"])  # the new cursor carries the new scope: changes only again
    assert again["reset"] is False and again["changes"]["households"] == []


def test_a_role_taken_away_resets_the_device_to_what_is_still_in_scope(client, login, make_building,
                                                                       make_household, make_user):
    _a, b, homes_a, homes_b, head, staff = town(make_building, make_household, make_user)
    second = as_staff(staff, "accounts.grant", {"user_id": head.id, "role": "building_head", "place_id": b.id})
    login(head)
    before = pull(client)
    assert ids(before) == sorted(h.id for h in homes_a + homes_b)

    as_staff(staff, "accounts.revoke", {"assignment_id": second["assignment_id"]})

    after = pull(client, before["cursor"])
    assert after["reset"] is True and ids(after) == sorted(h.id for h in homes_a)  # building 8 is dropped


def test_a_resident_who_moves_household_gets_the_new_one(client, login, make_building, make_household, make_user):
    old_home, new_home = make_household(), make_household()
    resident = make_user(Role.RESIDENT, old_home)
    login(resident)
    before = pull(client)
    assert ids(before) == [old_home.id]
    residence = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == resident.id))
    residence.household_id = new_home.id  # the household they belong to changes (however it is done)
    db.session.commit()
    after = pull(client, before["cursor"])
    assert after["reset"] is True and ids(after) == [new_home.id]


def test_a_cursor_is_only_good_for_the_account_it_was_given_to(client, login, make_household, make_user):
    """A shared phone switching accounts, or a cursor copied from another: a full pull, never a partial one."""
    home = make_household()
    first, second = make_user(Role.RESIDENT, home), make_user(Role.RESIDENT, home)
    login(first)
    cursor = pull(client)["cursor"]
    login(second)
    answer = pull(client, cursor)
    assert answer["reset"] is True and ids(answer) == [home.id]


def test_a_bare_number_cursor_from_before_the_fingerprint_gets_a_full_pull(client, login, make_household, make_user):
    home = make_household()
    login(make_user(Role.RESIDENT, home))
    number = pull(client)["cursor"].split(".")[0]
    answer = pull(client, number)
    assert answer["reset"] is True and ids(answer) == [home.id]
    assert pull(client, 0)["reset"] is False  # from 0 nothing is dropped: the device holds nothing


def test_an_unchanged_scope_keeps_incremental_pulls(client, login, make_building, make_household, make_user):
    _a, _b, homes_a, _homes_b, head, _staff = town(make_building, make_household, make_user)
    login(head)
    cursor = pull(client)["cursor"]
    homes_a[1].no_smartphone = True
    db.session.commit()
    answer = pull(client, cursor)
    assert answer["reset"] is False and ids(answer) == [homes_a[1].id]


def test_a_cursor_ahead_of_the_server_resets(client, login, make_household, make_user):
    """A device whose cursor the server never reached (a database restored from a backup) pulls in full."""
    home = make_household()
    login(make_user(Role.RESIDENT, home))
    number, _, fingerprint = pull(client)["cursor"].partition(".")
    answer = pull(client, f"{int(number) + 1000}.{fingerprint}")
    assert answer["reset"] is True and ids(answer) == [home.id]


def test_malformed_cursors_answer_400(client, login, make_user):
    login(make_user())
    for bad in ("abc", "12.xyz", "1.2.3", "99999999999999999999"):
        response = client.get(f"/api/v1/sync?since={bad}")
        assert response.status_code == 400, bad
        assert response.get_json()["error"]["code"] == "invalid"
