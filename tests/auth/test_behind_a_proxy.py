"""Behind the reverse proxy of the production set-up, sign-in limits count each person's address, not the proxy's."""
import pytest

from app import create_app
from app.config import TestingConfig
from app.extensions import db

PROXY = "10.0.0.2"


@pytest.fixture
def proxied(app):
    """A second app on the same database, told that one reverse proxy stands in front of it."""
    application = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], TRUSTED_PROXIES=1)
    application.test_client_class = app.test_client_class  # each request in its own context, as in production
    yield application
    with application.app_context():
        db.engine.dispose()


def failed_sign_ins(application, forwarded_for: str | None, times: int) -> list[int]:
    """Wrong passwords sent through the proxy for one resident's phone (a fresh browser)."""
    client = application.test_client()
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    codes = []
    for _ in range(times):
        token = client.get("/api/v1/csrf", headers=headers, environ_base={"REMOTE_ADDR": PROXY}).get_json()["csrf_token"]
        response = client.post("/api/v1/session", json={"phone": "13900000001", "password": "wrong"},
                               headers={**headers, "X-CSRFToken": token}, environ_base={"REMOTE_ADDR": PROXY})
        codes.append(response.status_code)
    return codes


def test_one_persons_failures_do_not_lock_out_everyone_behind_the_proxy(proxied):
    assert failed_sign_ins(proxied, "203.0.113.7", 6) == [401] * 5 + [429]
    assert failed_sign_ins(proxied, "198.51.100.9", 1) == [401]  # a neighbour on another phone can still try


def test_without_a_trusted_proxy_a_forged_forwarded_for_changes_nothing(app):
    assert failed_sign_ins(app, "203.0.113.7", 5) == [401] * 5
    assert failed_sign_ins(app, "198.51.100.9", 1) == [429]  # the header is the client's own claim here

