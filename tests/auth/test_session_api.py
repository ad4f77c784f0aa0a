"""The JSON session API used by the offline client."""
from sqlalchemy import select

from app.extensions import db
from app.models import Role, User
from tests.conftest import PASSWORD


def fresh_csrf(client) -> str:
    return client.get("/api/v1/csrf").get_json()["csrf_token"]


def test_session_login_returns_user_roles_and_token(client, make_household, make_user):
    household = make_household(room="2103")
    user = make_user(Role.RESIDENT, household, name="王")
    response = client.post(
        "/api/v1/session", json={"phone": user.phone, "password": PASSWORD}, headers={"X-CSRFToken": fresh_csrf(client)}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["name"] == "王"
    assert body["user"]["roles"][0]["role"] == "resident"
    assert body["user"]["roles"][0]["household_id"] == household.id
    assert body["csrf_token"]
    me = client.get("/api/v1/me").get_json()
    assert me["user"]["id"] == user.id


def test_bad_credentials_are_401_in_the_error_shape(client, make_user):
    user = make_user()
    response = client.post(
        "/api/v1/session", json={"phone": user.phone, "password": "nope"}, headers={"X-CSRFToken": fresh_csrf(client)}
    )
    assert response.status_code == 401
    assert response.get_json() == {
        "error": {"code": "bad_credentials", "message": "手机号或密码不正确。", "fields": {}}
    }
    assert client.get("/api/v1/me").status_code == 401


def test_missing_csrf_header_is_refused(client, make_user):
    user = make_user()
    response = client.post("/api/v1/session", json={"phone": user.phone, "password": PASSWORD})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
    assert client.get("/api/v1/me").status_code == 401


def test_malformed_body_names_the_fields(client):
    response = client.post(
        "/api/v1/session", json={"phone": "123", "password": ""}, headers={"X-CSRFToken": fresh_csrf(client)}
    )
    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]
    assert fields == {"phone": "格式不正确。", "password": "这一项必须填写。"}


def test_body_that_is_not_an_object(client):
    response = client.post("/api/v1/session", data="[1]", content_type="application/json",
                           headers={"X-CSRFToken": fresh_csrf(client)})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "请求内容必须是 JSON 对象。"


def test_delete_session_signs_out_and_needs_csrf(client, make_user):
    user = make_user()
    token = client.post(
        "/api/v1/session", json={"phone": user.phone, "password": PASSWORD}, headers={"X-CSRFToken": fresh_csrf(client)}
    ).get_json()["csrf_token"]
    assert client.delete("/api/v1/session").status_code == 400
    assert client.get("/api/v1/me").status_code == 200
    assert client.delete("/api/v1/session", headers={"X-CSRFToken": token}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_api_login_is_rate_limited(client, make_user):
    user = make_user()
    codes = [
        client.post("/api/v1/session", json={"phone": user.phone, "password": "x"},
                    headers={"X-CSRFToken": fresh_csrf(client)}).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]


def test_unauthenticated_api_gets_json_not_a_redirect(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_over_long_and_wrongly_typed_fields_are_named_and_nothing_is_written(client, make_user):
    user = make_user()
    token = fresh_csrf(client)
    cases = [
        ({"phone": user.phone, "password": "x" * 129}, {"password": "太长了:最多 128 个字。"}),
        ({"phone": "1" * 300, "password": "x"}, {"phone": "格式不正确。"}),
        ({"phone": 13800000000, "password": "x"}, {"phone": "填写的内容类型不对。"}),
        ({}, {"phone": "这一项必须填写。", "password": "这一项必须填写。"}),
    ]
    for body, fields in cases:
        response = client.post("/api/v1/session", json=body, headers={"X-CSRFToken": token})
        assert response.status_code == 400, body
        assert response.get_json()["error"]["fields"] == fields
    assert client.get("/api/v1/me").status_code == 401
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is None
    assert len(db.session.scalars(select(User)).all()) == 1


def test_errors_come_in_the_language_the_person_chose(client, make_user):
    user = make_user(locale="en")
    token = fresh_csrf(client)
    client.post("/auth/locale", data={"locale": "en", "csrf_token": token})
    response = client.post("/api/v1/session", json={"phone": user.phone, "password": "nope"}, headers={"X-CSRFToken": token})
    assert response.get_json()["error"]["message"] == "Wrong phone number or password."
    response = client.post("/api/v1/session", json={"phone": "123", "password": ""}, headers={"X-CSRFToken": token})
    assert response.get_json()["error"]["fields"] == {"phone": "Wrong format.", "password": "This field is required."}


def test_a_wrong_csrf_token_is_refused_like_a_missing_one(client, make_user):
    user = make_user()
    fresh_csrf(client)
    response = client.post("/api/v1/session", json={"phone": user.phone, "password": PASSWORD},
                           headers={"X-CSRFToken": "not-the-token"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf_failed"
    assert client.get("/api/v1/me").status_code == 401
