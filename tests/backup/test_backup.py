"""Backups (issue 15, item 16): back up a running instance, check the backup, restore it into an empty one.

Each test runs on the suite's database kind: SQLite (the online backup API) or PostgreSQL (pg_dump);
the restore target is a new instance folder with a new database (on PostgreSQL a scratch database
created here and dropped afterwards).
"""
from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app import create_app
from app.config import TestingConfig, normalise_database_url
from app.extensions import db
from app.models import Street

DEMO_RESIDENT = ("13800000004", "siheyuan2026")  # 李居民, README "Demo logins"


def build(instance: Path, url: str, monkeypatch):
    """An app with its own instance folder (a generated secret key in it) on the database at `url`."""
    monkeypatch.setenv("SIHEYUAN_INSTANCE", str(instance))
    return create_app(TestingConfig, SECRET_KEY=None, SQLALCHEMY_DATABASE_URI=url)


def cli(application, *args: str):
    """Run `flask --app wsgi ARGS` against this app; returns click's result.

    Inside its own app context: the suite's app context is pushed around every test, and a command
    would otherwise run on that app.
    """
    with application.app_context():
        return application.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


@pytest.fixture
def source(database_url, tmp_path, monkeypatch):
    """The instance backed up: the suite's database (emptied before each test) and its own instance folder."""
    application = build(tmp_path / "source", database_url, monkeypatch)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def scratch_postgres(database_url):
    """On PostgreSQL, a second database beside the suite's (`<name>_restore`), created once here and dropped at the end."""
    if database_url.startswith("sqlite"):
        yield None
        return
    url = make_url(normalise_database_url(database_url))
    scratch = f"{url.database}_restore"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{scratch}"'))
    yield url.set(database=scratch).render_as_string(hide_password=False)
    with server.connect() as connection:  # dropping a database waits for a checkpoint: once per module, not per test
        connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture
def empty_url(scratch_postgres, tmp_path):
    """A database with nothing in it: a new SQLite file, or the scratch PostgreSQL database emptied."""
    if scratch_postgres is None:
        return "sqlite:///" + str(tmp_path / "restored" / "siheyuan.db")
    engine = create_engine(scratch_postgres)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return scratch_postgres


@pytest.fixture
def target(empty_url, tmp_path, monkeypatch):
    """The instance restored into: a new instance folder, an empty database."""
    application = build(tmp_path / "restored", empty_url, monkeypatch)
    yield application
    with application.app_context():
        db.engine.dispose()


def photo() -> bytes:
    """A small JPEG, as a phone would send."""
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def sign_in(client) -> str:
    """Sign the demo resident in through the API; returns a CSRF token."""
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    phone, password = DEMO_RESIDENT
    response = client.post("/api/v1/session", json={"phone": phone, "password": password}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return client.get("/api/v1/csrf").get_json()["csrf_token"]


def upload(client, token: str) -> str:
    """PUT a photo as the signed-in person; returns its uuid."""
    key = str(uuid.uuid4())
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(photo()), filename="door.jpg")})
    response = client.put(f"/api/v1/uploads/{key}", input_stream=io.BytesIO(body), headers={"X-CSRFToken": token},
                          content_type=f"multipart/form-data; boundary={boundary}", content_length=len(body))
    assert response.status_code in (200, 201), response.get_data(as_text=True)[:300]
    return key


def fill(application) -> str:
    """The demo street, a resident's uploaded photo and the VAPID keys; returns the photo's uuid."""
    assert cli(application, "demo").exit_code == 0
    assert cli(application, "push", "keys").exit_code == 0
    client = application.test_client()
    return upload(client, sign_in(client))


def every_row(application) -> dict[str, list]:
    """Every table's rows, in a stable order."""
    with application.app_context(), db.engine.connect() as connection:
        metadata = MetaData()
        metadata.reflect(connection)
        return {name: sorted((tuple(row) for row in connection.execute(select(found))), key=repr)
                for name, found in metadata.tables.items()}


