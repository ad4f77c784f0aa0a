"""Rate-limit counters every worker shares: a `limits` storage kept in the app's own database.

Flask-Limiter's `memory://` counts in each gunicorn worker apart, so a limit of 10 let through 10 per
worker. The default, RATELIMIT_STORAGE_URI=database://, keeps the counters in the table rate_limit of
the app's database (on SQLite, of a file of their own beside it: counters_url), which every worker and
every server reads; a
`redis://…` URI uses Redis instead (Flask-Limiter's own storage). One row per key and window: a
fixed window, counted by one atomic INSERT … ON CONFLICT DO UPDATE … RETURNING, on a connection of
its own (its own engine, outside the request's transaction, so a GET may count too and a request's
rollback does not undo a count).
"""
from __future__ import annotations

import itertools
import time
from pathlib import Path

from flask import Flask
from limits.storage import Storage
from sqlalchemy import Engine, Float, Integer, String, case, create_engine, delete, event, exc, make_url, select
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

SCHEME = "database"
_SWEEP_EVERY = 500  # counts between two deletions of expired rows (in each process)


class RateLimitCounter(db.Model):
    """One rate-limit counter: how many hits `key` has had in the window that ends at expires_at."""

    __tablename__ = "rate_limit"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float)  # seconds since the epoch, the limits library's clock


def counters_url(url: str) -> str:
    """Where the counters are kept: the app's database, or on SQLite a file of their own beside it.

    SQLite locks the whole database for a write, and a request that writes holds that lock from its
    first statement (app/database.py): a count taken during such a request (an upload's, after the
    person was read) waited for the request that was waiting for it, until the busy timeout.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return url
    path = Path(parsed.database)
    return parsed.set(database=str(path.with_name(f"{path.stem}-ratelimit{path.suffix}"))).render_as_string(False)


def _engine_for(url: str) -> Engine:
    """An engine of its own for the counters: each statement its own transaction (autocommit)."""
    if url.startswith("sqlite"):
        engine = create_engine(counters_url(url))

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # each statement commits by itself
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.execute("PRAGMA journal_mode=WAL")  # every worker counts in it
            cursor.close()

        RateLimitCounter.__table__.create(engine, checkfirst=True)  # a file of counters, not of records
        return engine
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_size=2, max_overflow=4, pool_pre_ping=True)


class DatabaseStorage(Storage):
    """The `limits` storage behind database:// (the database named by the `database_url` option)."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 — the limits library reads a list

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, database_url: str = "", **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if not database_url:
            raise ValueError("database:// rate limits need the database_url option (app.ratelimit.configure)")
        self.database_url = database_url
        self._engine: Engine | None = None
        self._counts = itertools.count(1)
        self.table = RateLimitCounter.__table__

    @property
    def engine(self) -> Engine:
        """Made on first use: an app that never counts opens no connection."""
        if self._engine is None:
            self._engine = _engine_for(self.database_url)
        return self._engine

    @property
    def base_exceptions(self) -> type[Exception]:
        """What a failing database raises."""
        return exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` hits on `key`, starting a new window of `expiry` seconds if the last one is over."""
        now = time.time()
        table = self.table
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        over = table.c.expires_at <= now
        statement = insert(table).values(key=key, count=amount, expires_at=now + expiry)
        statement = statement.on_conflict_do_update(index_elements=[table.c.key], set_={
            "count": case((over, amount), else_=table.c.count + amount),
            "expires_at": case((over, now + expiry), else_=table.c.expires_at),
        }).returning(table.c.count)
        with self.engine.connect() as connection:
            count = connection.execute(statement).scalar_one()
            if next(self._counts) % _SWEEP_EVERY == 0:
                connection.execute(delete(table).where(table.c.expires_at < now))
        return int(count)

    def get(self, key: str) -> int:
        """Hits on `key` in its current window (0 when none or over)."""
        with self.engine.connect() as connection:
            count = connection.execute(select(self.table.c.count).where(
                self.table.c.key == key, self.table.c.expires_at > time.time())).scalar()
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        """When `key`'s window ends (now when it has none)."""
        with self.engine.connect() as connection:
            expires = connection.execute(select(self.table.c.expires_at).where(self.table.c.key == key)).scalar()
        return float(expires) if expires is not None else time.time()

    def check(self) -> bool:
        """True when the database answers."""
        try:
            with self.engine.connect() as connection:
                connection.execute(select(1))
        except exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter."""
        with self.engine.connect() as connection:
            return connection.execute(delete(self.table)).rowcount

    def clear(self, key: str) -> None:
        """Forget one counter."""
        with self.engine.connect() as connection:
            connection.execute(delete(self.table).where(self.table.c.key == key))


def configure(app: Flask) -> None:
    """Before Flask-Limiter starts: database:// names the app's own database."""
    if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(f"{SCHEME}://"):
        options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        options["database_url"] = app.config["SQLALCHEMY_DATABASE_URI"]
        app.config["RATELIMIT_STORAGE_OPTIONS"] = options
