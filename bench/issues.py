"""Problem pages under load: the building feed, a problem page (open, and closed) and the staff queue.

Fangzhuang-scale data (223 buildings, ~35,000 households, 100,000 problems over a year, each
with a timeline), served by gunicorn; 50 concurrent clients. Beside the pages, in the same run,
the ceiling: bare Flask returning a constant page through the same gunicorn settings.

The machine is shared and its speed drifts by 2× within minutes, so both servers run side by side
(idle workers cost nothing) and each page is measured in rounds (--rounds, default 5) of pairs: a
burst against the ceiling, then one against the page. Each pair gives a share; the summary prints
the median share with its range, so a drift between two bursts moves one pair, not the result.

Two kinds of latency. Closed loop (the rounds): 50 clients each sending its next request as soon
as the last is answered, so the server is never idle and p95 is mostly the queue — by Little's law
about 50 / requests per second. Open loop (after the rounds): the same 50 connections send at a
fixed rate, the one the share target asks for (40 % of the ceiling's median), each request timed
from the moment it was due (so a slow answer also delays those behind it, as for real people).

Also prints the number of SQL queries each page issues (constant whatever the data size).
Run: .venv/bin/python bench/issues.py   (SQLite; BENCH_PG=1 BENCH_DATABASE_URL=<a scratch db> for
PostgreSQL too — that database's schema is emptied)
BENCH_KEEP=<dir> keeps the generated SQLite database in <dir> and reuses it on the next run (migrated
to the current head first), since generating it takes minutes.
"""
from __future__ import annotations

import argparse
import itertools
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
from _common import PASSWORD, ROOT, Gunicorn, build_app, databases, fangzhuang, signed_in
from sqlalchemy import event, insert, text

PROBLEMS = int(os.environ.get("BENCH_PROBLEMS", "100000"))
CLIENTS = 50
REQUESTS = 1500
TARGET_SHARE = 0.40  # the open-loop rate: what each page must serve, as a share of the ceiling
PACED_SECONDS = 6


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
        del buildings
        return page_ids()


def page_ids() -> dict:
    """The busiest building, its most recently active open problem (what staff open from the queue,
    with every form on the page) and its oldest closed one (what residents mostly read). In an app context."""
    from app.extensions import db

    busiest = db.session.execute(text(
        "SELECT building_id FROM problem GROUP BY building_id ORDER BY count(*) DESC LIMIT 1")).scalar()
    open_one = db.session.execute(text(
        f"SELECT id FROM problem WHERE building_id = {busiest} AND status IN ('reported', 'acknowledged', "
        "'in_progress', 'escalated') ORDER BY last_activity_at DESC LIMIT 1")).scalar()
    closed = db.session.execute(text(
        f"SELECT id FROM problem WHERE building_id = {busiest} AND status = 'closed' ORDER BY id LIMIT 1")).scalar()
    return {"building": busiest, "open": open_one, "closed": closed}


def signed_in_client(app, phone: str):
    """An in-process test client of `app`, signed in through the JSON API as the street account."""
    client = app.test_client()
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    client.post("/api/v1/session", json={"phone": phone, "password": PASSWORD}, headers={"X-CSRFToken": token})
    return client


def query_counts(app, phone, paths):
    """SQL statements per page, counted in-process with the same app."""
    from app.extensions import db

    counts = {}
    client = signed_in_client(app, phone)
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


def replanned(app, phone, paths) -> list[str]:
    """Statements of the pages PostgreSQL plans again on every execution (psycopg prepares them from their fifth run).

    A prepared statement runs on a generic plan once PostgreSQL finds it no worse than the custom
    ones of its first five runs; otherwise every execution pays for planning again, often more than
    the run itself (the feed's LIMIT $n did: app/issues/queries.py). Read from pg_prepared_statements,
    which is per connection: the pages run one after another, on the one connection the pool then holds.
    """
    from app.extensions import db

    with app.app_context():
        db.engine.dispose()
    client = signed_in_client(app, phone)
    for path in paths.values():
        for _ in range(20):  # PostgreSQL plans a prepared statement's first five runs for their values anyway
            assert client.get(path).status_code == 200, path
    with app.app_context():
        rows = db.session.execute(text("SELECT statement FROM pg_prepared_statements "
                                       "WHERE generic_plans = 0 AND custom_plans > 5")).scalars().all()
    return [" ".join(statement.split())[:100] + "…" for statement in rows]


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

    client = signed_in_client(app, phone)
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


