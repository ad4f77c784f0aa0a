"""The permission matrix of accounts: every action × every kind of person, through the real pages.

Allowed: the page answers (a redirect after a change) and the change is made. Not allowed: 403, and
the accounts, their roles and the log are exactly as before.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import AccountEvent
from app.extensions import db
from app.models import Role, RoleAssignment, User

ACTORS = ("admin", "street_user", "other_street", "staff", "other_staff", "head", "resident", "department")


def allowed(*who: str) -> dict[str, bool]:
    """Each actor: whether they may."""
    return {actor: actor in who for actor in ACTORS}


def _staff_member(town):
    """Another staff member of 芳群园一区, for the street to manage."""
    from tests.conftest import PASSWORD

    person = User(phone="13700000001", name="新社工")
    person.set_password(PASSWORD)
    person.roles.append(RoleAssignment(role=Role.STAFF, community=town.community))
    db.session.add(person)
    db.session.commit()
    return person


def _switched_off(town):
    town.neighbour.active = False
    db.session.commit()
    return town.neighbour


# action -> (how to ask: method, url of town, form data of town), who may
CASES = {
    "create staff": (lambda t: ("post", "/accounts/new", {"name": "新社工", "phone": "13700000009",
                                                          "password": "Fz-2026-desk", "role_place": f"staff:{t.community.id}"}),
                     allowed("admin", "street_user")),
    "create street": (lambda t: ("post", "/accounts/new", {"name": "新街道", "phone": "13700000008",
                                                           "password": "Fz-2026-desk", "role_place": f"street:{t.street.id}"}),
                      allowed("admin")),
    "create department": (lambda t: ("post", "/accounts/new", {"name": "新城管", "phone": "13700000007",
                                                               "password": "Fz-2026-desk",
                                                               "role_place": f"department:{t.city.id}"}),
                          allowed("admin", "street_user")),
    "appoint head": (lambda t: ("post", f"/accounts/{t.neighbour.id}/grant", {"role_place": f"building_head:{t.b8.id}"}),
                     allowed("admin", "street_user", "staff")),
    "remove head": (lambda t: ("post", f"/accounts/roles/{next(a.id for a in t.head.roles if a.role == Role.BUILDING_HEAD)}"
                                       "/revoke", {}),
                    allowed("admin", "street_user", "staff")),
    "switch off resident": (lambda t: ("post", f"/accounts/{t.neighbour.id}/deactivate", {}),
                            allowed("admin", "street_user", "staff")),
    "switch off head": (lambda t: ("post", f"/accounts/{t.head.id}/deactivate", {}),
                        allowed("admin", "street_user", "staff")),
    "switch off staff": (lambda t: ("post", f"/accounts/{_staff_member(t).id}/deactivate", {}),
                         allowed("admin", "street_user")),
    "switch off department": (lambda t: ("post", f"/accounts/{t.department.id}/deactivate", {}),
                              allowed("admin", "street_user")),
    "switch on resident": (lambda t: ("post", f"/accounts/{_switched_off(t).id}/reactivate", {}),
                           allowed("admin", "street_user", "staff")),
    "move out": (lambda t: ("post", f"/accounts/{t.neighbour.id}/move-out/{t.h303.id}", {}),
                 allowed("admin", "street_user", "staff", "head")),
    "people page": (lambda t: ("get", "/accounts/", None),
                    allowed("admin", "street_user", "other_street", "staff", "other_staff")),
    "person page": (lambda t: ("get", f"/accounts/{t.neighbour.id}", None),
                    allowed("admin", "street_user", "staff", "head")),
    "switch-off page": (lambda t: ("get", f"/accounts/{t.neighbour.id}/deactivate", None),
                        allowed("admin", "street_user", "staff")),
    "move-out page": (lambda t: ("get", f"/accounts/{t.neighbour.id}/move-out/{t.h303.id}", None),
                      allowed("admin", "street_user", "staff", "head")),
}


def state() -> tuple:
    """Everything an accounts action could change."""
    users = db.session.execute(select(User.id, User.phone, User.active, User.session_version).order_by(User.id)).all()
    roles = db.session.execute(select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.household_id,
                                      RoleAssignment.building_id, RoleAssignment.community_id, RoleAssignment.street_id,
                                      RoleAssignment.department_id).order_by(RoleAssignment.id)).all()
    return users, roles, db.session.scalar(select(func.count()).select_from(AccountEvent))


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", list(CASES))
def test_matrix(client, login, town, case, actor):
    ask, who = CASES[case]
    method, url, data = ask(town)
    token = login(getattr(town, actor))
    before = state()
    response = client.get(url) if method == "get" else client.post(url, data={**data, "csrf_token": token})
    if who[actor]:
        assert response.status_code == (200 if method == "get" else 302), response.get_data(as_text=True)[:400]
        if method == "post":
            assert "/auth/login" not in response.headers["Location"]
            assert state() != before
            assert db.session.scalar(select(func.count()).select_from(AccountEvent).where(
                AccountEvent.actor_id == getattr(town, actor).id)) >= 1
    else:
        assert response.status_code == 403, response.get_data(as_text=True)[:400]
        assert state() == before


def test_every_accounts_action_has_a_case():
    from app.auth.permissions import registered_actions

    actions = {a for a in registered_actions() if a.startswith("accounts.")}
    assert actions == {"accounts.list", "accounts.view", "accounts.create", "accounts.grant", "accounts.revoke",
                       "accounts.deactivate", "accounts.reactivate", "accounts.move_out"}


def test_nobody_switches_themselves_off_or_moves_themselves_out(client, login, town):
    for person, url in ((town.admin, f"/accounts/{town.admin.id}/deactivate"),
                        (town.head, f"/accounts/{town.head.id}/move-out/{town.h201.id}")):
        token = login(person)
        before = state()
        assert client.post(url, data={"csrf_token": token}).status_code == 403
        assert state() == before
