"""The database part of a backup: SQLite's online backup API, or pg_dump / pg_restore for PostgreSQL."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.engine import Engine

from app.backup import BackupError

FILE_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Tables that hold no one's data: an empty, migrated database has rows in them too.
BOOKKEEPING = frozenset({"alembic_version", "change_counter"})
_LISTED_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )\S+ (\S+) ")
_COPY = re.compile(r'^COPY (?:"?[^".\s]+"?\.)?"?([^"\s(]+)"? \(.*\) FROM stdin;$')


def dump(engine: Engine, target: Path) -> tuple[dict[str, int], str | None]:
    """Copy the database to `target` while the app keeps running; return its rows per table and its revision."""
    if engine.dialect.name == "sqlite":
        return _sqlite_dump(engine, target)
    return _postgresql_dump(engine, target)


def load(engine: Engine, source: Path) -> None:
    """Replace the database's tables with the backup's."""
    engine.dispose()
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(source) as backup, sqlite3.connect(engine.url.database, timeout=30) as live:
            backup.backup(live)  # page by page into the live file, in one transaction: all or nothing
        backup.close()
        live.close()
        return
    result = subprocess.run(  # noqa: S603 — fixed argv, no shell
        [_tool("pg_restore"), "--single-transaction", "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--dbname", _conninfo(engine), str(source)],
        env=_libpq_environment(engine), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed, nothing was restored: {result.stderr.strip()[-2000:]}")
    engine.dispose()


def count_rows(engine: Engine) -> dict[str, int]:
    """Rows per table in the live database (its current schema)."""
    with engine.connect() as connection:
        return _count(connection, inspect(connection).get_table_names())


def count_rows_in_file(kind: str, path: Path) -> dict[str, int]:
    """Rows per table in a backup's database file, read without restoring it."""
    if kind == "sqlite":
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as copy:
                verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
                if verdict != "ok":
                    raise BackupError(f"SQLite finds the copy damaged: {verdict}")
                rows = _sqlite_rows(copy)
            copy.close()
            return rows
        except sqlite3.DatabaseError as error:
            raise BackupError(f"SQLite cannot read it: {error}") from None
    # pg_restore writes the dump as SQL: each table's rows are the lines of its COPY block (COPY's
    # text format escapes newlines in values, so one line is one row).
    rows: dict[str, int] = {}
    with tempfile.TemporaryFile() as errors, subprocess.Popen(  # noqa: S603 — fixed argv, no shell
            [_tool("pg_restore"), "--data-only", "--file", "-", str(path)], stdout=subprocess.PIPE, stderr=errors) as process:
        table = None
        for raw in process.stdout:
            line = raw.rstrip(b"\n")
            if table is not None:
                if line == b"\\.":
                    table = None
                else:
                    rows[table] += 1
            elif line.startswith(b"COPY "):
                match = _COPY.match(line.decode("utf-8", "replace"))
                if match:
                    table = match.group(1)
                    rows[table] = 0
        if process.wait() != 0:
            errors.seek(0)
            raise BackupError(f"pg_restore cannot read it: {errors.read().decode('utf-8', 'replace').strip()[-2000:]}")
    tables = _postgresql_tables_in_dump(path)
    return {name: rows.get(name, 0) for name in tables}


def _postgresql_tables_in_dump(path: Path) -> list[str]:
    result = subprocess.run([_tool("pg_restore"), "--list", str(path)],  # noqa: S603
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read it: {result.stderr.strip()[-2000:]}")
    # A table's line in the list: "215; 1259 16390 TABLE public user postgres"
    return [match.group(1) for line in result.stdout.splitlines() if (match := _LISTED_TABLE.match(line))]


def _count(connection, tables) -> dict[str, int]:
    return {name: connection.execute(select(func.count()).select_from(table(name))).scalar_one() for name in tables}


def _sqlite_rows(connection: sqlite3.Connection) -> dict[str, int]:
    """Rows per table of an SQLite file opened directly (the names come from its own sqlite_master, quoted)."""
    names = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {name: connection.execute('SELECT count(*) FROM "%s"' % name.replace('"', '""')).fetchone()[0]  # noqa: S608, UP031
            for name in names}


def _revision(connection, tables) -> str | None:
    if "alembic_version" not in tables:
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _sqlite_dump(engine: Engine, target: Path) -> tuple[dict[str, int], str | None]:
    # One step (pages=-1): the copy is the database as one read transaction saw it. In WAL mode the
    # app's writers carry on meanwhile; a stepwise copy would start over after each of their commits.
    with sqlite3.connect(engine.url.database, timeout=30) as live, sqlite3.connect(target) as copy:
        live.backup(copy, pages=-1)
    live.close()
    copy.close()
    with sqlite3.connect(target) as copy:
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file (the live one is WAL)
        rows = _sqlite_rows(copy)
        revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] if "alembic_version" in rows else None
    copy.close()
    return rows, revision


def _postgresql_dump(engine: Engine, target: Path) -> tuple[dict[str, int], str | None]:
    # pg_dump reads the snapshot this transaction exports, so the rows counted here are exactly the
    # rows in the dump, whatever the app commits meanwhile.
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = inspect(connection).get_table_names()
            rows = _count(connection, tables)
            revision = _revision(connection, tables)
            result = subprocess.run(  # noqa: S603 — fixed argv, no shell
                [_tool("pg_dump"), "--format=custom", "--snapshot", snapshot, "--file", str(target),
                 "--dbname", _conninfo(engine)],
                env=_libpq_environment(engine), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[-2000:]}")
    return rows, revision


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (PostgreSQL's client tools, e.g. apt install postgresql-client)")
    return found


def _conninfo(engine: Engine) -> str:
    """The database as a libpq connection string, without the password (that goes in PGPASSWORD, not argv)."""
    url = engine.url
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    parts.update({key: value if isinstance(value, str) else value[-1] for key, value in url.query.items()})
    return " ".join(f"{key}='{_libpq_quote(str(value))}'" for key, value in parts.items() if value not in (None, ""))


def _libpq_quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _libpq_environment(engine: Engine) -> dict[str, str]:
    environment = dict(os.environ)
    if engine.url.password:
        environment["PGPASSWORD"] = engine.url.password
    return environment
