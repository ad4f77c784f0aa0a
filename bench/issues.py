"""Problem pages under load: the building feed, a problem page and the staff queue.

Fangzhuang-scale data (223 buildings, ~35,000 households, 100,000 problems over a year, each
with a timeline), served by gunicorn; 50 concurrent clients. Beside each page, in the same run,
the ceiling: bare Flask returning a constant page through the same gunicorn settings.
Also prints the number of SQL queries each page issues (constant whatever the data size).
Run: .venv/bin/python bench/issues.py   (SQLite; BENCH_PG=1 BENCH_DATABASE_URL=<a scratch db> for
PostgreSQL too — that database's schema is emptied)
BENCH_KEEP=<dir> keeps the generated SQLite database in <dir> and reuses it on the next run (migrated
to the current head first), since generating it takes minutes.
"""
from __future__ import annotations

import os
import random
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import requests
from _common import ROOT, Gunicorn, build_app, databases, fangzhuang, signed_in
from sqlalchemy import event, insert, text

PROBLEMS = int(os.environ.get("BENCH_PROBLEMS", "100000"))
CLIENTS = 50
REQUESTS = 1500


def load_problems(app, world):
    """100,000 problems over the past year with three timeline events each, in bulk."""
    from app.clock import utcnow
    from app.extensions import db
    from app.issues.models import Category, EventKind

    rng = random.Random(3)
    now = utcnow()
    with app.app_context():
        buildings = dict(db.session.execute(text("SELECT id, id FROM building")).all())
        households = db.session.execute(text("SELECT id, building_id FROM household")).all()
        categories = list(Category)
        statuses = ["reported", "acknowledged", "in_progress", "resolved", "confirmed", "closed"]
        for start in range(0, PROBLEMS, 10_000):
            rows = []
            for _ in range(min(10_000, PROBLEMS - start)):
                hid, bid = rng.choice(households)
                at = now - timedelta(minutes=rng.randint(1, 525_600))
                # As in life: problems from past weeks are closed; only recent ones are still open.
                status = rng.choice(statuses) if now - at < timedelta(days=14) else rng.choice(("confirmed", "closed"))
                rows.append({"uuid": str(uuid.uuid4()), "building_id": bid, "household_id": hid,
                             "reporter_id": world["user_id"], "entered_by_id": world["user_id"],
                             "category": rng.choice(categories).value, "text": "楼道里堆放杂物,影响通行。" * 3,
                             "location": "2门", "source": "app", "hotline_order_no": "", "status": status, "level": 1,
                             "reported_at": at, "feedback_due_at": at + timedelta(hours=12),
                             "first_response_at": None if status == "reported" else at + timedelta(hours=2),
                             "last_activity_at": at + timedelta(hours=3), "thanked": False,
                             "change_seq": 1, "is_deleted": False, "created_at": at, "updated_at": at})
            ids = db.session.scalars(insert(db.metadata.tables["problem"]).returning(
                db.metadata.tables["problem"].c.id, sort_by_parameter_order=True), rows).all()
            events = []
            for pid, row in zip(ids, rows, strict=True):
                for i, kind in enumerate((EventKind.REPORTED, EventKind.RESPONSE, EventKind.RESPONSE)):
                    events.append({"problem_id": pid, "actor_id": world["user_id"], "actor_role": "staff",
                                   "kind": kind.value, "text": "收到,正在处理。", "public": True, "mentions_reporter": False,
                                   "data": {}, "at": row["reported_at"] + timedelta(hours=i),
                                   "created_at": row["reported_at"], "updated_at": row["reported_at"]})
            db.session.execute(insert(db.metadata.tables["problem_event"]), events)
            db.session.commit()
        busiest = db.session.execute(text(
            "SELECT building_id FROM problem GROUP BY building_id ORDER BY count(*) DESC LIMIT 1")).scalar()
        problem = db.session.execute(text(f"SELECT id FROM problem WHERE building_id = {busiest} LIMIT 1")).scalar()
        del buildings
        return {"building": busiest, "problem": problem}


