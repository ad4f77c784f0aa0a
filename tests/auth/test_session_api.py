"""The JSON session API used by the offline client."""
from app.models import Role
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
