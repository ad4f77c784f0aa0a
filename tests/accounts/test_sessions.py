"""A switched-off account is signed out at once: sessions, remember cookies, login cards; switched on, it signs in again."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.logincards.services import issue_card
from app.models import User
from tests.conftest import PASSWORD, csrf_from

REMEMBER = "remember_token"


def sign_in(device, user: User, *, remember: bool = True) -> None:
    """Sign in through the real form on this device."""
    token = csrf_from(device.get("/auth/login").get_data(as_text=True))
    data = {"phone": user.phone, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    response = device.post("/auth/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def switch(device, person: User, action: str) -> None:
    """Switch the person's account off or on from the accounts page, as staff at a desk would."""
    page = device.get(f"/accounts/{person.id}/{action}")
    assert page.status_code == 200
    response = device.post(f"/accounts/{person.id}/{action}",
                           data={"csrf_token": csrf_from(page.get_data(as_text=True)), "note": "测试"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/accounts/{person.id}")


def test_switched_off_account_is_refused_on_its_next_request_and_can_come_back(app, town):
    phone = app.test_client()
    sign_in(phone, town.resident)
    assert phone.get("/").status_code == 200
    assert phone.get("/api/v1/me").status_code == 200
    remembered = phone.get_cookie(REMEMBER)
    assert remembered is not None
    _, token = issue_card(db.session, town.resident, town.head, now=utcnow())
    db.session.commit()

    desk = app.test_client()
    sign_in(desk, town.staff, remember=False)
    switch(desk, town.resident, "deactivate")

    page = phone.get("/")
    assert page.status_code == 302 and urlsplit(page.headers["Location"]).path == "/auth/login"
    assert phone.get("/api/v1/me").status_code == 401
    sync = phone.get("/api/v1/sync?since=0")
    assert sync.status_code == 401 and sync.get_json()["error"]["code"]

    # A phone with only the remember cookie (the session cookie long gone) is not signed back in.
    returning = app.test_client()
    returning.set_cookie(REMEMBER, remembered.value)
    assert returning.get("/api/v1/me").status_code == 401
    assert returning.get("/").status_code == 302

    # The password no longer signs in, on the page or through the API.
    fresh = app.test_client()
    token_page = csrf_from(fresh.get("/auth/login").get_data(as_text=True))
    refused = fresh.post("/auth/login", data={"phone": town.resident.phone, "password": PASSWORD,
                                             "csrf_token": token_page})
    assert refused.status_code == 400
    api = fresh.post("/api/v1/session", json={"phone": town.resident.phone, "password": PASSWORD},
                     headers={"X-CSRFToken": fresh.get("/api/v1/csrf").get_json()["csrf_token"]})
    assert api.status_code == 401

    # Nor does the login card.
    card = app.test_client()
    assert card.get(f"/card/{token}").status_code == 403

    switch(desk, town.resident, "reactivate")
    # Switched on again: the old cookie still does not sign in; the password and the card do.
    old = app.test_client()
    old.set_cookie(REMEMBER, remembered.value)
    assert old.get("/api/v1/me").status_code == 401
    assert phone.get("/api/v1/me").status_code == 401
    again = app.test_client()
    sign_in(again, town.resident)
    assert again.get("/api/v1/me").get_json()["user"]["name"] == "李居民"
    confirm = card.get(f"/card/{token}")
    assert confirm.status_code == 200
    signed = card.post(f"/card/{token}", data={"csrf_token": csrf_from(confirm.get_data(as_text=True))})
    assert signed.status_code == 302
    assert card.get("/api/v1/me").get_json()["user"]["name"] == "李居民"
    person = db.session.scalar(select(User).where(User.id == town.resident.id))
    assert person.active and person.session_version == 1


def test_a_session_from_before_this_change_still_signs_in(app, town):
    """Sessions made before session_version existed carry the bare id; version 0 accepts it."""
    load = app.login_manager._user_callback
    assert load(str(town.resident.id)).id == town.resident.id
    assert town.resident.get_id() == str(town.resident.id)
    town.resident.end_sessions()
    db.session.commit()
    assert load(str(town.resident.id)) is None
    assert load(f"{town.resident.id}.1").id == town.resident.id
    assert load("x.1") is None and load(f"{town.resident.id}.x") is None


def test_a_moved_out_resident_is_signed_out_too(app, town):
    phone = app.test_client()
    sign_in(phone, town.resident)
    desk = app.test_client()
    sign_in(desk, town.head, remember=False)
    path = f"/accounts/{town.resident.id}/move-out/{town.h302.id}"
    page = desk.get(path)
    assert page.status_code == 200
    assert desk.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True))}).status_code == 302
    assert phone.get("/api/v1/me").status_code == 401
