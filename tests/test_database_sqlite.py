"""SQLite's write lock: taken at BEGIN by requests that write, and never left to whatever runs after them;
GET requests only read, as on PostgreSQL."""
import sqlite3

import pytest
from flask import request
from flask.testing import FlaskClient
from sqlalchemy import select, text

from app import create_app
from app.config import TestingConfig
from app.database import WriteInGetError
from app.extensions import db
from app.models import Street
from tests.database_probe import NAME, WRITES, probe_app, streets_named


def test_a_write_request_leaves_no_write_lock_to_what_runs_after_it_in_its_context(tmp_path):
    """A POST's BEGIN IMMEDIATE belongs to that request: later reads in the same context (a
    worker's loop, a test) begin without the lock, so other writers — the live server of the
    browser tests, another gunicorn worker — are not locked out while they read."""
    path = tmp_path / "lock.db"
    application = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", WTF_CSRF_ENABLED=False)
    application.test_client_class = FlaskClient  # requests in the caller's own context

    @application.post("/_probe/write")
    def write():
        db.session.execute(text("SELECT 1"))
        db.session.commit()
        return request.method

    with application.app_context():
        db.create_all()
        assert application.test_client().post("/_probe/write").status_code == 200
        db.session.execute(select(Street.id)).all()  # a read transaction, still open in this context
        other = sqlite3.connect(path, timeout=0.5, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # "database is locked" if the read above had taken the lock
        other.execute("ROLLBACK")
        other.close()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def probe(database_url, app):
    """An app of its own on the test database, with GET routes that read or try to write (tests/database_probe.py)."""
    probing = probe_app(database_url)
    yield probing
    with probing.app_context():
        db.engine.dispose()


def test_a_get_reads_as_pages_do(probe):
    assert probe.test_client().get("/_probe/read").status_code == 200


@pytest.mark.parametrize("how", sorted(WRITES))
def test_a_get_that_tries_to_write_is_refused_and_writes_nothing(probe, how):
    """On SQLite as on PostgreSQL (app.database.refuse_writes_in_get): `make test` catches such a handler."""
    with probe.app_context():
        db.session.add(Street(name="已有的街道"))
        db.session.commit()
    for method in ("GET", "HEAD"):
        assert probe.test_client().open(f"/_probe/write/{how}", method=method).status_code == 500, (how, method)
    assert streets_named(probe, NAME) == 0 and streets_named(probe, "已有的街道") == 1


def test_the_refusal_names_the_statement(probe):
    with probe.test_request_context("/_probe/write/commit", method="GET"):
        probe.preprocess_request()
        db.session.add(Street(name=NAME))
        with pytest.raises(WriteInGetError, match="INSERT INTO street"):
            db.session.flush()
        db.session.rollback()


def test_a_get_that_says_it_writes_can_log(probe):
    """The escape hatch (immediate_transactions, then a rollback) still writes, with the write lock taken at BEGIN."""
    response = probe.test_client().get("/_probe/log")
    assert response.status_code == 200 and response.get_data(as_text=True) == "logged"
    assert streets_named(probe, "GET 记下的日志") == 1


def test_what_runs_after_a_get_in_its_context_may_write_once_the_gets_transaction_ends(probe):
    """A transaction begun in a GET reads to its end, even past the request (a test sharing its context)."""
    probe.test_client_class = FlaskClient  # requests in the caller's own context, and its session
    with probe.app_context():
        assert probe.test_client().get("/_probe/read").status_code == 200
        db.session.add(Street(name="GET 之后写入"))
        with pytest.raises(WriteInGetError):
            db.session.flush()
        db.session.rollback()  # the GET's transaction ends; the next one begins outside any request
        db.session.add(Street(name="GET 之后写入"))
        db.session.commit()
    assert streets_named(probe, "GET 之后写入") == 1
