"""Shared fixtures: one migrated database per run, a clean slate per test, factories, login."""
from __future__ import annotations

import contextvars
import itertools
import os
import re
import time
from datetime import UTC, datetime

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.exc import IntegrityError, OperationalError

# Flask-Limiter's limiter is one object for every app, and each create_app points it at that app's
# storage. An app a test builds from the production Config (tests/test_factory.py, test_config.py…)
# would otherwise leave it counting in database:// of an unmigrated instance for every test after it.
# Tests of the shared storage itself pass it explicitly (tests/auth/test_shared_limits.py).
os.environ["RATELIMIT_STORAGE_URI"] = "memory://"

from app import clock, create_app
from app.commands import command_reached
from app.config import TestingConfig, normalise_database_url
from app.extensions import db, limiter
from app.i18n_catalogs import compile_catalogs
from app.models import Building, Community, Household, Role, RoleAssignment, Street, User
from app.problems import desk, fragments, queries

PASSWORD = "correct-horse-9"
_counter = itertools.count(1)


def reset_postgres_schema(url: str) -> None:
    """Drop everything in the test database so migrations start from empty."""
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def worker_database(url: str, worker: str | None) -> str:
    """The database of one pytest-xdist worker: `<database>_<worker>` beside TEST_DATABASE_URL's, made
    when missing (workers must not wipe each other's tables); the URL itself without workers."""
    if not worker:
        return url
    base = make_url(normalise_database_url(url))
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def postgres_gate(environ) -> tuple[str, str] | None:
    """What becomes of a test marked `postgres` in this environment: None to run it, else (how, why).

    Without TEST_DATABASE_URL it is skipped with the reason, except when CI is set: there a
    PostgreSQL test that cannot run is a failure, never a skip. scripts/run-tests.sh sets
    POSTGRES_PASS_FOLLOWS on its SQLite pass when the PostgreSQL pass comes next, so the tests
    are left to that pass rather than skipped.
    """
    if environ.get("TEST_DATABASE_URL"):
        return None
    if environ.get("POSTGRES_PASS_FOLLOWS"):
        return ("deselect", "runs in the PostgreSQL pass")
    if environ.get("CI"):
        return ("fail", "needs PostgreSQL, and CI is set: CI must give TEST_DATABASE_URL (tests never skip in CI)")
    return ("skip", "needs PostgreSQL: set TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<database> to run it")


