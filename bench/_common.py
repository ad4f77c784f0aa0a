"""Shared pieces for the benchmarks: fresh databases, Fangzhuang-scale data, a gunicorn server."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# PostgreSQL is measured only when BENCH_DATABASE_URL names a database the benchmark may wipe.
PG_URL = os.environ.get("BENCH_DATABASE_URL", "")
PASSWORD = "bench-password-1"


def databases() -> list[tuple[str, str]]:
    """(label, url) of the databases to measure: a fresh SQLite file, and PostgreSQL when reachable."""
    found = [("SQLite", "sqlite:///" + tempfile.mkdtemp(prefix="bench-") + "/bench.db")]
    if not PG_URL:
        print("(set BENCH_DATABASE_URL to a PostgreSQL database the benchmark may wipe to measure it too)")
        return found
    try:
        wipe_postgres(PG_URL)
        found.append(("PostgreSQL", PG_URL))
    except Exception as exc:
        print(f"(PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}; SQLite only)")
    return found


def wipe_postgres(url: str) -> None:
    """Empty the schema of the PostgreSQL database at `url` (one the benchmark may wipe)."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def build_app(url: str, instance: str):
    """An app on `url` with its schema migrated."""
    os.environ["SIHEYUAN_INSTANCE"] = instance
    from flask_migrate import upgrade

    from app import create_app
    from app.config import Config

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench-secret-key")
    with app.app_context():
        upgrade(revision="heads")
    return app


def fangzhuang(app, buildings: int = 223, households_per_building: int = 157, streets: int = 1) -> dict:
    """223 buildings of ~157 households (~35,000) in 16 communities, and a street account over them all.

    With `streets` > 1, a district: that many such streets (the first is 方庄地区, the account's), each
    with its 16 communities and 223 buildings, so a street's pages read as much as Fangzhuang's alone
    among ten times the rows.
    """
    from app.extensions import db
    from app.models import Community, Role, RoleAssignment, Street, User

    with app.app_context():
        building_rows = []
        home = None
        for k in range(streets):
            street = Street(name="方庄地区" if k == 0 else f"第{k + 1}街道")
            home = home or street
            communities = [Community(street=street, name=f"社区{i:02d}" if k == 0 else f"{k + 1}街社区{i:02d}")
                           for i in range(16)]
            db.session.add_all(communities)
            db.session.flush()
            building_rows += [
                {"community_id": communities[i % 16].id, "name": f"{i + 1}号楼", "address": "",
                 "join_code": f"b{k * buildings + i:05d}", "group_rules": "", "created_at": _now(), "updated_at": _now()}
                for i in range(buildings)]
        db.session.execute(insert(db.metadata.tables["building"]), building_rows)
        building_ids = [r[0] for r in db.session.execute(text("SELECT id FROM building ORDER BY id"))]
        rows = []
        for b in building_ids:
            for n in range(households_per_building):
                rows.append({"building_id": b, "unit": f"{n // 40 + 1}门", "floor": n % 20 + 1,
                             "room": f"{n % 20 + 1}{n % 2 + 1:02d}-{n}",
                             "members": "", "member_count": 2, "contact_phone": "", "empty_nest": False,
                             "lives_alone": False, "limited_mobility": False, "no_smartphone": False,
                             "preferred_contact": "push", "notes": "", "change_seq": 1, "is_deleted": False,
                             "created_at": _now(), "updated_at": _now()})
        db.session.execute(insert(db.metadata.tables["household"]), rows)
        user = User(phone="13700000000", name="街道", roles=[RoleAssignment(role=Role.STREET, street=home)])
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        household_ids = [r[0] for r in db.session.execute(text("SELECT id FROM household ORDER BY id"))]
        return {"user_id": user.id, "phone": user.phone, "household_ids": household_ids, "street_id": home.id}


def _now():
    from app.clock import utcnow

    return utcnow()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving wsgi:app on a local port, for the length of a with-block."""

    def __init__(self, url: str, instance: str, workers: int = 4, threads: int = 1, app: str = "wsgi:app"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": url, "SIHEYUAN_INSTANCE": instance, "SECRET_KEY": "bench-secret-key",
               "LOGIN_RATE_LIMIT": "1000 per minute"}
        self.cmd = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{self.port}", "-w", str(workers),
                    "--threads", str(threads), "--keep-alive", "75", "--backlog", "256", "--log-level", "warning", app]
        self.env = env

    def __enter__(self):
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env)
        for _ in range(100):
            try:
                requests.get(self.base + "/auth/login", timeout=10)
                return self
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def signed_in(base: str, phone: str) -> tuple[requests.Session, str]:
    """A requests session signed in through the JSON API, and its CSRF token."""
    session = requests.Session()
    token = session.get(base + "/api/v1/csrf").json()["csrf_token"]
    response = session.post(base + "/api/v1/session", json={"phone": phone, "password": PASSWORD},
                            headers={"X-CSRFToken": token})
    response.raise_for_status()
    return session, response.json()["csrf_token"]