def every_file(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_backup_restored_into_an_empty_instance_holds_every_row_and_file(source, target, tmp_path):
    """Back up the demo street and a photo, check it, restore into a new instance: same rows, same files, it works."""
    key = fill(source)
    folder = tmp_path / "backup"

    made = cli(source, "backup", str(folder))
    assert made.exit_code == 0, made.output
    checked = cli(source, "backup", "check", str(folder))
    assert checked.exit_code == 0, checked.output
    assert f"{folder} checks:" in checked.output
    manifest = json.loads((folder / "manifest.json").read_text())
    with source.app_context():
        assert manifest["database"]["kind"] == db.engine.dialect.name
    assert manifest["database"]["rows"]["user"] >= 10 and manifest["database"]["rows"]["attachment"] == 1

    restored = cli(target, "restore", str(folder))
    assert restored.exit_code == 0, restored.output

    before, after = every_row(source), every_row(target)
    assert sum(len(rows) for rows in before.values()) > 500
    assert after == before
    source_instance, target_instance = Path(source.instance_path), Path(target.instance_path)
    assert every_file(target_instance / "uploads") == every_file(source_instance / "uploads") != {}
    for name in ("secret_key", "vapid_private.pem"):
        assert (target_instance / name).read_bytes() == (source_instance / name).read_bytes()

    # The restored instance serves: the resident signs in, sees the photo, and uploads another (new ids follow on).
    client = target.test_client()
    token = sign_in(client)
    original = client.get(f"/uploads/{key}/original")
    stored = next((source_instance / "uploads").rglob("original"))
    served = original.data
    original.close()  # send_file's handle
    assert original.status_code == 200 and served == stored.read_bytes()
    upload(client, token)
    assert len(every_row(target)["attachment"]) == 2


def test_restore_refuses_an_instance_with_data_unless_forced(source, target, tmp_path):
    """A database with data is not overwritten by mistake; --force replaces it and keeps the old uploads aside."""
    with source.app_context():
        db.session.add(Street(name="方庄地区"))
        db.session.commit()
    folder = tmp_path / "backup"
    assert cli(source, "backup", str(folder)).exit_code == 0
    assert cli(target, "restore", str(folder)).exit_code == 0
    with target.app_context():
        db.session.add(Street(name="后来的街道"))
        db.session.commit()

    refused = cli(target, "restore", str(folder))
    assert refused.exit_code == 1
    assert "the instance has data (2 rows in street" in refused.output and "--force" in refused.output
    assert {row[1] for row in every_row(target)["street"]} == {"方庄地区", "后来的街道"}  # nothing changed

    forced = cli(target, "restore", "--force", str(folder))
    assert forced.exit_code == 0, forced.output
    assert [row[1] for row in every_row(target)["street"]] == ["方庄地区"]


def test_a_backup_is_taken_while_the_app_writes(source, tmp_path):
    """An open write transaction neither blocks the backup nor ends up in it; what was committed does."""
    with source.app_context():
        db.session.add(Street(name="已提交"))
        db.session.commit()
        engine = db.engine
    with Session(engine) as writer:
        writer.add(Street(name="未提交"))
        writer.flush()  # the row is written, its transaction still open (on SQLite: the write lock held)
        folder = tmp_path / "backup"
        made = cli(source, "backup", str(folder))
        writer.commit()
    assert made.exit_code == 0, made.output
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["rows"]["street"] == 1
    assert cli(source, "backup", "check", str(folder)).exit_code == 0


def test_check_finds_a_changed_a_missing_and_an_extra_file_and_wrong_counts(source, tmp_path):
    """`backup check` compares every file with its checksum and the database's rows with the manifest."""
    fill(source)
    folder = tmp_path / "backup"
    assert cli(source, "backup", str(folder)).exit_code == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    uploads = sorted(name for name in manifest["files"] if name.startswith("uploads/"))
    changed, missing = uploads[0], uploads[1]
    with (folder / changed).open("ab") as fh:
        fh.write(b"x")
    (folder / missing).unlink()
    (folder / "uploads" / "stray.txt").write_text("?")
    result = cli(source, "backup", "check", str(folder))
    assert result.exit_code == 1
    assert f"{changed}: changed since the backup (checksum differs)" in result.output
    assert f"{missing}: missing" in result.output
    assert "uploads/stray.txt: not in the manifest" in result.output

    second = tmp_path / "second"
    assert cli(source, "backup", str(second)).exit_code == 0
    manifest = json.loads((second / "manifest.json").read_text())
    manifest["database"]["rows"]["user"] += 1
    (second / "manifest.json").write_text(json.dumps(manifest))
    result = cli(source, "backup", "check", str(second))
    assert result.exit_code == 1 and "table user holds" in result.output
    refused = cli(source, "restore", "--force", str(second))
    assert refused.exit_code == 1 and "the backup does not check, nothing was restored" in refused.output


def test_a_backup_never_overwrites_another(source, tmp_path):
    """The folder must be new or empty."""
    folder = tmp_path / "backup"
    assert cli(source, "backup", str(folder)).exit_code == 0
    again = cli(source, "backup", str(folder))
    assert again.exit_code == 1 and "is not empty" in again.output
