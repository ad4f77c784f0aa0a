"""create_app(config): the secret and the database come from the environment or instance/, never from the code."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from app import PROJECT_ROOT, create_app
from app.config import Config
from app.extensions import db


@pytest.fixture
def fresh_instance(tmp_path, monkeypatch):
    """An empty instance/ folder for apps built in this test (the suite's own app keeps its own)."""
    instance = tmp_path / "instance"
    monkeypatch.setenv("SIHEYUAN_INSTANCE", str(instance))
    return instance


def build(**overrides):
    """An app from the production Config, with nothing from this machine's environment unless given."""
    settings = {"SECRET_KEY": None, "DATABASE_URL": None, "SQLALCHEMY_DATABASE_URI": None, **overrides}
    application = create_app(Config, **settings)
    return application


def dispose(application) -> None:
    with application.app_context():
        db.engine.dispose()


def test_without_a_secret_key_one_is_generated_once_into_instance(fresh_instance):
    first, second = build(), build()
    key_file = fresh_instance / "secret_key"
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) >= 48
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # only the service account reads it
    dispose(first)
    dispose(second)


def test_each_instance_gets_its_own_secret(tmp_path, monkeypatch):
    keys = set()
    for name in ("a", "b"):
        monkeypatch.setenv("SIHEYUAN_INSTANCE", str(tmp_path / name))
        application = build()
        keys.add(application.secret_key)
        dispose(application)
    assert len(keys) == 2  # generated, not a constant in the code


def test_a_given_secret_key_is_used_and_nothing_is_written(fresh_instance):
    application = build(SECRET_KEY="from-the-environment")
    assert application.secret_key == "from-the-environment"
    assert not (fresh_instance / "secret_key").exists()
    dispose(application)


def test_default_database_is_sqlite_in_instance_with_wal_and_foreign_keys(fresh_instance):
    application = build()
    assert application.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(fresh_instance / "siheyuan.db")
    assert not (fresh_instance / "siheyuan.db").exists()  # creating an app touches no database
    with application.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
    dispose(application)


@pytest.mark.parametrize("given", ["postgres://siheyuan@db.internal/siheyuan", "postgresql://siheyuan@db.internal/siheyuan"])
def test_database_url_is_postgresql_through_psycopg3(fresh_instance, given):
    application = build(DATABASE_URL=given)
    assert application.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://siheyuan@db.internal/siheyuan"
    with application.app_context():
        assert db.engine.dialect.name == "postgresql" and db.engine.dialect.driver == "psycopg"
    dispose(application)


def run_cli(instance: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run a command in a fresh process, as a person would, with this instance/ and no database or secret set."""
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    environ.update(SIHEYUAN_INSTANCE=str(instance), **env)
    return subprocess.run([sys.executable, *args], cwd=PROJECT_ROOT, env=environ,
                          capture_output=True, text=True, timeout=120, check=False)


def test_flask_db_upgrade_builds_the_schema_in_an_empty_instance(fresh_instance):
    """`flask --app wsgi db upgrade` on a fresh machine: SQLite in instance/, the secret beside it."""
    result = run_cli(fresh_instance, "-m", "flask", "--app", "wsgi", "db", "upgrade")
    assert result.returncode == 0, result.stderr[-2000:]
    application = build()
    with application.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert {"street", "community", "building", "household", "user", "role_assignment", "department"} <= tables
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        db.session.remove()
    dispose(application)
    assert stat.S_IMODE((fresh_instance / "secret_key").stat().st_mode) == 0o600


def test_secret_key_from_the_environment_reaches_the_app(fresh_instance):
    script = "from wsgi import app; print(app.secret_key)"
    result = run_cli(fresh_instance, "-c", script, SECRET_KEY="set-by-the-operator")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "set-by-the-operator"
    assert not (fresh_instance / "secret_key").exists()


def test_a_secret_made_by_another_process_meanwhile_is_used_not_a_crash(tmp_path, monkeypatch):
    """Several gunicorn workers start on a fresh instance at once: one writes the secret, all use it.

    Here the file appears between this process's look and its write, as when another worker wins.
    """
    from app.config import instance_secret

    theirs = instance_secret(str(tmp_path), "secret_key")
    real_exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda self: False if self.name == "secret_key" else real_exists(self))
    assert instance_secret(str(tmp_path), "secret_key") == theirs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no temporary file left behind


def test_an_empty_secret_file_is_refused_not_used(tmp_path):
    """An empty key would sign every session with nothing; say which file to remove instead."""
    from app.config import instance_secret

    (tmp_path / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="secret_key"):
        instance_secret(str(tmp_path), "secret_key")

