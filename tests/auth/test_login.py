"""Signing in and out through the HTML form."""
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Role, User
from tests.conftest import PASSWORD, csrf_from


def post_login(client, phone, password, **extra):
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    return client.post("/auth/login", data={"phone": phone, "password": password, "csrf_token": token}, **extra)


def test_login_page_is_chinese_by_default(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "手机号" in page and "密码" in page
    assert '<label for="phone">' in page and '<label for="password">' in page


def test_good_login_lands_on_home_with_role(client, make_household, make_user):
    household = make_household(room="302")
    user = make_user(Role.RESIDENT, household, name="李居民")
    response = post_login(client, user.phone, PASSWORD)
    assert response.status_code == 302
    home = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "您好,李居民" in home
    assert "居民" in home and "302" in home
    assert db.session.get(User, user.id).last_login_at is not None


@pytest.mark.parametrize(
    ("phone", "password", "message"),
    [
        ("13900000001", "wrong", "手机号或密码不正确。"),  # unknown phone
        (None, "wrong", "手机号或密码不正确。"),  # known phone, wrong password
        ("", "", "请输入手机号。"),
        ("12345", PASSWORD, "手机号是以1开头的11位数字。"),
        ("1" * 300, PASSWORD, "手机号是以1开头的11位数字。"),  # over-long phone
        (None, "x" * 129, "太长了:最多 128 个字。"),
    ],
)
def test_bad_logins_explain_in_chinese_and_sign_nobody_in(client, make_user, phone, password, message):
    user = make_user()
    response = post_login(client, user.phone if phone is None else phone, password)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


@pytest.mark.parametrize("written", ["{0} {1} {2}", "{0}-{1}-{2}", "+86 {0} {1} {2}", "{0}{1}{2} ", "full-width"])
def test_a_number_written_with_spaces_dashes_or_a_country_code_signs_in(client, make_user, written):
    """People copy their number from a contact card or type it the way it is printed: it is the same number."""
    make_user(phone="13912345678")
    typed = "１３９１２３４５６７８" if written == "full-width" else written.format("139", "1234", "5678")
    response = post_login(client, typed, PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # signed in


def test_the_session_api_reads_a_spaced_number_too(client, make_user):
    make_user(phone="13912345678")
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    response = client.post("/api/v1/session", json={"phone": "+86 139 1234 5678", "password": PASSWORD},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["user"]["phone"] == "13912345678"


@pytest.mark.parametrize(
    ("phone", "password", "messages"),
    [
        ("13900000001", "wrong", ["Wrong phone number or password."]),
        (None, "wrong", ["Wrong phone number or password."]),
        ("", "", ["Please enter your mobile phone number.", "Please enter your password."]),
        ("138-0000-000", PASSWORD, ["A mobile number has 11 digits and starts with 1."]),  # one digit short
        (None, "x" * 129, ["Too long: at most 128 characters."]),
    ],
)
def test_bad_logins_explain_in_the_language_chosen(client, make_user, phone, password, messages):
    """Someone who switched the sign-in page to English reads the form's messages in English, by the field."""
    user = make_user()
    client.post("/auth/locale", data={"locale": "en", "csrf_token": csrf_from(client.get("/auth/login").get_data(as_text=True))})
    page = post_login(client, user.phone if phone is None else phone, password).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert re.findall(r'<p class="error" id="[a-z_]+-error">([^<]*)</p>', page) == messages


def test_a_failed_login_writes_nothing(client, make_user):
    """Not the sign-in time, not the care-mode switch ticked on the form, no account for an unknown phone."""
    user = make_user()
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    for phone in (user.phone, "13900000001"):
        response = client.post("/auth/login", data={"phone": phone, "password": "wrong", "care_mode": "y",
                                                    "remember": "y", "csrf_token": token})
        assert response.status_code == 400
        assert "remember_token" not in response.headers.get("Set-Cookie", "")
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.last_login_at is None and stored.care_mode is False
    assert db.session.scalars(select(User)).all() == [stored]


def test_repeated_failures_are_slowed_down(client, make_user):
    user = make_user()
    codes = [post_login(client, user.phone, "wrong").status_code for _ in range(6)]
    assert codes[:5] == [400] * 5
    assert codes[5] == 429
    assert "尝试次数太多" in post_login(client, user.phone, PASSWORD).get_data(as_text=True)


def test_successful_logins_do_not_use_up_the_limit(client, make_user, login):
    user = make_user()
    for _ in range(7):
        login(user)
        token = csrf_from(client.get("/").get_data(as_text=True))
        assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302


OFF_SITE = ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/\t/evil.example",
            "///evil.example", " //evil.example", "http:/evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_redirects_off_site(client, make_user, target):
    user = make_user()
    response = post_login(client, user.phone, PASSWORD, query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_never_redirects_off_site(client, target):
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/locale", data={"locale": "en", "next": target, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_within_the_site_is_followed(client, make_user):
    user = make_user()
    response = post_login(client, user.phone, PASSWORD, query_string={"next": "/offline"})
    assert response.headers["Location"] == "/offline"


def test_logout_needs_post_with_csrf(client, make_user, login):
    login(make_user())
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400  # no CSRF token
    assert client.get("/").status_code == 200  # still signed in
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user(active=False)
    assert post_login(client, user.phone, PASSWORD).status_code == 400


def test_language_switch_is_remembered_on_the_account(client, make_user, login):
    user = make_user(name="Li")
    login(user)
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/auth/locale", data={"locale": "en", "next": "/", "csrf_token": token})
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Hello, Li" in page
    assert db.session.get(User, user.id).locale == "en"
    client.post("/auth/logout", data={"csrf_token": csrf_from(page)})
    login(user)  # a new session picks the language up from the account
    assert "Hello, Li" in client.get("/").get_data(as_text=True)


def test_unknown_locale_is_ignored(client):
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    client.post("/auth/locale", data={"locale": "fr", "csrf_token": token})
    assert '<html lang="zh-CN">' in client.get("/auth/login").get_data(as_text=True)


@pytest.mark.parametrize("remember", [True, False])
def test_keep_me_signed_in_outlives_the_browser_session(client, make_user, remember):
    """Closing the browser drops the session cookie: only "keep me signed in" brings the person back."""
    user = make_user(name="李居民")
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    data = {"phone": user.phone, "password": PASSWORD, "csrf_token": token, **({"remember": "y"} if remember else {})}
    assert client.post("/auth/login", data=data).status_code == 302
    cookie = client.get_cookie("remember_token")
    if remember:
        assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
        assert 29 <= (cookie.expires - datetime.now(UTC)).days <= 30
    else:
        assert cookie is None
    assert client.get_cookie("session").expires is None  # the session itself ends with the browser
    client.delete_cookie("session")  # the browser is closed and opened again
    home = client.get("/")
    assert home.status_code == (200 if remember else 302)
    if remember:
        assert "您好,李居民" in home.get_data(as_text=True)
