"""Settings (issue 15, item 15): one table in app/config.py, read from the environment at create_app, checked there."""
import logging
import os
import re
import subprocess
import sys

import pytest

from app import PROJECT_ROOT, create_app
from app.config import SETTING_NAMES, SETTINGS, Config, SettingError, settings_table
from app.extensions import db

# Names in README.md that are not the app's settings: the test runner's and the benchmarks' own.
NOT_APP_SETTINGS = {
    "TEST_DATABASE_URL": "the database the test suite may wipe (tests/conftest.py)",
    "BENCH_DATABASE_URL": "the database the benchmarks may wipe (bench/_common.py)",
    "TEST_WORKERS": "how many pytest-xdist workers each pass of make test runs on (scripts/run-tests.sh)",
}
READS_A_VARIABLE = re.compile(r"os\.environ(\.get\(|\[)|os\.getenv\(")
NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


@pytest.fixture
def environment(tmp_path, monkeypatch):
    """No setting from this machine's environment; a fresh instance folder; returns monkeypatch to set some."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SIHEYUAN_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")  # the limiter is shared: see tests/conftest.py
    return monkeypatch


def build():
    """An app from the production Config and the environment as it is now."""
    application = create_app(Config)
    with application.app_context():
        db.engine.dispose()
    return application


@pytest.mark.parametrize(("given", "on"), [(None, False), ("0", False), ("false", False),
                                           ("1", True), ("true", True), ("TRUE", True)])
def test_push_allow_local_http_is_read_from_the_environment(environment, given, on):
    """PUSH_ALLOW_LOCAL_HTTP=1 lets a local push service be used outside the tests (it used to be ignored)."""
    from app.push.config import allow_local_http

    if given is not None:
        environment.setenv("PUSH_ALLOW_LOCAL_HTTP", given)
    application = build()
    with application.app_context():
        assert allow_local_http() is on


SAMPLES = {
    "SECRET_KEY": ("from-the-operator", "from-the-operator"),
    "DATABASE_URL": ("sqlite:////tmp/elsewhere.db", "sqlite:////tmp/elsewhere.db"),
    "SESSION_COOKIE_SECURE": ("1", True),
    "TRUSTED_PROXIES": ("2", 2),
    "DATABASE_PING_AFTER_IDLE": ("0.5", 0.5),
    "RATELIMIT_STORAGE_URI": ("memory://", "memory://"),
    "LOGIN_RATE_LIMIT": ("3 per minute", "3 per minute"),
    "LOGIN_ACCOUNT_RATE_LIMIT": ("8 per 5 minutes", "8 per 5 minutes"),
    "LOGIN_ADDRESS_RATE_LIMIT": ("50 per 5 minutes", "50 per 5 minutes"),
    "UPLOAD_RATE_LIMIT": ("12 per minute", "12 per minute"),
    "PUSH_VAPID_SUBJECT": ("mailto:ops@siheyuan.example.cn", "mailto:ops@siheyuan.example.cn"),
    "PUSH_ALLOW_LOCAL_HTTP": ("true", True),
    "SMS_PROVIDER": ("Aliyun", "aliyun"),
    "SMS_ACCESS_KEY_ID": ("LTAI5tExample", "LTAI5tExample"),
    "SMS_ACCESS_KEY_SECRET": ("secret-example", "secret-example"),
    "SMS_SIGN_NAME": ("掌上四合院", "掌上四合院"),
    "SMS_TEMPLATE_NOTICE": ("SMS_123456789", "SMS_123456789"),
    "SMS_TEMPLATE_EVENT": ("SMS_223456789", "SMS_223456789"),
    "VOICE_TEMPLATE_NOTICE": ("TTS_123456789", "TTS_123456789"),
    "VOICE_SHOW_NUMBER": ("01012345678", "01012345678"),
    "SMS_ENDPOINT": ("dysmsapi.example.cn", "dysmsapi.example.cn"),
    "VOICE_ENDPOINT": ("dyvmsapi.example.cn", "dyvmsapi.example.cn"),
    "SMS_ALLOW_LOCAL_HTTP": ("1", True),
    "SMS_RATE_PER_SECOND": ("20", 20),
    "SMS_PRICE_FEN": ("4", 4),
    "VOICE_PRICE_FEN": ("12", 12),
    "SMS_MONTHLY_BUDGET_YUAN": ("300", 300),
    "SMS_WAIT_MINUTES": ("10", 10),
    "VOICE_WAIT_MINUTES": ("20", 20),
    "SMS_LINK_BASE_URL": ("https://s.example.cn", "https://s.example.cn"),
    "LOGINCARD_BASE_URL": ("https://siheyuan.example.cn", "https://siheyuan.example.cn"),
    "LOGINCARD_REMEMBER_DAYS": ("30", 30),
    "LOGINCARD_RATE_LIMIT": ("7/hour", "7/hour"),
    "JOINING_BASE_URL": ("https://join.example.cn", "https://join.example.cn"),
    "JOIN_RATE_LIMIT": ("5 per hour", "5 per hour"),
    "JOIN_BUILDING_RATE_LIMIT": ("6 per hour", "6 per hour"),
    "PASSWORD_FORGOT_RATE_LIMIT": ("4 per hour", "4 per hour"),
    "PASSWORD_CODE_RATE_LIMIT": ("3 per 15 minutes", "3 per 15 minutes"),
}


def test_every_setting_is_read_from_the_environment_into_the_config(environment, tmp_path):
    """Each setting of the table, set in the environment, is what the app's config holds."""
    assert set(SAMPLES) | {"SIHEYUAN_INSTANCE"} == SETTING_NAMES  # a new setting needs a sample here
    for name, (text, _) in SAMPLES.items():
        environment.setenv(name, text)
    application = build()
    for name, (_, value) in SAMPLES.items():
        assert application.config[name] == value, name
    assert application.instance_path == str(tmp_path / "instance")
    assert application.config["REMEMBER_COOKIE_SECURE"] is True  # follows SESSION_COOKIE_SECURE