def query_counts(app, phone, paths):
    """SQL statements per page, counted in-process with the same app."""
    from app.extensions import db

    counts = {}
    client = app.test_client()
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    client.post("/api/v1/session", json={"phone": phone, "password": "bench-password-1"}, headers={"X-CSRFToken": token})
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *args, **kw: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    for name, path in paths.items():
        found = []
        # The first request renders the page's kept pieces (app/issues/fragments.py), the next one reuses them.
        for _ in range(2):
            seen.clear()
            assert client.get(path).status_code == 200, path
            found.append(len(seen))
        counts[name] = f"{found[1]} ({found[0]})"
    event.remove(engine, "before_cursor_execute", listener)
    return counts


def cpu_per_request(client, path: str, rounds: int = 5, per_round: int = 20) -> float:
    """CPU ms one request costs in-process (test client, no HTTP): the best of a few rounds.

    Less sensitive to the machine's load than req/s, so the two runs' figures can be compared.
    """
    client.get(path)
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(per_round):
            client.get(path)
        best = min(best, (time.process_time() - start) / per_round)
    return best * 1000


def cpu_costs(app, phone, paths) -> dict:
    """In-process CPU ms per request of each page, and of the ceiling's constant page."""
    from _ceiling_app import app as bare

    client = app.test_client()
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    client.post("/api/v1/session", json={"phone": phone, "password": "bench-password-1"}, headers={"X-CSRFToken": token})
    costs = {name: cpu_per_request(client, path) for name, path in paths.items()}
    costs["(bare Flask)"] = cpu_per_request(bare.test_client(), "/")
    return costs


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by gunicorn's workers (the children of its master `pid`), from /proc."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return float("nan")
    total = 0
    for child in children:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def hammer(base, path, session_cookies=None, pid=None):
    """REQUESTS requests from CLIENTS threads; returns (requests/s, p95 ms, workers' CPU ms per request).

    The workers' CPU per request (all of it: HTTP, the app, compression) moves less with the
    machine's load than the rates do.
    """
    local = threading.local()

    def one(_):
        if not hasattr(local, "s"):
            local.s = requests.Session()
            if session_cookies:
                local.s.cookies.update(session_cookies)
        start = time.perf_counter()
        response = local.s.get(base + path, timeout=60)
        assert response.status_code == 200, (path, response.status_code)
        return time.perf_counter() - start

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(one, range(CLIENTS)))  # warm up each connection
        cpu = server_cpu(pid) if pid else float("nan")
        start = time.perf_counter()
        latencies = list(pool.map(one, range(REQUESTS)))
        elapsed = time.perf_counter() - start
        cpu = (server_cpu(pid) - cpu) / REQUESTS * 1000 if pid else float("nan")
    return REQUESTS / elapsed, statistics.quantiles(latencies, n=20)[18] * 1000, cpu


def main():
    # databases() empties the PostgreSQL schema at BENCH_DATABASE_URL: only call it when asked to.
    keep = os.environ.get("BENCH_KEEP", "")
    sqlite_dir = keep or tempfile.mkdtemp(prefix="bench-")
    os.makedirs(sqlite_dir, exist_ok=True)
    sqlite = ("SQLite", f"sqlite:///{sqlite_dir}/bench.db")
    targets = [sqlite] + [t for t in databases() if t[0] != "SQLite"] if os.environ.get("BENCH_PG") else [sqlite]
    try:
        for label, url in targets:
            run(label, url, reuse=bool(keep) and label == "SQLite" and os.path.exists(f"{sqlite_dir}/bench.db"))
    finally:
        if not keep:
            shutil.rmtree(sqlite_dir, ignore_errors=True)


def reused(app) -> tuple[dict, dict]:
    """The world and page ids of a database an earlier run generated (BENCH_KEEP)."""
    from app.extensions import db

    with app.app_context():
        user_id, phone = db.session.execute(text("SELECT id, phone FROM user WHERE phone = '13700000000'")).one()
        count = db.session.execute(text("SELECT count(*) FROM problem")).scalar()
        busiest = db.session.execute(text(
            "SELECT building_id FROM problem GROUP BY building_id ORDER BY count(*) DESC LIMIT 1")).scalar()
        problem = db.session.execute(text(f"SELECT id FROM problem WHERE building_id = {busiest} LIMIT 1")).scalar()
    print(f"reusing a database of {count:,} problems")
    return {"user_id": user_id, "phone": phone}, {"building": busiest, "problem": problem}


