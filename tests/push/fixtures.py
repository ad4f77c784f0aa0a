"""Push-service fixtures shared by tests/push and tests/notices: a local push service and subscribed devices."""
import pytest

from app.clock import utcnow
from app.extensions import db
from app.push import services
from tests.push.pushservice import DeviceKeys, start_push_service


@pytest.fixture(scope="session")
def push_service_session():
    service = start_push_service()
    yield service
    service.server.shutdown()
    service.server.server_close()


@pytest.fixture
def push_service(push_service_session):
    """The local push service, with nothing received and no queued answers."""
    push_service_session.received.clear()
    push_service_session.answers.clear()
    return push_service_session


@pytest.fixture
def subscribe_device(push_service):
    """Subscribe a new device of `user` at the local push service; returns (subscription, keys)."""
    counter = iter(range(1, 10**6))

    def make(user, name=None):
        keys = DeviceKeys.generate()
        name = name or f"dev{user.id}-{next(counter)}"
        sub = services.subscribe(db.session, user, push_service.endpoint(name), keys.p256dh, keys.auth_b64,
                                 "test phone", now=utcnow(), allow_local_http=True)
        db.session.commit()
        return sub, keys, name

    return make
