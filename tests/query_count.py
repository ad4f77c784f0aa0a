"""Counting the SQL statements a page sends: the guard that no page issues a query per row."""
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db
from app.problems import desk, fragments


@contextmanager
def _listening(keep):
    """Call `keep` with every statement sent to the database inside the block (before_cursor_execute's arguments)."""
    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)


@contextmanager
def sent():
    """Every SQL statement sent to the database inside the block, as (text, parameters): to EXPLAIN it again."""
    seen = []
    with _listening(lambda _conn, _cursor, statement, parameters, *_rest: seen.append((statement, parameters))):
        yield seen


@contextmanager
def counted():
    """Every SQL statement sent to the database inside the block, as its text."""
    seen = []
    with _listening(lambda _conn, _cursor, statement, *_rest: seen.append(statement)):
        yield seen


def statements_for(client, url: str) -> tuple[list[str], list[str]]:
    """The statements of the page rendered afresh, and again with its kept pieces (app/problems/fragments.py, desk.py)."""
    client.get(url)  # warm: first-request work (catalogs, templates) is not per page
    fragments.pieces.clear()
    desk.forget()
    with counted() as fresh:
        assert client.get(url).status_code == 200
    with counted() as kept:
        assert client.get(url).status_code == 200
    return fresh, kept


def queries_for(client, url: str) -> tuple[int, int]:
    """How many statements the page sends rendered afresh, and again with its kept pieces."""
    fresh, kept = statements_for(client, url)
    return len(fresh), len(kept)
