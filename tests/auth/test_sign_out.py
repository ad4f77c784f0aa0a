"""Signing out ends the session on the server: a copied session or remember cookie stops working (issue 15.2)."""
from __future__ import annotations

import pytest

from app.models import Role
from tests.conftest import PASSWORD, csrf_from


def sign_in(device, user, *, remember: bool = True) -> None:
    """Sign in through the real form on this device."""
    page = device.get("/auth/login").get_data(as_text=True)
    data = {"phone": user.phone, "password": PASSWORD, "csrf_token": csrf_from(page)}
    if remember:
        data["remember"] = "y"
    assert device.post("/auth/login", data=data).status_code == 302


def copy_of(app, device, *names: str):
    """Another client holding copies of `device`'s cookies (as someone who copied them would)."""
    other = app.test_client()
    for name in names:
        cookie = device.get_cookie(name)
        assert cookie is not None, name
        other.set_cookie(name, cookie.value)
    return other


def csrf(device) -> str:
    return device.get("/api/v1/csrf").get_json()["csrf_token"]


def refused_everywhere(device) -> None:
    """Pages send the device to sign in; the API and the sync answer 401."""
    page = device.get("/")
    assert page.status_code == 302 and "/auth/login" in page.headers["Location"]
    assert device.get("/api/v1/me").status_code == 401
    assert device.get("/api/v1/sync?since=0").status_code == 401
    push = device.post("/api/v1/sync", json={"client_id": "copied", "mutations": []},
                       headers={"X-CSRFToken": csrf(device)})
    assert push.status_code == 401


@pytest.fixture
def resident(make_user, make_household):
    return make_user(Role.RESIDENT, make_household(), name="李居民")


@pytest.mark.parametrize("how", ["page", "api"])
def test_signing_out_ends_the_session_and_its_remember_cookie(app, resident, how):
    phone = app.test_client()
    sign_in(phone, resident)
    session_copy = copy_of(app, phone, "session")
    remember_copy = copy_of(app, phone, "remember_token")
    assert session_copy.get("/api/v1/me").status_code == 200
    assert remember_copy.get("/api/v1/me").status_code == 200
    # Another phone of the same person, signed in separately, stays signed in.
    other_phone = app.test_client()
    sign_in(other_phone, resident)

    if how == "page":
        assert phone.post("/auth/logout", data={"csrf_token": csrf(phone)}).status_code == 302
    else:
        assert phone.delete("/api/v1/session", headers={"X-CSRFToken": csrf(phone)}).status_code == 204

    refused_everywhere(copy_of(app, phone, "session") if phone.get_cookie("session") else app.test_client())
    for copied in (session_copy, remember_copy):
        refused_everywhere(copied)
    assert other_phone.get("/api/v1/me").status_code == 200


def test_changing_the_password_ends_the_other_sessions(app, resident):
    desk = app.test_client()
    sign_in(desk, resident)
    other = app.test_client()
    sign_in(other, resident)
    remembered = copy_of(app, other, "remember_token")

    page = desk.get("/auth/account")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "修改密码" in html and "退出所有设备" in html
    wrong = desk.post("/auth/account/password", data={"csrf_token": csrf_from(html), "current": "not-it-at-all",
                                                      "new": "lantern-harbour-7", "again": "lantern-harbour-7"})
    assert wrong.status_code == 400 and "当前密码不对" in wrong.get_data(as_text=True)
    assert other.get("/api/v1/me").status_code == 200
    weak = desk.post("/auth/account/password", data={"csrf_token": csrf_from(html), "current": PASSWORD,
                                                     "new": "12345678", "again": "12345678"})
    assert weak.status_code == 400 and "太容易" in weak.get_data(as_text=True)
    differ = desk.post("/auth/account/password", data={"csrf_token": csrf_from(html), "current": PASSWORD,
                                                       "new": "lantern-harbour-7", "again": "lantern-harbour-8"})
    assert differ.status_code == 400 and "两次" in differ.get_data(as_text=True)

    done = desk.post("/auth/account/password", data={"csrf_token": csrf_from(html), "current": PASSWORD,
                                                     "new": "lantern-harbour-7", "again": "lantern-harbour-7"})
    assert done.status_code == 302
    assert desk.get("/api/v1/me").status_code == 200  # this device stays signed in
    refused_everywhere(other)
    refused_everywhere(remembered)
    # The new password signs in; the old one no longer does.
    again = app.test_client()
    page = again.get("/auth/login").get_data(as_text=True)
    assert again.post("/auth/login", data={"phone": resident.phone, "password": PASSWORD,
                                           "csrf_token": csrf_from(page)}).status_code == 400
    assert again.post("/auth/login", data={"phone": resident.phone, "password": "lantern-harbour-7",
                                           "csrf_token": csrf_from(page)}).status_code == 302