def paced(base, path, rate, session_cookies=None):
    """Requests at a fixed `rate` for PACED_SECONDS from CLIENTS connections; (achieved req/s, p50 ms, p95 ms).

    Each request is timed from the moment it was due, not from when a connection was free to send it.
    """
    total = int(rate * PACED_SECONDS)
    due = itertools.count()
    latencies = []
    start = time.perf_counter() + 0.5

    def client():
        with requests.Session() as s:
            if session_cookies:
                s.cookies.update(session_cookies)
            s.get(base + path, timeout=60)  # the connection's first request is not timed
            while (n := next(due)) < total:
                at = start + n / rate
                if (wait := at - time.perf_counter()) > 0:
                    time.sleep(wait)
                response = s.get(base + path, timeout=60)
                assert response.status_code == 200, (path, response.status_code)
                latencies.append(time.perf_counter() - at)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    quantiles = statistics.quantiles(latencies, n=20)
    return total / elapsed, statistics.median(latencies) * 1000, quantiles[18] * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="(ceiling, page) pairs per page and database (default 5)")
    parser.add_argument("--only", choices=("SQLite", "PostgreSQL"), help="measure one database only")
    args = parser.parse_args()
    rounds = args.rounds
    # databases() empties the PostgreSQL schema at BENCH_DATABASE_URL: only call it when asked to.
    keep = os.environ.get("BENCH_KEEP", "")
    sqlite_dir = keep or tempfile.mkdtemp(prefix="bench-")
    os.makedirs(sqlite_dir, exist_ok=True)
    sqlite = ("SQLite", f"sqlite:///{sqlite_dir}/bench.db")
    targets = [sqlite] + [t for t in databases() if t[0] != "SQLite"] if os.environ.get("BENCH_PG") else [sqlite]
    targets = [t for t in targets if args.only in (None, t[0])]
    try:
        for label, url in targets:
            run(label, url, rounds, reuse=bool(keep) and label == "SQLite" and os.path.exists(f"{sqlite_dir}/bench.db"))
    finally:
        if not keep:
            shutil.rmtree(sqlite_dir, ignore_errors=True)


def reused(app) -> tuple[dict, dict]:
    """The world and page ids of a database an earlier run generated (BENCH_KEEP)."""
    from app.extensions import db

    with app.app_context():
        user_id, phone = db.session.execute(text("SELECT id, phone FROM user WHERE phone = '13700000000'")).one()
        count = db.session.execute(text("SELECT count(*) FROM problem")).scalar()
        ids = page_ids()
    print(f"reusing a database of {count:,} problems")
    return {"user_id": user_id, "phone": phone}, ids


