"""Database engine settings that SQLAlchemy does not make for us."""
from __future__ import annotations

from contextvars import ContextVar

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

# Whether transactions begun in this context take SQLite's write lock at BEGIN.
_immediate: ContextVar[bool] = ContextVar("sqlite_immediate", default=False)


def immediate_transactions() -> None:
    """Make every later SQLite transaction in this context BEGIN IMMEDIATE (for workers that write)."""
    _immediate.set(True)


def reads_first() -> None:
    """Let this context's transactions begin without the write lock until immediate_transactions().

    For a POST that reads a good deal before it writes (the sync push): its reads then never
    queue behind other writers, and it holds the lock only while it writes. It must end its
    read transaction before writing (a deferred transaction that later writes can fail to
    take the lock at once, see configure_sqlite).
    """
    _immediate.set(False)


def configure_sqlite(app: Flask, engine: Engine) -> None:
    """WAL, enforced foreign keys, and write transactions that take the write lock up front.

    With a deferred BEGIN, two writers can both read and then one fails to upgrade its lock
    at once (SQLITE_BUSY, which busy_timeout cannot wait out). So we emit BEGIN ourselves:
    IMMEDIATE for requests that change state (POST, PUT, PATCH, DELETE — GET handlers never
    write) and for workers that ask for it; a plain BEGIN elsewhere, so readers never queue
    behind writers under WAL.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")

    @app.before_request
    def _mark_writes():
        _immediate.set(request.method not in ("GET", "HEAD", "OPTIONS"))
