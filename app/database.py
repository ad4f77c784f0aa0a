"""Database engine settings that SQLAlchemy does not make for us, and statements for many rows at once (the sync push).

The data layer's shared devices live here and in each feature's queries.py (statements built once,
light rows); routes and permission rules never handle them.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Collection, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Select,
    String,
    Table,
    any_,
    bindparam,
    event,
    exc,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.engine import Dialect, Engine, Result
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import InternalTraversal

# Whether transactions begun in this context take SQLite's write lock at BEGIN.
_immediate: ContextVar[bool] = ContextVar("sqlite_immediate", default=False)
# Whether this context is answering a GET (or HEAD) request, whose database work only reads.
_reading: ContextVar[bool] = ContextVar("get_request_reading", default=False)


def immediate_transactions() -> None:
    """Make every later transaction in this context one that writes (workers, and a GET that must log).

    On SQLite it begins with BEGIN IMMEDIATE; in a GET, the transactions begun after it may write
    (refuse_writes_in_get) and, on PostgreSQL, leave the read-only autocommit of configure_postgresql.
    A GET ends the transaction it is in (rollback) before writing: that one began as a reader.
    """
    _immediate.set(True)
    _reading.set(False)


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
    write, refuse_writes_in_get) and for workers that ask for it; a plain BEGIN elsewhere, so
    readers never queue behind writers under WAL.
    """
    refuse_writes_in_get(app, engine)

    class Compiler(engine.dialect.statement_compiler):
        def get_from_hint_text(self, table, text):
            # `select.with_hint(Model, "INDEXED BY ix_…", "sqlite")` written after the table: SQLite's own way to
            # name an index its planner, which keeps no statistics here, would not choose (SQLAlchemy drops it).
            return text

    engine.dialect.statement_compiler = Compiler

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

    @app.teardown_request
    def _unmark_writes(_exc):
        # What runs after the request in this context (a test, a CLI command) reads without the
        # write lock again; a BEGIN IMMEDIATE left behind would lock out every other writer.
        _immediate.set(False)


def request_only_reads() -> bool:
    """True inside a GET or HEAD request: its handler only reads (refuse_writes_in_get)."""
    return has_request_context() and request.method in ("GET", "HEAD")


class WriteInGetError(RuntimeError):
    """A GET (or HEAD) request tried to change the database: GET handlers only read."""


# What a statement written as text (text(), exec_driver_sql) in a transaction begun in a GET may
# start with: a read, or SQLite's own BEGIN (configure_sqlite). Anything else is taken for a write.
_READS = frozenset({"SELECT", "BEGIN"})


def _writes(statement: str, context) -> bool:
    """Whether `statement` may change the database.

    A statement SQLAlchemy compiled says what it is (INSERT, UPDATE, DELETE, DDL; a SELECT with a
    CTE starts with WITH); one written as text is judged by its first word, reads allowed by name.
    """
    if context is not None and context.compiled is not None and not context.is_text:
        return bool(context.isinsert or context.isupdate or context.isdelete or context.isddl)
    words = statement.lstrip()[:8].split(None, 1)
    return not words or words[0].upper() not in _READS


def refuse_writes_in_get(app: Flask, engine: Engine) -> None:
    """A transaction begun while a GET (or HEAD) request is answered only reads, on every database.

    GET handlers never write: SQLite's plain BEGIN (configure_sqlite) and PostgreSQL's autocommit
    (configure_postgresql) rely on it, and a link preview or a prefetch must change nothing. A
    statement that could write (INSERT, UPDATE, DELETE, a flush that has something to write, DDL,
    anything but a SELECT) raises WriteInGetError before it reaches the database, so the default
    SQLite test run catches such a handler. The escape hatch is explicit: immediate_transactions(),
    then a rollback; the transactions begun after it may write (a refused login-card scan is logged).
    """

    @app.before_request
    def _mark_reads():
        _reading.set(request_only_reads())

    @app.teardown_request
    def _unmark_reads(_exc):
        _reading.set(False)  # what runs after the request in this context (a test, a CLI command) may write

    @event.listens_for(engine, "begin")
    def _note_reading(connection):
        connection.info["reading"] = _reading.get()

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse(connection, cursor, statement, parameters, context, executemany):
        if connection.info.get("reading") and _writes(statement, context):
            raise WriteInGetError(f"a GET request tried to write: {statement[:60]}")

    @event.listens_for(engine, "checkin")
    def _forget_reading(_dbapi_connection, record):
        record.info.pop("reading", None)  # whoever takes the connection next begins afresh