def pytest_collection_modifyitems(config, items):
    """Apply postgres_gate to the tests marked `postgres`."""
    gate = postgres_gate(os.environ)
    if gate is None:
        return
    how, reason = gate
    needing = [item for item in items if item.get_closest_marker("postgres")]
    if how == "deselect":
        config.hook.pytest_deselected(items=needing)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        return
    if how == "skip":
        for item in needing:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_runtest_setup(item):
    """In CI, a test marked `postgres` without PostgreSQL fails before its fixtures are set up."""
    if item.get_closest_marker("postgres"):
        gate = postgres_gate(os.environ)
        if gate is not None and gate[0] == "fail":
            pytest.fail(gate[1], pytrace=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """TEST_DATABASE_URL (PostgreSQL) when set, else a fresh SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = worker_database(url, os.environ.get("PYTEST_XDIST_WORKER"))
        reset_postgres_schema(url)
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own contexts, as they do in production.

    pytest-flask keeps a request context pushed during each test; without this, requests
    would share its `g` (Flask-Login's user, Flask-Babel's locale) and its database session.
    The test's own session ends its transaction around each request, so it neither holds a
    lock the request needs nor reads an old snapshot afterwards.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        # Werkzeug spools big request bodies to a temporary file that nothing closes; close it
        # here, or its ResourceWarning surfaces (as an error) in whichever test runs next.
        request = getattr(response, "request", None)
        stream = request.environ.get("wsgi.input") if request is not None else None
        if stream is not None and hasattr(stream, "close"):
            stream.close()
        if has_app_context():
            db.session.commit()
        return response

    def __enter__(self):
        # pytest-flask opens the client in a with-block, which would preserve each request's
        # context past the request; isolated requests keep nothing, so there is nothing to keep.
        return self

    def __exit__(self, *exc_info):
        return None


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The app under test, with its schema built by the real migrations."""
    compile_catalogs()
    instance = tmp_path_factory.mktemp("instance")
    os.environ["SIHEYUAN_INSTANCE"] = str(instance)
    application = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade(revision="heads")
    yield application
    with application.app_context():
        db.engine.dispose()


def _wipe(app) -> None:
    # A live server thread may still be answering the last request of a browser test (a pull
    # after the final flush, a read receipt): PostgreSQL may report a deadlock against the wipe,
    # or the request writes a row to a table the wipe found empty before it deletes the row's
    # parent (a foreign key violation). The request is done a moment later: try the wipe again.
    for attempt in range(5):
        try:
            _wipe_once(app)
            return
        except (OperationalError, IntegrityError):
            if attempt == 4:
                raise
            time.sleep(0.1 * (attempt + 1))


def _wipe_once(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name != "alembic_version"]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                _empty_used(conn, tables)
            else:
                for table in tables:
                    conn.execute(table.delete())
            conn.execute(text("INSERT INTO change_counter (id, value) VALUES (1, 0)"))


def _empty_used(conn, tables) -> None:
    """Empty the tables a test wrote to and restart the sequences it drew from.

    TRUNCATE costs PostgreSQL new files for every table it names or reaches by CASCADE, used or
    not (about 0.1 s on each of the suite's tests); asking first which tables hold rows costs one
    query, and deleting a test's few rows costs little. A sequence a test drew from whose rows it
    deleted again is restarted all the same."""
    probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
    used = set(conn.execute(text(probe)).scalars())
    for table in tables:  # a table comes before those it refers to
        if table.name in used:
            conn.execute(table.delete())
    drawn = conn.execute(text("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences "
                              "WHERE last_value IS NOT NULL AND schemaname = current_schema()")).scalars().all()
    for sequence in drawn:
        conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


@pytest.fixture(autouse=True)
def clean_database(app):
    """Every test starts from empty tables, an unfrozen clock, fresh rate limits and no kept page pieces.

    The pieces (app/problems/fragments.py), the departments' list (app/problems/queries.py) and the desks
    (app/problems/desk.py) are kept under ids, versions and times, which come round again once the tables are emptied."""
    _wipe(app)
    clock.set_now(None)
    limiter.reset()
    fragments.pieces.clear()
    queries.forget_departments()
    desk.forget()
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.remove()
    ctx.pop()
    clock.set_now(None)


@pytest.fixture
def frozen_clock():
    """Freeze the application clock; call the fixture's .set(datetime) to move it."""

    class Frozen:
        now = datetime(2026, 9, 23, 7, 33, tzinfo=UTC)

        def set(self, moment: datetime) -> None:
            self.now = moment
            clock.set_now(moment)

    frozen = Frozen()
    clock.set_now(frozen.now)
    yield frozen
    clock.set_now(None)


# -- factories -------------------------------------------------------------------------


@pytest.fixture
def make_building():
    """Create a building (with its street and community unless given)."""

    def make(name: str | None = None, community: Community | None = None) -> Building:
        n = next(_counter)
        if community is None:
            street = Street(name=f"街道{n}")
            community = Community(street=street, name=f"社区{n}")
            db.session.add(community)
        building = Building(community=community, name=name or f"{n}号楼")
        db.session.add(building)
        db.session.commit()
        return building

    return make


@pytest.fixture
def make_household(make_building):
    """Create a household in a building (a new building unless given)."""

    def make(building: Building | None = None, room: str | None = None, unit: str = "1门", **flags) -> Household:
        building = building or make_building()
        household = Household(building=building, unit=unit, room=room or f"{next(_counter):04d}", **flags)
        db.session.add(household)
        db.session.commit()
        return household

    return make


@pytest.fixture
def make_user():
    """Create a user holding one role over one scope object (household, building, community…)."""

    def make(role: Role | str = Role.RESIDENT, scope=None, phone: str | None = None, name: str = "测试用户", **fields) -> User:
        role = Role(role)
        user = User(phone=phone or f"139{next(_counter):08d}", name=name, **fields)
        user.set_password(PASSWORD)
        assignment = RoleAssignment(role=role)
        if scope is not None:
            key = {
                "Household": "household",
                "Building": "building",
                "Community": "community",
                "Street": "street",
                "Department": "department",
            }[type(scope).__name__]
            setattr(assignment, key, scope)
        user.roles.append(assignment)
        db.session.add(user)
        db.session.commit()
        return user

    return make


# -- signing in --------------------------------------------------------------------------


def csrf_from(html: str) -> str:
    """The CSRF token embedded in a rendered page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def login(client):
    """Sign a user in through the real login form; returns the CSRF token for later posts."""

    def do_login(user: User, password: str = PASSWORD) -> str:
        page = client.get("/auth/login")
        if page.status_code == 302:  # someone is signed in on this client: sign them out first
            client.delete("/api/v1/session", headers={"X-CSRFToken": client.get("/api/v1/csrf").get_json()["csrf_token"]})
            page = client.get("/auth/login")
        token = csrf_from(page.get_data(as_text=True))
        response = client.post("/auth/login", data={"phone": user.phone, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client.get("/api/v1/csrf").get_json()["csrf_token"]

    return do_login


def table_names(app) -> set[str]:
    """Tables that exist in the test database."""
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


@pytest.fixture
def reached():
    """The names of the commands run, in order, while the test runs (app.commands.command_reached)."""
    names: list[str] = []

    def record(name, **_):
        names.append(name)

    command_reached.connect(record)
    yield names
    command_reached.disconnect(record)
