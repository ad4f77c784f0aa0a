"""The subscription API: store, refresh, unsubscribe; malformed endpoints and keys are refused."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role
from app.push.models import PushSubscription
from tests.push.pushservice import DeviceKeys, b64url


def count():
    return db.session.scalar(select(func.count()).select_from(PushSubscription))


def body(endpoint="https://fcm.googleapis.com/fcm/send/abc123", keys=None):
    keys = keys or DeviceKeys.generate()
    return {"endpoint": endpoint, "keys": {"p256dh": keys.p256dh, "auth": keys.auth_b64}}


@pytest.fixture
def resident(make_household, make_user):
    return make_user(Role.RESIDENT, make_household())


def test_subscribe_and_unsubscribe(client, login, resident):
    token = login(resident)
    response = client.post("/api/v1/push/subscriptions", json=body(), headers={"X-CSRFToken": token,
                                                                                  "User-Agent": "Mozilla/5.0 Android"})
    assert response.status_code == 201
    sub = db.session.scalar(select(PushSubscription))
    assert sub.user_id == resident.id and sub.device_label == "Mozilla/5.0 Android"

    again = client.post("/api/v1/push/subscriptions", json=body(), headers={"X-CSRFToken": token})
    assert again.status_code == 201 and count() == 1  # the same device is refreshed, not duplicated

    gone = client.delete("/api/v1/push/subscriptions", json={"endpoint": sub.endpoint}, headers={"X-CSRFToken": token})
    assert gone.get_json() == {"removed": True} and count() == 0


def test_the_public_key_is_served(client):
    key = client.get("/api/v1/push/key").get_json()["public_key"]
    assert len(key) == 87 and key.startswith("B")  # 65-byte uncompressed point in base64url


BAD = [
    ("http://push.example.com/x", None, None, "https://"),
    ("ftp://push.example.com/x", None, None, "https://"),
    ("not a url", None, None, "https://"),
    ("https://push.example.com/x", b64url(b"\x04" + b"\x01" * 64), None, "p256dh"),  # not on the curve
    ("https://push.example.com/x", b64url(b"\x04" * 33), None, "p256dh"),  # wrong length
    ("https://push.example.com/x", "!!!not-base64!!!", None, "p256dh"),
    ("https://push.example.com/x", None, b64url(b"short"), "auth"),
    ("https://push.example.com/x", None, "a b c", "auth"),
    # addresses inside the server's own network: the worker would POST there
    ("https://127.0.0.1/x", None, None, "互联网"),
    ("https://169.254.169.254/latest", None, None, "互联网"),
    ("https://10.0.0.5:8443/admin", None, None, "互联网"),
    ("https://[::1]/x", None, None, "互联网"),
    ("https://localhost/x", None, None, "互联网"),
    ("https://redis:6379/x", None, None, "互联网"),
    ("https://0x7f.1/x", None, None, "互联网"),
    ("https://db.localhost/x", None, None, "互联网"),
]


def subscribe(client, token, endpoint, p256dh=None, auth=None):
    """POST a subscription for `endpoint`, with its keys replaced where given."""
    data = body(endpoint)
    if p256dh is not None:
        data["keys"]["p256dh"] = p256dh
    if auth is not None:
        data["keys"]["auth"] = auth
    return client.post("/api/v1/push/subscriptions", json=data, headers={"X-CSRFToken": token})


@pytest.mark.parametrize(("endpoint", "p256dh", "auth", "message"), BAD)
def test_malformed_subscriptions_are_refused_and_not_stored(client, login, resident, endpoint, p256dh, auth, message):
    response = subscribe(client, login(resident), endpoint, p256dh, auth)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_subscription" and message in error["message"]
    assert count() == 0


def test_missing_keys_answer_400(client, login, resident):
    token = login(resident)
    response = client.post("/api/v1/push/subscriptions", json={"endpoint": "https://x.example/1"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400 and "keys" in response.get_json()["error"]["fields"]
    assert count() == 0


def test_subscribing_needs_a_signed_in_user(client):
    assert client.post("/api/v1/push/subscriptions", json=body()).status_code in (400, 401)
    assert count() == 0


def test_settings_page_and_muting(client, login, resident):
    token = login(resident)
    page = client.get("/push/")
    assert page.status_code == 200 and "data-push-switch" in page.get_data(as_text=True)
    client.post("/notifications/kinds", data={"csrf_token": token, "kind": ["notice", "vote"]})
    from app.notifications.services import muted_kinds

    assert muted_kinds(db.session, resident) == {"issue.update", "issue.deadline", "issue.dispatch"}


@pytest.mark.parametrize(("endpoint", "p256dh", "auth", "field"), [
    ("http://push.example.com/x", None, None, "endpoint"),
    ("https://push.example.com/x", "!!!not-base64!!!", None, "keys.p256dh"),
    ("https://push.example.com/x", None, "a b c", "keys.auth"),
])
def test_a_refused_subscription_names_its_field(client, login, resident, endpoint, p256dh, auth, field):
    """The push.subscribe command refuses on the field at fault, as every command does."""
    error = subscribe(client, login(resident), endpoint, p256dh, auth).get_json()["error"]
    assert list(error["fields"]) == [field] and error["fields"][field] == error["message"]
