"""Fixtures for SMS tests: the local fake of Alibaba Cloud's API, SMS configured against it, the worker."""
import pytest
from flask import current_app

from app.extensions import db
from app.push import vapid, worker
from app.push.channels import WebPushChannel
from tests.push.fixtures import push_service, push_service_session, subscribe_device  # noqa: F401 — fixtures
from tests.sms.fake_aliyun import KEY_ID, KEY_SECRET, FakeAliyun, serve


@pytest.fixture(scope="session")
def fake_aliyun_session():
    fake = FakeAliyun()
    server, endpoint = serve(fake)
    yield fake, endpoint
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_aliyun(fake_aliyun_session):
    """The fake provider, emptied: nothing sent, no throttling, the two approved templates."""
    fake, endpoint = fake_aliyun_session
    fake.sent.clear()
    fake.refused.clear()
    fake.delivered.clear()
    fake.throttle = 0
    fake.templates = {**FakeAliyun().templates}
    fake.endpoint = endpoint
    return fake


SMS_SETTINGS = {
    "SMS_PROVIDER": "aliyun", "SMS_ACCESS_KEY_ID": KEY_ID, "SMS_ACCESS_KEY_SECRET": KEY_SECRET,
    "SMS_SIGN_NAME": "掌上四合院", "SMS_TEMPLATE_NOTICE": "SMS_NOTICE", "VOICE_TEMPLATE_NOTICE": "TTS_NOTICE",
    "SMS_ALLOW_LOCAL_HTTP": True, "SMS_RATE_PER_SECOND": 200, "SMS_WAIT_MINUTES": 30, "VOICE_WAIT_MINUTES": 30,
    "SMS_LINK_BASE_URL": "https://siheyuan.example.cn",
}


@pytest.fixture
def sms_on(app, fake_aliyun, monkeypatch):
    """SMS configured (as from the environment) against the fake provider; returns the fake."""
    for name, value in {**SMS_SETTINGS, "SMS_ENDPOINT": fake_aliyun.endpoint, "VOICE_ENDPOINT": fake_aliyun.endpoint}.items():
        monkeypatch.setitem(app.config, name, value)
    from app.sms import config

    config._checked.clear()
    yield fake_aliyun
    config._checked.clear()


@pytest.fixture
def run_worker(push_service):  # noqa: F811 — the fixture imported above
    """Run `flask push work --once` as its command does: Web Push to the local service, SMS to the fake."""

    def run():
        channel = WebPushChannel(vapid.load(current_app.instance_path), "mailto:ops@siheyuan.example", pool_size=4)
        others = [o for make in worker.OUTBOXES if (o := make(current_app.config)) is not None]
        try:
            return worker.run(db.session, channel, once=True, batch_size=50, others=others), others
        finally:
            channel.close()
            for other in others:
                other.close()

    return run
