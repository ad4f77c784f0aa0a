"""Configuration: every setting read from the environment, in one table (SETTINGS); local state lives in instance/.

`settings_from(os.environ)` reads the table when create_app runs (never at import), so a value set
in the environment before the app starts is what the app uses. A malformed value stops the start
with the setting's name and what it expects; a name in the environment that looks like a misspelt
setting is logged. docs/deploying.md's table is `flask --app wsgi settings` (tests/test_config.py
checks they agree, and that the README names no setting the table lacks).
"""
from __future__ import annotations

import contextlib
import difflib
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import click


class SettingError(ValueError):
    """One or more settings in the environment cannot be used; the message names each."""


def _boolean(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true"):
        return True
    if value in ("0", "false"):
        return False
    raise ValueError("expected 0, 1, true or false")


def _count(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError("expected a whole number") from None
    if value < 0:
        raise ValueError("expected 0 or more")
    return value


def _days(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise ValueError("expected 1 or more")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError("expected a number of seconds") from None
    if not value >= 0:  # also refuses nan
        raise ValueError("expected 0 or more seconds")
    return value


def _rate(text: str) -> str:
    from limits import parse_many

    try:
        parse_many(text)
    except ValueError:
        raise ValueError("expected a rate such as '10 per 5 minutes' or '20/hour'") from None
    return text.strip()


def _public_url(text: str) -> str:
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("expected an address such as https://siheyuan.example.cn")
    return text.strip()


def _storage_uri(text: str) -> str:
    if "://" not in text:
        raise ValueError("expected a storage URI such as memory:// or redis://127.0.0.1:6379/0")
    return text.strip()


def _database_url(text: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(text.strip())
    except ArgumentError:
        raise ValueError("expected a database URL such as postgresql://user@host/name") from None
    return text.strip()


def _vapid_subject(text: str) -> str:
    value = text.strip()
    if not (value.startswith("mailto:") and "@" in value) and not _is_https(value):
        raise ValueError("expected mailto:someone@example.cn or an https:// address (RFC 8292)")
    return value


def _is_https(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme == "https" and bool(parts.netloc)


def _text(text: str) -> str:
    return text


def _sms_provider(text: str) -> str:
    value = text.strip().lower()
    if value not in ("aliyun",):
        raise ValueError("expected aliyun (Alibaba Cloud), or leave it unset for no SMS")
    return value


@dataclass(frozen=True)
class Setting:
    """One setting: its environment variable (and config key), how its text is read, its default, its meaning."""

    name: str
    read: Callable[[str], Any]
    default: Any
    meaning: str
    shown_default: str = ""  # the default as docs/deploying.md shows it, when not the value itself
    falls_back_to: str = ""  # another setting whose value is used when this one is not set
    quote: bool = True  # False for values that may hold a password: an error message does not repeat them

    def default_for_docs(self) -> str:
        """The default column of the documentation table."""
        if self.shown_default:
            return self.shown_default
        if self.falls_back_to:
            return f"`{self.falls_back_to}`"
        if isinstance(self.default, bool):
            return "`1`" if self.default else "`0`"
        if self.default in (None, ""):
            return "unset"
        return f"`{self.default:g}`" if isinstance(self.default, float) else f"`{self.default}`"


# Every setting the app reads from the environment, and nothing else does (features read current_app.config).
SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", _text, None, "signs sessions and forms; generated once into `instance/secret_key` (0600) when unset",
            shown_default="generated"),
    Setting("DATABASE_URL", _database_url, None, "the database (`postgresql://…`, through psycopg 3)",
            shown_default="SQLite at `instance/siheyuan.db`", quote=False),
    Setting("SIHEYUAN_INSTANCE", _text, None, "the instance folder (keys, SQLite, uploads)",
            shown_default="`instance/` in the project folder"),
    Setting("SESSION_COOKIE_SECURE", _boolean, False, "cookies only over HTTPS: set it to 1 behind HTTPS"),
    Setting("TRUSTED_PROXIES", _count, 0, "how many reverse proxies in front set `X-Forwarded-For` / `-Proto` / `-Host`"),
    Setting("DATABASE_PING_AFTER_IDLE", _seconds, 2.0, "seconds a pooled PostgreSQL connection may idle before it is tested"),
    Setting("RATELIMIT_STORAGE_URI", _storage_uri, "database://",
            "where rate limits count: `database://` the app's own database (on SQLite a file beside it, "
            "`<name>-ratelimit.db`; shared by every worker, app/ratelimit.py), or `redis://…`; `memory://` counts in "
            "each process apart (tests only)", quote=False),
    Setting("LOGIN_RATE_LIMIT", _rate, "10 per 5 minutes", "wrong sign-ins for one account from one address"),
    Setting("LOGIN_ACCOUNT_RATE_LIMIT", _rate, "20 per 5 minutes", "wrong sign-ins for one account from every address"),
    Setting("LOGIN_ADDRESS_RATE_LIMIT", _rate, "100 per 5 minutes", "wrong sign-ins from one address for every account"),
    Setting("UPLOAD_RATE_LIMIT", _rate, "30 per minute", "photos and voice notes one person may send"),
    Setting("PUSH_VAPID_SUBJECT", _vapid_subject, "mailto:push@siheyuan.invalid",
            "how push services reach you (`mailto:…`): set it for production"),
    Setting("PUSH_ALLOW_LOCAL_HTTP", _boolean, False,
            "1 lets push endpoints be `http://` on this machine's network (a local push service); never in production"),
    Setting("LOGINCARD_BASE_URL", _public_url, "", "the public address in a login card's QR code, behind a proxy that hides it",
            shown_default="the request's own address"),
    Setting("LOGINCARD_REMEMBER_DAYS", _days, 180, "how long a card's sign-in lasts on the phone"),
    Setting("LOGINCARD_RATE_LIMIT", _rate, "20 per 5 minutes", "refused card scans per address"),
    Setting("JOINING_BASE_URL", _public_url, "", "the public address in a building's join poster",
            falls_back_to="LOGINCARD_BASE_URL"),
    Setting("JOIN_RATE_LIMIT", _rate, "20 per hour", "join requests per address (carriers share addresses)"),
    Setting("JOIN_BUILDING_RATE_LIMIT", _rate, "60 per hour", "join requests per building's poster, from anywhere"),
    Setting("PASSWORD_FORGOT_RATE_LIMIT", _rate, "10 per hour", "忘记密码 requests per address"),
    Setting("PASSWORD_CODE_RATE_LIMIT", _rate, "10 per 15 minutes", "refused reset codes per address"),
    Setting("SMS_PROVIDER", _sms_provider, "", "SMS and voice notices: `aliyun` (Alibaba Cloud); unset, none are sent",
            shown_default="unset (off)"),
    Setting("SMS_ACCESS_KEY_ID", _text, "", "the provider's AccessKey ID"),
    Setting("SMS_ACCESS_KEY_SECRET", _text, "", "the provider's AccessKey secret", quote=False),
    Setting("SMS_SIGN_NAME", _text, "", "the approved signature 签名 every SMS is sent under"),
    Setting("SMS_TEMPLATE_NOTICE", _text, "",
            "the approved SMS template for notices (parameters `title`, `link`; its text ends 回T退订)"),
    Setting("SMS_TEMPLATE_EVENT", _text, "",
            "the approved SMS template for problem updates and deadline reminders (parameters `title`, `link`); unset, none"),
    Setting("VOICE_TEMPLATE_NOTICE", _text, "",
            "the approved voice (TTS) template for notices (parameter `title`); unset, no calls"),
    Setting("VOICE_SHOW_NUMBER", _text, "", "the number a voice call shows (the provider's default when unset)"),
    Setting("SMS_ENDPOINT", _text, "dysmsapi.aliyuncs.com", "the SMS API's host"),
    Setting("VOICE_ENDPOINT", _text, "dyvmsapi.aliyuncs.com", "the voice API's host"),
    Setting("SMS_ALLOW_LOCAL_HTTP", _boolean, False,
            "1 talks plain HTTP to the endpoints (a local fake of the API); never in production"),
    Setting("SMS_RATE_PER_SECOND", _days, 50,
            "SMS and calls handed to the provider per second at most (its rate limit)"),
    Setting("SMS_PRICE_FEN", _count, 5, "what one SMS costs, in 分 (for the preview, the budget and the usage page)"),
    Setting("VOICE_PRICE_FEN", _count, 15, "what one voice call costs, in 分"),
    Setting("SMS_MONTHLY_BUDGET_YUAN", _count, 0,
            "each community's monthly budget for SMS and calls, in yuan: a notice that would exceed it is refused; 0 no limit"),
    Setting("SMS_WAIT_MINUTES", _count, 30,
            "minutes a normal notice waits for push before a household gets an SMS (urgent: none)"),
    Setting("VOICE_WAIT_MINUTES", _count, 30,
            "minutes after the SMS before a flagged household still unread is called"),
    Setting("SMS_LINK_BASE_URL", _public_url, "", "the public address the SMS's link to the notice starts with",
            falls_back_to="LOGINCARD_BASE_URL"),
)
SETTING_NAMES = frozenset(setting.name for setting in SETTINGS)


def settings_from(environ: Mapping[str, str]) -> dict[str, Any]:
    """Every setting's value from `environ` (an empty value counts as unset), or SettingError naming each bad one."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for setting in SETTINGS:
        text = environ.get(setting.name, "")
        if not text.strip():
            values[setting.name] = values.get(setting.falls_back_to, setting.default)
            continue
        try:
            values[setting.name] = setting.read(text)
        except ValueError as error:
            given = f"{setting.name}={text!r}" if setting.quote else setting.name
            problems.append(f"{given}: {error} ({setting.meaning}; default {setting.default_for_docs()})")
    if problems:
        raise SettingError("Settings in the environment that cannot be used:\n  " + "\n  ".join(problems))
    return values


def misspelt_settings(environ: Mapping[str, str]) -> list[tuple[str, str]]:
    """(name in the environment, the setting it probably means) for names close to, but not, a setting's."""
    found = []
    for name in environ:
        if name in SETTING_NAMES or not name.isupper():
            continue
        match = difflib.get_close_matches(name, SETTING_NAMES, n=1, cutoff=0.85)
        if match:
            found.append((name, match[0]))
    return sorted(found)


def settings_table() -> str:
    """The settings as the Markdown table in docs/deploying.md."""
    lines = ["| setting | default | what it does |", "|---|---|---|"]
    lines += [f"| `{s.name}` | {s.default_for_docs()} | {s.meaning} |" for s in SETTINGS]
    return "\n".join(lines) + "\n"


def instance_secret(instance_path: str, name: str) -> str:
    """Read a generated secret from instance/<name>, creating it once on first use."""
    path = Path(instance_path) / name
    if not path.exists():
        _create_secret(path)
    secret = path.read_text().strip()
    if not secret:
        raise RuntimeError(f"{path} is empty: delete it and a new secret is generated on the next start")
    return secret


def _create_secret(path: Path) -> None:
    """Write a new secret to `path` unless another process has just done so.

    Several gunicorn workers start at once on a fresh instance: the secret is written whole to a
    temporary file (0600, so only the service account reads it) and linked into place, which is
    atomic and fails if the file exists, so every worker reads the same complete key.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        with contextlib.suppress(FileExistsError):  # another worker's secret is in place: use that one
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for postgres URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Production-safe fixed values; create_app adds SETTINGS (from the environment) beneath them."""

    TESTING = False
    # No pool_pre_ping: on PostgreSQL a connection idle DATABASE_PING_AFTER_IDLE seconds is tested before
    # use instead (app.database.ping_when_idle); SQLite's file needs no test.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    # A form's token lasts a working day: a building head opens a page in the morning and may submit it
    # hours later; an hour lost people what they had typed. (The outbox fetches a fresh token anyway.)
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    RATELIMIT_HEADERS_ENABLED = True
    # Flask-Compress would compress a streamed file chunk by chunk and never close the file;
    # static files are read whole before compression instead (app/pwa/routes.py).
    COMPRESS_STREAMS = False
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    FEEDBACK_HOURS = 12


def apply_settings(config: dict, settings: Mapping[str, Any], config_class: type[Config]) -> None:
    """Put the settings into an app's config beneath what the config class fixes (TestingConfig pins some)."""
    for name, value in settings.items():
        if not hasattr(config_class, name):
            config[name] = value


class TestingConfig(Config):
    """Configuration for the test suite: a throwaway database, no secrets from disk."""

    TESTING = True
    SECRET_KEY = "test-only-" + secrets.token_hex(16)
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
    LOGIN_RATE_LIMIT = "5 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    # Still scrypt, at a cost that lets hundreds of sign-ins run in seconds (production: werkzeug's default).
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105 — a hash method, not a password


@click.command("settings")
def settings_command() -> None:
    """Print every setting read from the environment, its default and meaning (docs/deploying.md's table)."""
    click.echo(settings_table(), nl=False)
