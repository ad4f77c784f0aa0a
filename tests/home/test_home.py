"""The home page says what each role can do."""
import pytest

from app.models import Role


def test_home_needs_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize(
    ("role", "scope", "expected"),
    [
        (Role.RESIDENT, "household", "反映楼里的问题"),
        (Role.BUILDING_HEAD, "building", "入户走访"),
        (Role.STAFF, "community", "12小时内回应"),
        (Role.STREET, "street", "吹哨派单"),
        (Role.ADMIN, None, "设置街道"),
    ],
)
def test_each_role_sees_what_it_can_do(client, login, make_household, make_user, role, scope, expected):
    household = make_household()
    scopes = {
        "household": household,
        "building": household.building,
        "community": household.building.community,
        "street": household.building.community.street,
        None: None,
    }
    login(make_user(role, scopes[scope]))
    page = client.get("/").get_data(as_text=True)
    assert expected in page


def test_a_building_head_who_lives_there_sees_both_roles(client, login, make_household, make_user):
    from app.extensions import db
    from app.models import RoleAssignment

    household = make_household(room="201")
    head = make_user(Role.BUILDING_HEAD, household.building)
    head.roles.append(RoleAssignment(role=Role.RESIDENT, household=household))
    db.session.commit()
    login(head)
    page = client.get("/").get_data(as_text=True)
    assert "楼长" in page and "居民" in page and "201" in page
