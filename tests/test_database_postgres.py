"""PostgreSQL sessions end a transaction that only read with COMMIT (app.database.configure_postgresql),
so psycopg keeps its prepared statements; anything that wrote is still rolled back."""
import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import Street

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
