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


# -- whose subscription it is ------------------------------------------------------------------


def post(client, token, data):
    return client.post("/api/v1/push/subscriptions", json=data, headers={"X-CSRFToken": token})


def test_posting_someone_elses_endpoint_does_not_take_their_subscription(client, login, resident, make_user,
                                                                          make_household):
    """The endpoint alone is not proof of owning the device: the victim keeps their notices."""
    victim_phone = DeviceKeys.generate()
    login(resident)
    assert post(client, client.get("/api/v1/csrf").get_json()["csrf_token"], body(keys=victim_phone)).status_code == 201
    attacker = make_user(Role.RESIDENT, make_household())
    token = login(attacker)
    stolen = post(client, token, body())  # the victim's endpoint, keys of the attacker's own choosing
    assert stolen.status_code == 400
    error = stolen.get_json()["error"]
    assert error["code"] == "invalid_subscription" and "另一个账号" in error["message"]
    db.session.expire_all()
    sub = db.session.scalar(select(PushSubscription))
    assert (count(), sub.user_id, sub.p256dh, sub.auth) == (1, resident.id, victim_phone.p256dh, victim_phone.auth_b64)


def test_a_shared_phone_switching_accounts_moves_its_subscription(client, login, resident, make_user):
    """Same endpoint, same keys: the very browser that holds the subscription, now signed in as someone else."""
    family_phone = DeviceKeys.generate()
    post(client, login(resident), body(keys=family_phone))
    grandmother = make_user(Role.RESIDENT, resident.roles[0].household)
    moved = post(client, login(grandmother), body(keys=family_phone))
    assert moved.status_code == 201
    db.session.expire_all()
    assert count() == 1 and db.session.scalar(select(PushSubscription)).user_id == grandmother.id


def test_one_refreshes_ones_own_subscription_with_new_keys(client, login, resident):
    token = login(resident)
    post(client, token, body())
    renewed = DeviceKeys.generate()
    assert post(client, token, body(keys=renewed)).status_code == 201
    db.session.expire_all()
    assert count() == 1 and db.session.scalar(select(PushSubscription)).p256dh == renewed.p256dh


# -- where the worker would connect --------------------------------------------------------------


@pytest.fixture
def resolving(monkeypatch):
    """Names the test makes resolve as a local DNS would answer for them (this machine has no network):
    the app resolves them with the real socket.getaddrinfo call, which answers from this table first."""
    import socket

    table: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and host.lower() in table:
            return [(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (address, port or 443)) for address in table[host.lower()]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.mark.parametrize("addresses", [["127.0.0.1"], ["10.0.0.1"], ["169.254.169.254"], ["::1"],
                                       ["8.8.8.8", "192.168.1.10"]])
def test_a_name_resolving_inside_the_network_is_refused_when_subscribing(client, login, resident, resolving,
                                                                          addresses):
    """127.0.0.1.nip.io, metadata.google.internal …: a public-looking name whose addresses are private."""
    resolving["push.sneaky.example"] = addresses
    response = subscribe(client, login(resident), "https://push.sneaky.example/wpush/abc")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_subscription" and "互联网" in error["message"]
    assert list(error["fields"]) == ["endpoint"] and count() == 0


def test_a_name_resolving_to_the_internet_is_accepted(client, login, resident, resolving):
    resolving["push.services.example"] = ["8.8.8.8", "2606:4700:4700::1111"]
    assert subscribe(client, login(resident), "https://push.services.example/wpush/abc").status_code == 201
    assert count() == 1


def test_a_name_that_does_not_resolve_now_is_accepted_and_checked_when_sending(client, login, resident):
    """No answer from DNS right now (this machine has no network): the worker's check before connecting stays."""
    assert subscribe(client, login(resident), "https://push.nowhere.invalid/x").status_code == 201


def test_localhost_stays_refused_and_the_local_push_service_of_tests_allowed(client, login, resident, push_service):
    token = login(resident)
    for endpoint in ("https://localhost/x", "https://127.0.0.1/x", "https://10.0.0.1/x", "http://10.0.0.1/x"):
        assert subscribe(client, token, endpoint).status_code == 400, endpoint
    assert subscribe(client, token, push_service.endpoint("local")).status_code == 201  # PUSH_ALLOW_LOCAL_HTTP


def test_without_local_http_the_local_push_service_is_refused(app, client, login, resident, push_service):
    from app.push import config

    token = login(resident)
    previous = app.testing
    app.testing = False  # as in production, PUSH_ALLOW_LOCAL_HTTP unset
    try:
        assert not config.allow_local_http()
        response = subscribe(client, token, push_service.endpoint("local"))
    finally:
        app.testing = previous
    assert response.status_code == 400 and count() == 0
