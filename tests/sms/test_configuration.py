"""Bad configuration is said at start-up (the log) and on the staff page, not discovered at the first send."""
import logging

from app import create_app
from app.config import SETTING_NAMES, Config
from app.extensions import db
from app.models import Role
from app.sms.worker import Pacer


def test_missing_keys_are_logged_when_the_app_starts(tmp_path, monkeypatch, caplog):
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SIHEYUAN_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("SMS_PROVIDER", "aliyun")
    monkeypatch.setenv("SMS_SIGN_NAME", "掌上四合院")
    with caplog.at_level(logging.ERROR, logger="app.sms.config"):
        application = create_app(Config)
    with application.app_context():
        db.engine.dispose()
    logged = " ".join(r.getMessage() for r in caplog.records)
    for name in ("SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_TEMPLATE_NOTICE"):
        assert name in logged
    assert "SMS_SIGN_NAME" not in logged


def test_an_unknown_template_shows_on_the_staff_page_and_nothing_is_sent(client, login, make_building, make_user,
                                                                          sms_on, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_TEMPLATE_NOTICE", "SMS_NEVER_APPROVED")
    staff = make_user(Role.STAFF, make_building().community)
    login(staff)
    html = client.get("/sms/").get_data(as_text=True)
    assert "SMS_NEVER_APPROVED" in html and "isv.SMS_TEMPLATE_ILLEGAL" in html
    assert sms_on.sent == []


def test_a_template_without_the_opt_out_words_is_reported(client, login, make_building, make_user, sms_on):
    sms_on.templates["SMS_NOTICE"] = "通知：${title} ${link}"
    login(make_user(Role.STAFF, make_building().community))
    html = client.get("/sms/").get_data(as_text=True)
    assert "回T退订" in html and "SMS_NOTICE" in html


def test_a_good_configuration_says_so_and_off_says_off(client, login, make_building, make_user, sms_on, app, monkeypatch):
    login(make_user(Role.STAFF, make_building().community))
    on = client.get("/sms/").get_data(as_text=True)
    monkeypatch.setitem(app.config, "SMS_PROVIDER", "")
    off = client.get("/sms/").get_data(as_text=True)
    assert 'data-sms-state="on"' in on and 'data-sms-state="off"' in off


def test_residents_cannot_open_the_sms_page(client, login, make_household, make_user):
    login(make_user(Role.RESIDENT, make_household()))
    assert client.get("/sms/").status_code == 403


def test_the_pacer_keeps_the_providers_rate():
    pacer = Pacer(rate=1000)
    import time

    start = time.monotonic()
    for _ in range(200):
        pacer.wait()
    assert time.monotonic() - start >= 0.19  # 200 starts at 1000 a second take at least 0.2 s (less one interval)
