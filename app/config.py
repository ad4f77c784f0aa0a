"""Configuration read from the environment; local state lives in instance/."""
from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import ClassVar


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
    """Production-safe defaults; every value can come from the environment."""

    TESTING = False
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    DATABASE_URL: str | None = os.environ.get("DATABASE_URL")
    # No pool_pre_ping: on PostgreSQL a connection idle this many seconds is tested before use instead
    # (app.database.ping_when_idle); SQLite's file needs no test.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {}
    DATABASE_PING_AFTER_IDLE = float(os.environ.get("DATABASE_PING_AFTER_IDLE", "2"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # A form's token lasts a working day: a building head opens a page in the morning and may submit it
    # hours later; an hour lost people what they had typed. (The outbox fetches a fresh token anyway.)
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    # Where rate limits count: database:// (the app's own database, shared by every worker and server:
    # app/ratelimit.py), or redis://host:6379/0. memory:// counts in each process apart (tests only).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "database://")
    RATELIMIT_HEADERS_ENABLED = True
    # Flask-Compress would compress a streamed file chunk by chunk and never close the file;
    # static files are read whole before compression instead (app/pwa/routes.py).
    COMPRESS_STREAMS = False
    # Failed sign-ins (page and API together, app/auth/limits.py): for one account from one address; for
    # one account from every address (guessing from many); from one address for every account (spraying).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per 5 minutes")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "20 per 5 minutes")
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "100 per 5 minutes")
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host. 0 (the default) trusts
    # no such header; behind one proxy it must be 1, or every sign-in counts against the proxy's address.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    FEEDBACK_HOURS = 12


class TestingConfig(Config):
    """Configuration for the test suite: a throwaway database, no secrets from disk."""

    TESTING = True
    SECRET_KEY = "test-only-" + secrets.token_hex(16)
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
    LOGIN_RATE_LIMIT = "5 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    # Still scrypt, at a cost that lets hundreds of sign-ins run in seconds (production: werkzeug's default).
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105 — a hash method, not a password
