"""SQLite's write lock: taken at BEGIN by requests that write, and never left to whatever runs after them."""
import sqlite3

from flask import request
from flask.testing import FlaskClient
from sqlalchemy import select, text

from app import create_app
from app.config import TestingConfig
from app.extensions import db
from app.models import Street


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
