"""Who may see and who may edit a building's directory: every action, allowed or 403 with nothing changed."""
from __future__ import annotations

import pytest

from app.auth.permissions import can
from app.directory.models import DirectoryEntry
from app.extensions import db
from tests.directory.conftest import entries_snapshot, entry_named

# who -> (may see, may edit)
MATRIX = {
    "resident": (True, False),
    "head": (True, False),
    "staff": (True, True),
    "other_staff": (False, False),
    "street": (True, True),
    "department": (False, False),
    "admin": (True, True),
    "outsider": (False, False),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_rules(six, who):
    user, building = six[who], six["building"]
    assert (can(user, "directory.view", building), can(user, "directory.edit", building)) == MATRIX[who]


@pytest.mark.parametrize("who", list(MATRIX))
def test_the_directory_page(client, login, six, who):
    login(six[who])
    response = client.get(f"/directory/buildings/{six['building'].id}")
    assert response.status_code == (200 if MATRIX[who][0] else 403)
    if response.status_code == 200:
        assert ("添加一条" in response.get_data(as_text=True)) is MATRIX[who][1]


def _writes(building_id: int, legal_id: int) -> dict[str, tuple[str, dict]]:
    """Every write, as the page posts it."""
    return {
        "add": (f"/directory/buildings/{building_id}/new",
                {"kind": "hotline", "name": "供暖热线", "phone": "96069", "label": "", "user_id": ""}),
        "edit": (f"/directory/entries/{legal_id}/edit",
                 {"kind": "legal", "name": "张律师", "phone": "010-67610013", "label": "", "user_id": ""}),
        "move": (f"/directory/entries/{legal_id}/move", {"direction": "up"}),
        "remove": (f"/directory/entries/{legal_id}/remove", {}),
    }


@pytest.mark.parametrize("action", ["add", "edit", "move", "remove"])
@pytest.mark.parametrize("who", list(MATRIX))
def test_every_write(client, login, six, who, action):
    building_id, legal_id = six["building"].id, entry_named("刘律师").id
    before = entries_snapshot(building_id)
    token = login(six[who])
    url, form = _writes(building_id, legal_id)[action]
    response = client.post(url, data={**form, "csrf_token": token})
    after = entries_snapshot(building_id)
    if not MATRIX[who][1]:
        assert response.status_code == 403
        assert after == before
        return
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/directory/buildings/{building_id}")
    assert after != before
    if action == "add":
        assert entry_named("供暖热线").phone == "96069"
    elif action == "edit":
        assert entry_named("张律师").phone == "010-67610013" and entry_named("刘律师") is None
    elif action == "remove":
        assert db.session.get(DirectoryEntry, legal_id) is None


def test_the_forms_are_refused_to_those_who_may_not_edit(client, login, six):
    login(six["head"])
    assert client.get(f"/directory/buildings/{six['building'].id}/new").status_code == 403
    assert client.get(f"/directory/entries/{entry_named('刘律师').id}/edit").status_code == 403


def test_a_write_without_the_csrf_token_is_refused(client, login, six):
    login(six["staff"])
    before = entries_snapshot(six["building"].id)
    response = client.post(f"/directory/entries/{entry_named('刘律师').id}/remove")
    assert response.status_code == 400
    assert entries_snapshot(six["building"].id) == before
