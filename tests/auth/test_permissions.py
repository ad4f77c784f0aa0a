"""The permission matrix of the foundation's actions."""
import pytest

from app.auth.permissions import can, registered_actions, require
from app.models import Role


@pytest.fixture
def world(make_building, make_household, make_user):
    """Two communities of one street, a building each, a household each, and one user per role."""
    home = make_building("6号楼")
    same_community = make_building("8号楼", community=home.community)
    elsewhere = make_building("24号楼")
    mine = make_household(home, room="302")
    neighbour = make_household(home, room="303")
    far = make_household(elsewhere, room="101")
    users = {
        "resident": make_user(Role.RESIDENT, mine),
        "head": make_user(Role.BUILDING_HEAD, home),
        "staff": make_user(Role.STAFF, home.community),
        "street": make_user(Role.STREET, home.community.street),
        "admin": make_user(Role.ADMIN),
        "nobody": make_user(Role.RESIDENT),  # a resident with no household yet
    }
    return {"home": home, "same_community": same_community, "elsewhere": elsewhere,
            "mine": mine, "neighbour": neighbour, "far": far, **users}


MATRIX = [
    # (user, action, target, allowed)
    ("resident", "building.view", "home", True),
    ("resident", "building.view", "same_community", False),
    ("resident", "household.view", "mine", True),
    ("resident", "household.view", "neighbour", False),
    ("resident", "household.manage", "mine", False),
    ("head", "building.view", "home", True),
    ("head", "building.view", "same_community", False),
    ("head", "household.manage", "neighbour", True),
    ("head", "household.manage", "far", False),
    ("staff", "building.view", "same_community", True),
    ("staff", "household.manage", "neighbour", True),
    ("staff", "household.view", "far", False),
    ("street", "household.manage", "neighbour", True),
    ("street", "building.view", "elsewhere", False),  # another street
    ("admin", "household.manage", "far", True),
    ("admin", "org.admin", None, True),
    ("staff", "org.admin", None, False),
    ("nobody", "building.view", "home", False),
]


@pytest.mark.parametrize(("who", "action", "target", "allowed"), MATRIX)
def test_matrix(world, who, action, target, allowed):
    assert can(world[who], action, world[target] if target else None) is allowed


def test_deactivated_user_can_do_nothing(world):
    world["admin"].active = False
    assert not can(world["admin"], "org.admin")


def test_anonymous_can_do_nothing(world):
    assert not can(None, "building.view", world["home"])


def test_require_raises_forbidden(world):
    from werkzeug.exceptions import Forbidden

    with pytest.raises(Forbidden):
        require(world["resident"], "household.manage", world["mine"])


def test_unknown_action_is_a_programming_error(world):
    with pytest.raises(LookupError):
        can(world["admin"], "no.such.action")


def test_every_foundation_action_is_in_the_matrix():
    covered = {row[1] for row in MATRIX}
    foundation = {"building.view", "household.view", "household.manage", "org.admin"}
    assert foundation <= set(registered_actions())
    assert foundation <= covered


@pytest.mark.parametrize("who", ["resident", "head", "staff", "street", "admin", "nobody"])
def test_reach_read_beside_a_building_answers_as_the_scope_query_does(world, who):
    """A page that loads its building with the asker's reach (problems.queries.feed_page) gets the same
    answers as the scope query, for every role, with no query of its own for the check; what it read
    is forgotten when the transaction ends."""
    from app.extensions import db
    from app.problems import queries
    from tests.query_count import counted

    def reach_asked(statements) -> int:
        return len([s for s in statements if " AS r0" in s])  # the reach query (app/auth/queries.py)

    user = world[who]
    asking = 0 if who == "nobody" else 1  # a resident without a household reaches nowhere: nothing to ask
    for name in ("home", "same_community", "elsewhere"):
        building = world[name]
        with counted() as statements:
            asked = can(user, "building.view", building)  # nothing read beforehand: the scope query
        assert reach_asked(statements) == asking
        assert queries.feed_page(db.session, user, building.id).building == building
        with counted() as statements:
            assert can(user, "building.view", building) == asked, (who, name)
        assert statements == []
        db.session.rollback()
        with counted() as statements:
            assert can(user, "building.view", building) == asked
        assert reach_asked(statements) == asking  # asked again: the transaction that read it has ended
