"""The schema is made by migrations alone, and they match the models."""
import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app.extensions import db, for_this_database


def test_migrations_build_exactly_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"render_as_batch": True,
                                                         "include_object": for_this_database(conn.dialect.name)})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_database_is_at_a_single_head(app):
    with db.engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    assert len(heads) == 1


def test_downgrade_to_empty_and_upgrade_again(app):
    """Every migration can be undone and redone (on SQLite and on PostgreSQL)."""
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(revision="heads")
    assert "household" in inspect(db.engine).get_table_names()


def test_runs_on_the_configured_database(app):
    dialect = db.engine.dialect.name
    assert dialect == ("postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite")