def configure_postgresql(app: Flask, engine: Engine) -> None:
    """Reads without a transaction round trip, and psycopg's prepared statements kept.

    A GET request reads with the connection in autocommit: no BEGIN before its first statement and
    no ROLLBACK after its last, two of the eight or nine round trips of a page. Reading is the same
    under PostgreSQL's READ COMMITTED, where each statement has its own snapshot anyway; a GET that
    tries to write raises WriteInGetError instead of writing unguarded (refuse_writes_in_get).

    Elsewhere a transaction that ran only SELECTs ends with COMMIT, not ROLLBACK: psycopg prepares a
    statement on the server from its fifth execution on a connection and forgets every prepared
    statement at each ROLLBACK (a rolled-back transaction may have dropped what they refer to), and
    every request ended with one, so each statement of each page was parsed and planned again (~1 ms
    for the queue's first tier). Anything that wrote, failed or used a savepoint is rolled back as before.
    """
    from psycopg.pq import TransactionStatus

    refuse_writes_in_get(app, engine)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.info["wrote"] = False
        dbapi_connection = connection.connection.dbapi_connection
        if _reading.get() and dbapi_connection.info.transaction_status == TransactionStatus.IDLE:
            dbapi_connection.autocommit = True

    @event.listens_for(engine, "before_cursor_execute")
    def _on_statement(connection, cursor, statement, parameters, context, executemany):
        if not statement.startswith("SELECT "):
            connection.info["wrote"] = True

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection):
        if connection.invalidated or connection.info.get("wrote", True):
            return  # a dropped connection has nothing to end; one that wrote is rolled back
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:
            dbapi_connection.commit()

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, _record):
        # Back to transactions for whoever takes the connection next (a worker, a POST).
        if dbapi_connection is None:  # invalidated (dropped): the pool connects afresh next time
            return
        if not dbapi_connection.closed and dbapi_connection.info.transaction_status == TransactionStatus.IDLE:
            dbapi_connection.autocommit = False

    ping_when_idle(engine, app.config["DATABASE_PING_AFTER_IDLE"])


def ping_when_idle(engine: Engine, after_seconds: float) -> None:
    """Test a pooled connection before use when it has been idle `after_seconds` or more.

    In place of SQLAlchemy's pool_pre_ping, which pings before every checkout: a round trip per
    request (~0.25 ms of CPU in the worker and the server, a page's own statements cost about as
    much each). A connection back in the pool moments ago was working moments ago; one idle longer
    (the database restarted meanwhile, a firewall dropped it) is pinged and, if dead, replaced
    before the request sees it. The price: a restart within that window fails one request per
    worker, after which SQLAlchemy renews the whole pool.
    """

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_connection, record):
        record.info["checked_in_at"] = time.monotonic()  # a new connection needs no ping either

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        if time.monotonic() - record.info.get("checked_in_at", float("-inf")) < after_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError("the pooled connection was dropped while idle") from error  # the pool reconnects
            raise


@dataclass(frozen=True)
class _InsertPlan:
    """How insert_many writes rows of some columns of a table on one dialect."""

    processors: list[tuple[int, Any]]  # (column position, bind processor)
    sql: str  # the statement
    order: list[int] | None = None  # executemany: column positions in the parameters' order; None: one array per column


_INSERT_PLANS: dict[tuple, _InsertPlan] = {}