def test_defaults_when_nothing_is_set(environment):
    """Unset (or empty) settings take the table's defaults; the join poster falls back to the card's address."""
    environment.setenv("LOGINCARD_BASE_URL", "https://siheyuan.example.cn")
    environment.setenv("JOIN_RATE_LIMIT", "")
    application = build()
    assert application.config["JOINING_BASE_URL"] == "https://siheyuan.example.cn"
    assert application.config["JOIN_RATE_LIMIT"] == "20 per hour"
    assert application.config["LOGINCARD_REMEMBER_DAYS"] == 180
    assert application.config["PUSH_VAPID_SUBJECT"] == "mailto:push@siheyuan.invalid"
    assert application.config["PUSH_ALLOW_LOCAL_HTTP"] is False
    assert application.config["TRUSTED_PROXIES"] == 0


@pytest.mark.parametrize(("name", "value"), [
    ("TRUSTED_PROXIES", "abc"), ("TRUSTED_PROXIES", "-1"), ("LOGIN_RATE_LIMIT", "often"),
    ("SESSION_COOKIE_SECURE", "yes"), ("PUSH_ALLOW_LOCAL_HTTP", "on"), ("LOGINCARD_REMEMBER_DAYS", "0"),
    ("LOGINCARD_BASE_URL", "siheyuan.example.cn"), ("DATABASE_PING_AFTER_IDLE", "soon"),
    ("PUSH_VAPID_SUBJECT", "push@siheyuan.example.cn"), ("JOIN_BUILDING_RATE_LIMIT", "60 an hour"),
    ("RATELIMIT_STORAGE_URI", "redis"), ("DATABASE_URL", "not a url"),
])
def test_a_malformed_value_stops_create_app_naming_the_setting(environment, name, value):
    """The operator learns at start which setting is wrong, not at the first sign-in or the first push."""
    environment.setenv(name, value)
    with pytest.raises(SettingError, match=name):
        create_app(Config)


def test_several_malformed_values_are_all_named_and_a_database_url_is_not_repeated(environment):
    """One start tells of every bad value; a database URL (it may hold a password) is named, not echoed."""
    environment.setenv("TRUSTED_PROXIES", "abc")
    environment.setenv("LOGIN_RATE_LIMIT", "often")
    environment.setenv("DATABASE_URL", "postgresql://siheyuan:hunter2@db:port/x")
    with pytest.raises(SettingError) as raised:
        create_app(Config)
    message = str(raised.value)
    assert "TRUSTED_PROXIES='abc'" in message and "LOGIN_RATE_LIMIT='often'" in message
    assert "DATABASE_URL" in message and "hunter2" not in message


def test_the_command_line_refuses_to_start_with_a_malformed_setting(tmp_path):
    """`flask --app wsgi …` with TRUSTED_PROXIES=abc exits with an error that names it."""
    environ = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    environ.update(SIHEYUAN_INSTANCE=str(tmp_path / "instance"), TRUSTED_PROXIES="abc")
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "settings"], cwd=PROJECT_ROOT,
                            env=environ, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert "TRUSTED_PROXIES='abc': expected a whole number" in result.stderr


def test_a_misspelt_setting_is_reported_at_start(environment, caplog):
    """TRUSTED_PROXY=1 would otherwise be silently ignored."""
    environment.setenv("TRUSTED_PROXY", "1")
    with caplog.at_level(logging.WARNING):
        build()
    assert "TRUSTED_PROXY is set in the environment but is no setting: did you mean TRUSTED_PROXIES?" in caplog.text


def test_deploying_md_shows_the_settings_table_as_generated():
    """docs/deploying.md's table is `flask --app wsgi settings`, character for character."""
    assert settings_table() in (PROJECT_ROOT / "docs" / "deploying.md").read_text()


def test_every_setting_the_readme_and_deploying_md_name_is_in_the_table_and_back():
    """No documented setting the app ignores, no setting the operator's documents leave out."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    deploying = (PROJECT_ROOT / "docs" / "deploying.md").read_text()
    named = set(NAME.findall(readme)) | set(NAME.findall(deploying))
    assert named - set(NOT_APP_SETTINGS) <= SETTING_NAMES, sorted(named - set(NOT_APP_SETTINGS) - SETTING_NAMES)
    assert set(NAME.findall(deploying)) >= SETTING_NAMES
    assert [s.name for s in SETTINGS] == sorted(SETTING_NAMES, key=[s.name for s in SETTINGS].index)  # no duplicates
    assert len(SETTINGS) == len(SETTING_NAMES)


def test_no_feature_reads_the_environment_itself():
    """app/config.py is the one place: the features read current_app.config."""
    readers = []
    for path in (PROJECT_ROOT / "app").rglob("*.py"):
        if path.parent.name == "app" and path.name in ("config.py", "__init__.py"):
            continue  # the table, and create_app handing it os.environ
        if READS_A_VARIABLE.search(path.read_text()):  # (handing the environment on to a subprocess is no reading)
            readers.append(str(path.relative_to(PROJECT_ROOT)))
    assert readers == []