def run(label: str, url: str, reuse: bool = False) -> None:
    """Load the data into one database and measure the three pages against the ceiling."""
    instance = tempfile.mkdtemp(prefix="bench-inst-")
    app = build_app(url, instance)
    if reuse:
        world, ids = reused(app)
    else:
        world = fangzhuang(app)
        t0 = time.perf_counter()
        ids = load_problems(app, world)
        print(f"{label}: loaded {PROBLEMS:,} problems with timelines in {time.perf_counter() - t0:.0f} s")
    if label == "PostgreSQL":
        # A live PostgreSQL has statistics (autovacuum); without them the planner drives the
        # queue from the building list and takes ~100 ms a tier. SQLite is measured as the app
        # runs it: never analysed (see app/issues/queries.py).
        from app.extensions import db

        with app.app_context():
            db.session.execute(text("ANALYZE"))
            db.session.commit()
    paths = {"building feed": f"/issues/building/{ids['building']}", "problem page": f"/issues/{ids['problem']}",
             "staff queue": "/issues/queue"}
    counts = query_counts(app, world["phone"], paths)
    cpu = cpu_costs(app, world["phone"], paths)
    # The ceiling is measured before and again after the pages: on a shared machine the load drifts,
    # and the share is taken against the mean of the two.
    before = ceiling(url, instance)
    results = {}
    with Gunicorn(url, instance) as server:
        session, _ = signed_in(server.base, world["phone"])
        for name, path in paths.items():
            results[name] = hammer(server.base, path, session.cookies, server.proc.pid), os.getloadavg()[0]
    after = ceiling(url, instance)
    ceiling_rps = (before[0][0] + after[0][0]) / 2
    bare = f"{cpu['(bare Flask)']:>7.2f}"
    print(f"{label}, {CLIENTS} clients, {REQUESTS} requests per line")
    print(f"{'page':<20} {'req/s':>8} {'p95 ms':>8} {'share':>7} {'queries':>8} {'CPU ms':>7} {'gunicorn':>9} {'load':>6}")
    print(f"{'(bare Flask) before':<20} {before[0][0]:>8,.0f} {before[0][1]:>8.0f} {'':>7} {'':>8} {bare} "
          f"{before[0][2]:>9.2f} {before[1]:>6.1f}")
    for name, ((rps, p95, served), load) in results.items():
        print(f"{name:<20} {rps:>8,.0f} {p95:>8.0f} {rps / ceiling_rps:>7.0%} {counts[name]:>8} {cpu[name]:>7.2f} "
              f"{served:>9.2f} {load:>6.1f}")
    print(f"{'(bare Flask) after':<20} {after[0][0]:>8,.0f} {after[0][1]:>8.0f} {'':>7} {'':>8} {bare} "
          f"{after[0][2]:>9.2f} {after[1]:>6.1f}")
    print("share = page req/s / mean of the two ceiling runs; queries = SQL statements per page (BEGIN included;\n"
          "in brackets the first request, which renders the pieces later requests reuse);\n"
          "CPU ms = in-process CPU per request (test client, best of 5 rounds); gunicorn = CPU ms its workers\n"
          "spent per request during the run (HTTP and compression included); load = 1-minute load average after")
    shutil.rmtree(instance, ignore_errors=True)


def ceiling(url: str, instance: str) -> tuple[tuple[float, float], float]:
    """(req/s, p95 ms) of bare Flask through the same gunicorn settings, and the load average after."""
    server = Gunicorn(url, instance, app="_ceiling_app:app")
    server.env["PYTHONPATH"] = str(ROOT / "bench")
    with server as bare:
        return hammer(bare.base, "/", pid=bare.proc.pid), os.getloadavg()[0]


if __name__ == "__main__":
    main()
