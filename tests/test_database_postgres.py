"""PostgreSQL (app.database.configure_postgresql): GET requests read in autocommit and may not write;
elsewhere a transaction that only read ends with COMMIT, so psycopg keeps its prepared statements, and
anything that wrote is still rolled back."""
import pytest
from flask import jsonify
from sqlalchemy import select, text

from app import create_app
from app.config import TestingConfig
from app.extensions import db
from app.models import Street
from tests.database_probe import NAME, WRITES, probe_app, streets_named

pytestmark = pytest.mark.postgres  # psycopg's prepared statements


def prepared_here(connection) -> int:
    """How many statements this connection's server session holds prepared."""
    return connection.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()


def test_reads_ended_by_a_rollback_keep_the_prepared_statements(app):
    with app.app_context(), db.engine.connect() as connection:
        for _ in range(6):  # psycopg prepares a statement from its fifth execution on a connection
            connection.execute(select(Street.id).where(Street.name == "方庄地区")).all()
            connection.rollback()  # as the session does at the end of every request
        assert prepared_here(connection) >= 1


def test_a_transaction_that_wrote_is_rolled_back_all_the_same(app):
    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(select(Street.id)).all()
            connection.execute(Street.__table__.insert().values(name="未提交的街道", created_at=db.func.now(),
                                                                updated_at=db.func.now()))
            connection.rollback()
        with db.engine.connect() as connection:
            assert connection.execute(select(Street.id).where(Street.name == "未提交的街道")).first() is None


def test_a_session_write_flushed_but_not_committed_is_not_kept(app):
    with app.app_context():
        db.session.add(Street(name="只冲刷未提交"))
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(Street.id).where(Street.name == "只冲刷未提交")) is None


def test_a_failed_read_is_rolled_back_and_the_connection_goes_on(app):
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(Exception, match="no_such_table"):
            connection.execute(text("SELECT * FROM no_such_table"))
        connection.rollback()
        assert connection.execute(select(Street.id).limit(1)).all() is not None


@pytest.fixture
def probe(database_url, app):
    """An app of its own on the test database, with routes that look at their connection or try to write."""
    probing = probe_app(database_url)
    yield probing
    with probing.app_context():
        db.engine.dispose()


def test_a_get_reads_without_a_transaction_and_a_post_with_one(probe):
    client = probe.test_client()
    assert client.get("/_probe/connection").get_json() == {"autocommit": True}
    assert client.post("/_probe/connection").get_json() == {"autocommit": False}
    assert client.get("/_probe/connection").get_json() == {"autocommit": True}
    assert client.get("/_probe/read").status_code == 200


@pytest.mark.parametrize("how", sorted(WRITES))
def test_a_get_that_tries_to_write_is_refused_and_writes_nothing(probe, how):
    for method in ("GET", "HEAD"):
        assert probe.test_client().open(f"/_probe/write/{how}", method=method).status_code == 500, (how, method)
    assert streets_named(probe, NAME) == 0


def test_a_get_that_says_it_writes_can_log(probe):
    response = probe.test_client().get("/_probe/log")
    assert response.status_code == 200 and response.get_data(as_text=True) == "logged"
    assert streets_named(probe, "GET 记下的日志") == 1


def test_autocommit_asked_for_outside_a_request_is_kept(app):
    """VACUUM (as an operator or the benchmark runs it) needs the connection's own autocommit."""
    with app.app_context(), db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE street"))


def one_connection_app(database_url, ping_after: float):
    """An app whose pool holds one connection, tested before use once idle `ping_after` seconds."""
    application = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, DATABASE_PING_AFTER_IDLE=ping_after,
                             SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})

    @application.get("/_probe/backend")
    def backend():
        return jsonify(pid=db.session.execute(text("SELECT pg_backend_pid()")).scalar())

    return application


def drop_connection(app, pid: int) -> None:
    """What a database restart does to the pooled connection: its server process ends."""
    with app.app_context(), db.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.commit()


def test_a_connection_dropped_while_idle_is_replaced_before_the_request_sees_it(database_url, app):
    probing = one_connection_app(database_url, ping_after=0)
    first = probing.test_client().get("/_probe/backend").get_json()["pid"]
    drop_connection(app, first)
    response = probing.test_client().get("/_probe/backend")
    assert response.status_code == 200 and response.get_json()["pid"] != first
    with probing.app_context():
        db.engine.dispose()


def test_a_connection_used_moments_ago_is_not_pinged_so_a_drop_costs_one_request(database_url, app):
    """The price of pinging only idle connections: a restart inside the window fails one request; the pool is then renewed."""
    probing = one_connection_app(database_url, ping_after=3600)
    first = probing.test_client().get("/_probe/backend").get_json()["pid"]
    drop_connection(app, first)
    assert probing.test_client().get("/_probe/backend").status_code == 500  # the error page, not a crash
    response = probing.test_client().get("/_probe/backend")
    assert response.status_code == 200 and response.get_json()["pid"] != first
    with probing.app_context():
        db.engine.dispose()