def run(label: str, url: str, rounds: int, reuse: bool = False) -> None:
    """Load the data into one database and measure the pages against the ceiling, in rounds."""
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
        # A live PostgreSQL has statistics and a visibility map (autovacuum); without them the planner
        # drives the queue from the building list and takes ~100 ms a tier. SQLite is measured as the
        # app runs it: never analysed (see app/issues/queries.py).
        from app.extensions import db

        with app.app_context(), db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    paths = {"building feed": f"/issues/building/{ids['building']}", "problem page (open)": f"/issues/{ids['open']}",
             "problem page (closed)": f"/issues/{ids['closed']}", "staff queue": "/issues/queue"}
    counts = query_counts(app, world["phone"], paths)
    if label == "PostgreSQL":
        found = replanned(app, world["phone"], paths)
        print("statements planned again on every execution:", "none" if not found else "")
        for statement in found:
            print("  ", statement)
    cpu = cpu_costs(app, world["phone"], paths)
    print(f"{label}, {CLIENTS} clients, {REQUESTS} requests per burst, {rounds} rounds of (ceiling, page) pairs")
    print(f"{'page':<22} {'ceiling':>8} {'req/s':>7} {'p95 ms':>7} {'share':>6} {'gunicorn':>9} {'load':>5}")
    pairs = {name: [] for name in paths}
    with ceiling_server(url, instance) as bare, Gunicorn(url, instance) as server:
        session, _ = signed_in(server.base, world["phone"])
        for n in range(rounds):
            for name, path in paths.items():
                top = hammer(bare.base, "/", pid=bare.proc.pid)
                found = hammer(server.base, path, session.cookies, server.proc.pid)
                pairs[name].append((top, found))
                print(f"{n + 1}: {name:<19} {top[0]:>8,.0f} {found[0]:>7,.0f} {found[1]:>7.0f} {found[0] / top[0]:>6.0%} "
                      f"{found[2]:>9.2f} {os.getloadavg()[0]:>5.1f}", flush=True)
        ceilings = sorted(top[0] for found in pairs.values() for top, _ in found)
        rate = TARGET_SHARE * statistics.median(ceilings)
        latency = {name: paced(server.base, path, rate, session.cookies) for name, path in paths.items()}
        latency["(bare Flask)"] = paced(bare.base, "/", rate)
    print(f"{label}: share = median over the {rounds} pairs of page req/s / ceiling req/s measured just before it "
          f"(range in brackets);\nreq/s, p95 and gunicorn CPU from the page's best burst; open loop at {rate:,.0f} req/s "
          f"({TARGET_SHARE:.0%} of the ceiling's median, {statistics.median(ceilings):,.0f} req/s)")
    print(f"{'page':<22} {'req/s':>7} {'p95 ms':>7} {'share':>15} {'queries':>8} {'CPU ms':>7} {'gunicorn':>9} "
          f"{'| open loop':>10} {'p50 ms':>7} {'p95 ms':>7}")
    achieved, p50, paced_p95 = latency["(bare Flask)"]
    best_top = max((top for found in pairs.values() for top, _ in found), key=lambda top: top[0])
    print(f"{'(bare Flask)':<22} {best_top[0]:>7,.0f} {best_top[1]:>7.0f} {'':>15} {'':>8} {cpu['(bare Flask)']:>7.2f} {'':>9} "
          f"{achieved:>10,.0f} {p50:>7.0f} {paced_p95:>7.0f}")
    for name in paths:
        shares = sorted(found[0] / top[0] for top, found in pairs[name])
        rps, p95, served = max((found for _, found in pairs[name]), key=lambda found: found[0])
        achieved, p50, paced_p95 = latency[name]
        share = f"{statistics.median(shares):.0%} ({shares[0]:.0%}–{shares[-1]:.0%})"
        print(f"{name:<22} {rps:>7,.0f} {p95:>7.0f} {share:>15} {counts[name]:>8} {cpu[name]:>7.2f} "
              f"{served:>9.2f} {achieved:>10,.0f} {p50:>7.0f} {paced_p95:>7.0f}")
    print("queries = SQL statements per page (BEGIN included; in brackets the first request, which renders the\n"
          "pieces later requests reuse); CPU ms = in-process CPU per request (test client, best of 5 rounds);\n"
          "gunicorn = CPU ms its workers spent per request in that round (HTTP and compression included);\n"
          "open loop: req/s achieved at the fixed rate, latency from the moment each request was due")
    shutil.rmtree(instance, ignore_errors=True)


def ceiling_server(url: str, instance: str) -> Gunicorn:
    """Bare Flask (bench/_ceiling_app.py) through the same gunicorn settings as the app."""
    server = Gunicorn(url, instance, app="_ceiling_app:app")
    server.env["PYTHONPATH"] = str(ROOT / "bench")
    return server


if __name__ == "__main__":
    main()