def test_sign_out_on_all_my_devices(app, resident):
    desk = app.test_client()
    sign_in(desk, resident)
    phones = [app.test_client() for _ in range(2)]
    for phone in phones:
        sign_in(phone, resident)
    copies = [copy_of(app, phone, "remember_token") for phone in phones]

    html = desk.get("/auth/account").get_data(as_text=True)
    done = desk.post("/auth/account/sign-out-everywhere", data={"csrf_token": csrf_from(html)})
    assert done.status_code == 302 and "/auth/login" in done.headers["Location"]
    for device in (desk, *phones, *copies):
        refused_everywhere(device)
    assert desk.get(done.headers["Location"]).status_code == 200


def test_a_session_from_before_sign_ins_were_recorded_still_works_and_signing_it_out_ends_it(app, resident):
    old = app.test_client()
    with old.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = str(resident.id), True  # as User.get_id() wrote it before
    assert old.get("/api/v1/me").get_json()["user"]["name"] == "李居民"
    copied = copy_of(app, old, "session")
    recorded = app.test_client()
    sign_in(recorded, resident)

    assert old.delete("/api/v1/session", headers={"X-CSRFToken": csrf(old)}).status_code == 204
    refused_everywhere(copied)  # old sessions cannot be told apart: every one of them ends
    assert recorded.get("/api/v1/me").status_code == 200  # a recorded sign-in carries on


def test_the_account_page_lists_the_devices_signed_in(app, resident):
    phone = app.test_client()
    phone.get("/auth/login", headers={"User-Agent": "Mozilla/5.0 (Linux; Android 12) Chrome/120"})
    page = phone.get("/auth/login").get_data(as_text=True)
    phone.post("/auth/login", data={"phone": resident.phone, "password": PASSWORD, "csrf_token": csrf_from(page)},
               headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1"})
    desk = app.test_client()
    sign_in(desk, resident)
    html = desk.get("/auth/account").get_data(as_text=True)
    assert "iPhone · Safari" in html and "这台设备" in html and html.count("密码 ·") == 2
    phone.post("/auth/logout", data={"csrf_token": csrf(phone)})
    html = desk.get("/auth/account").get_data(as_text=True)
    assert "iPhone" not in html and html.count("密码 ·") == 1


def test_only_a_signed_in_person_changes_their_own_account(app, resident, make_user):
    stranger = app.test_client()
    token = csrf(stranger)
    for path in ("/auth/account", "/auth/account/password", "/auth/account/sign-out-everywhere"):
        response = stranger.post(path, data={"csrf_token": token}) if path != "/auth/account" else stranger.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    phone = app.test_client()
    sign_in(phone, resident)
    # Without the form's CSRF token nothing happens (a page on another site cannot sign people out).
    assert phone.post("/auth/account/sign-out-everywhere").status_code == 400
    assert phone.post("/auth/account/password", data={"current": PASSWORD, "new": "lantern-harbour-7",
                                                      "again": "lantern-harbour-7"}).status_code == 400
    assert phone.get("/api/v1/me").status_code == 200