def _insert_plan(table: Table, columns: tuple[str, ...], as_is: frozenset[str], dialect: Dialect) -> _InsertPlan:
    key = (table, columns, as_is, dialect)
    plan = _INSERT_PLANS.get(key)
    if plan is None:
        # As for an executemany: no RETURNING of the new primary keys (the row of one INSERT gets one).
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns), for_executemany=True)
        if compiled.insert_prefetch:  # a Python-side default we would silently skip: give every such column
            missing = ", ".join(c.key for c in compiled.insert_prefetch)
            raise ValueError(f"insert_many into {table.name} needs values for {missing}")
        processors = [(i, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
                      for i, name in enumerate(columns) if name not in as_is]
        processors = [(i, process) for i, process in processors if process is not None]
        if compiled.positional:  # SQLite: executemany steps one prepared statement in C
            plan = _InsertPlan(processors, compiled.string, [columns.index(name) for name in compiled.positiontup])
        elif dialect.name == "postgresql":
            # One array per column, unnested into rows: psycopg's executemany costs several µs of
            # Python per row (its pipeline), and a VALUES row per row gives it thousands of
            # placeholders to parse (statements that long are not cached). The arrays go in
            # binary (%(name)b): in text each element is quoted and escaped by a regex, ~10× the
            # cost. Their own bind processors never run (exec_driver_sql): values are converted below.
            arrays = [bindparam(name, type_=ARRAY(table.c[name].type)) for name in columns]
            rows = select(literal_column("*")).select_from(func.unnest(*arrays))
            sql = insert(table).from_select(list(columns), rows).compile(dialect=dialect).string
            plan = _InsertPlan(processors, re.sub(r"%\((\w+)\)s::", r"%(\1)b::", sql))
        else:
            raise ValueError(f"insert_many does not know {dialect.name}")
        _INSERT_PLANS[key] = plan
    return plan


def insert_many(session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                as_is: Collection[str] = ()) -> None:
    """INSERT `rows` (value tuples in `columns` order) into `table` in one statement (PostgreSQL) or one executemany.

    What Core's `session.execute(insert(table), [dict, …])` does, without its per-row work: the
    statement is compiled once per process, and each value goes through its column type's bind
    processor (UTCDateTime, enums, dates…) once per distinct value in the call, not once per row
    (a sync batch's rows share their times, kinds and owner), so values equal in Python are stored
    alike. Columns named in `as_is` take values the driver stores as they are, e.g. JSON already
    serialised. Every column with a Python-side default must be given. The sync push's hot path
    (bench/sync.py).
    """
    connection = session.connection()
    columns = tuple(columns)
    plan = _insert_plan(table, columns, frozenset(as_is), connection.dialect)
    rows = list(rows)
    if not rows:
        return
    values = list(zip(*rows, strict=True))  # column by column
    for i, process in plan.processors:
        column = values[i]
        try:
            converted = {value: process(value) for value in set(column)}
        except TypeError:  # unhashable (a dict for a JSON column)
            values[i] = [process(value) for value in column]
        else:
            values[i] = list(map(converted.__getitem__, column))
    if plan.order is None:
        connection.exec_driver_sql(plan.sql, dict(zip(columns, map(list, values), strict=True)))
    else:
        connection.exec_driver_sql(plan.sql, list(zip(*[values[i] for i in plan.order], strict=True)))


def plain_rows(session: Session, statement: Any, params: dict | None = None) -> Result:
    """Run a SELECT of columns (no entities) on the session's connection, as plain rows.

    The ORM's execution and result handling, which such rows do not need, cost about a third of a
    small query, and every page runs several.
    """
    return session.connection().execute(statement, params)


def lock_row(session: Session, instance: Any) -> None:
    """Make this transaction's later writes for `instance` wait for any other's (a row lock, until commit).

    For writes that first look for a row and then insert or replace it (a vote, a poll answer, a
    new card): two requests at once would otherwise both find nothing and both insert. On
    PostgreSQL it is SELECT … FOR UPDATE of the instance's row; SQLite has one writer anyway.
    """
    model = type(instance)
    (key,) = model.__mapper__.primary_key
    session.execute(select(key).where(key == getattr(instance, key.key)).with_for_update())


def among(session: Session, column: ColumnElement, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN values`, the whole list bound as one parameter: the one IN-list helper of the app.

    `in_()` renders one placeholder per value at every execution, several µs each, and PostgreSQL
    parses a statement whose text changes with their number afresh; a sync batch looks up 200 ids
    at a time. PostgreSQL takes an array (`= ANY`), SQLite a JSON array (json_each). The condition
    fits any statement (SELECT, UPDATE, DELETE), whose text is then the same whatever the count.
    """
    values = list(values)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    if dialect == "sqlite":
        return column.in_(select(literal_column("value")).select_from(
            func.json_each(bindparam(None, json.dumps(values), type_=String))))
    return column.in_(values)


class json_rows(ColumnElement):
    """A scalar subquery: the rows of `query` as one JSON array of arrays (`[]` when none).

    For a short list a page needs beside its own row (the desk's colleagues), read in the page's
    statement instead of one of its own. PostgreSQL hands back the list (json), SQLite the text:
    read it with rows_of(). The order of the rows is not kept.
    """

    inherit_cache = True
    _traverse_internals = (("query", InternalTraversal.dp_clauseelement),)  # the query is part of its cache key
    type = String()

    def __init__(self, query: Select):
        self.query = query.correlate(None).subquery()

    @property
    def _from_objects(self):
        return []


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element, compiler, **kw):
    rows = select(func.coalesce(func.json_agg(func.json_build_array(*element.query.c)), literal_column("'[]'::json")))
    return compiler.process(rows.select_from(element.query).scalar_subquery(), **kw)


@compiles(json_rows)
def _json_rows_sqlite(element, compiler, **kw):
    rows = select(func.json_group_array(func.json_array(*element.query.c))).select_from(element.query)
    return compiler.process(rows.scalar_subquery(), **kw)


class kept_as_filter(ColumnElement):
    """`condition`, left by PostgreSQL's planner as a test of each row it walks rather than made a join.

    For an ordered walk with a LIMIT through rows of many buildings (the queue's tiers: problems in
    deadline order, in the asker's buildings), PostgreSQL turns `building_id IN (SELECT …)` into a
    semi join that looks each row's building up in turn: two index lookups a row, 1.3 ms for the 524
    rows a street's first tier walks among ten streets. An IN inside an OR it cannot make a join, so
    it reads the buildings once into a hash and tests each row against it, still in the index's
    order: 0.6 ms. `(… OR false)` is that OR. Other databases get the condition as it is.
    """

    inherit_cache = True
    _traverse_internals = (("condition", InternalTraversal.dp_clauseelement),)
    type = Boolean()

    def __init__(self, condition: ColumnElement[bool]):
        self.condition = condition

    @property
    def _from_objects(self):
        return self.condition._from_objects


@compiles(kept_as_filter, "postgresql")
def _kept_as_filter_postgresql(element, compiler, **kw):
    return f"({compiler.process(element.condition, **kw)} OR false)"


@compiles(kept_as_filter)
def _kept_as_filter(element, compiler, **kw):
    return compiler.process(element.condition, **kw)


def rows_of(value: str | list | None) -> list[list]:
    """The rows a json_rows() column read."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def json_datetime(value: str | None) -> datetime | None:
    """A UTC column's value as a json_rows() row holds it (naive UTC as ISO text), aware as UTCDateTime reads it."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value is not None else None
