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

Cost as the data grows (--scales, default 1,10): the same pages measured side by side on ten times
the data — a district of ten streets like Fangzhuang (2,230 buildings, ~350,000 households,
1,000,000 problems), the account still over one street — each scale with its own gunicorn, every
page at every scale right after its ceiling burst in each round. The last table puts the scales side
by side: each page's share should stay within 10 % (relative) of its share at 1×, with the same
statements.
Run: .venv/bin/python bench/issues.py   (SQLite; BENCH_PG=1 BENCH_DATABASE_URL=<a scratch db> for
PostgreSQL too — that database's schema is emptied, and <its name>_x10 is created beside it for 10×)
BENCH_KEEP=<dir> keeps the generated SQLite databases in <dir> (bench.db, bench-x10.db) and reuses
them on the next run (migrated to the current head first), since generating them takes minutes; on
PostgreSQL it reuses the scratch databases when they hold the same number of problems.
"""
from __future__ import annotations

import argparse
import contextlib
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
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import requests
from _common import PASSWORD, PG_URL, ROOT, Gunicorn, build_app, fangzhuang, signed_in, wipe_postgres
from sqlalchemy import create_engine, event, insert, text

PROBLEMS = int(os.environ.get("BENCH_PROBLEMS", "100000"))
CLIENTS = 50
REQUESTS = 1500
TARGET_SHARE = 0.40  # the open-loop rate: what each page must serve, as a share of the ceiling
PACED_SECONDS = 6
SCALE_TOLERANCE = 0.10  # each page's share at 10× the data, against its share at 1×


def load_problems(app, world, problems: int = PROBLEMS):
    """`problems` problems (100,000) over the past year with three timeline events each, in bulk, spread
    evenly over every household of the database (at 10×, of the district's ten streets)."""
    from app.clock import utcnow
    from app.extensions import db
    from app.problems.models import Category, EventKind

    rng = random.Random(3)
    now = utcnow()
    with app.app_context():
        buildings = dict(db.session.execute(text("SELECT id, id FROM building")).all())
        households = db.session.execute(text("SELECT id, building_id FROM household")).all()
        categories = list(Category)
        statuses = ["reported", "acknowledged", "in_progress", "resolved", "confirmed", "closed"]
        for start in range(0, problems, 10_000):
            rows = []
            for _ in range(min(10_000, problems - start)):
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
        return page_ids(world["street_id"])


def page_ids(street_id: int) -> dict:
    """The busiest building of the account's street, its most recently active open problem (what staff
    open from the queue, with every form on the page) and its oldest closed one (what residents mostly
    read). In an app context."""
    from app.extensions import db

    busiest = db.session.execute(text(
        "SELECT building_id FROM problem JOIN building ON building.id = problem.building_id "
        f"JOIN community ON community.id = building.community_id WHERE community.street_id = {street_id} "
        "GROUP BY building_id ORDER BY count(*) DESC, building_id LIMIT 1")).scalar()
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
    from app.problems import desk, fragments, queries

    # What a worker keeps between requests (the rendered pieces, the departments' list, the desks) is per
    # process: forgotten here, so each scale's first request renders afresh as its own server's does.
    fragments.pieces.clear()
    queries.forget_departments()
    desk.forget()
    counts = {}
    client = signed_in_client(app, phone)
    with app.app_context():
        engine = db.engine
    seen = []
    listener = lambda *args, **kw: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    for name, path in paths.items():
        found = []
        # The first request renders the page's kept pieces (app/problems/fragments.py), the next one reuses them.
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
    the run itself (the feed's LIMIT $n did: app/problems/queries.py). Read from pg_prepared_statements,
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
    parser.add_argument("--scales", default="1,10",
                        help="data sizes measured side by side, in Fangzhuangs (default 1,10: 100,000 problems over "
                             "223 buildings, and 1,000,000 over a district of ten streets, 2,230 buildings)")
    args = parser.parse_args()
    scales = sorted({int(n) for n in args.scales.split(",")})
    keep = os.environ.get("BENCH_KEEP", "")
    sqlite_dir = keep or tempfile.mkdtemp(prefix="bench-")
    os.makedirs(sqlite_dir, exist_ok=True)
    sqlite = ("SQLite", {n: f"sqlite:///{sqlite_dir}/{sqlite_file(n)}" for n in scales})
    targets = [sqlite]
    if os.environ.get("BENCH_PG"):
        if not PG_URL:
            print("(set BENCH_DATABASE_URL to a PostgreSQL database the benchmark may wipe to measure it too)")
        else:
            targets.append(("PostgreSQL", {n: postgres_url(PG_URL, n) for n in scales}))
    targets = [t for t in targets if args.only in (None, t[0])]
    try:
        for label, urls in targets:
            runs = [prepare(label, url, n, keep=bool(keep)) for n, url in urls.items()]
            measure(label, runs, args.rounds)
    finally:
        if not keep:
            shutil.rmtree(sqlite_dir, ignore_errors=True)


def sqlite_file(scale: int) -> str:
    """The SQLite file of a scale in the kept directory (bench.db for Fangzhuang alone, as before)."""
    return "bench.db" if scale == 1 else f"bench-x{scale}.db"


def postgres_url(url: str, scale: int) -> str:
    """The scratch database of a scale: BENCH_DATABASE_URL itself at 1×, `<its name>_x<scale>` beside it (created if missing)."""
    if scale == 1:
        return url
    base, name = url.rsplit("/", 1)
    scaled = f"{base}/{name}_x{scale}"
    engine = create_engine(f"{base}/postgres".replace("postgresql://", "postgresql+psycopg://"),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": f"{name}_x{scale}"}).first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}_x{scale}"'))
    engine.dispose()
    return scaled


@dataclass
class Run:
    """One database at one scale, ready to be measured: its app, account, pages and in-process figures."""

    scale: int
    url: str
    instance: str
    app: object
    world: dict
    paths: dict
    counts: dict = field(default_factory=dict)
    cpu: dict = field(default_factory=dict)
    pairs: dict = field(default_factory=dict)
    latency: dict = field(default_factory=dict)


def kept_data(app, problems: int) -> tuple[dict, dict] | None:
    """The world and page ids of a database an earlier run generated at this size (BENCH_KEEP), else None."""
    from app.extensions import db

    with app.app_context():
        row = db.session.execute(text(
            "SELECT u.id, u.phone, r.street_id FROM \"user\" u JOIN role_assignment r ON r.user_id = u.id "
            "WHERE u.phone = '13700000000'")).first()
        count = db.session.execute(text("SELECT count(*) FROM problem")).scalar()
        if row is None or count != problems:
            return None
        ids = page_ids(row.street_id)
    print(f"reusing a database of {count:,} problems")
    return {"user_id": row.id, "phone": row.phone, "street_id": row.street_id}, ids


def prepare(label: str, url: str, scale: int, keep: bool) -> Run:
    """Load the data at `scale` (or reuse what BENCH_KEEP kept) and take the in-process figures."""
    problems = PROBLEMS * scale
    if label == "PostgreSQL" and not keep:
        wipe_postgres(url)
    instance = tempfile.mkdtemp(prefix="bench-inst-")
    app = build_app(url, instance)
    found = kept_data(app, problems) if keep else None
    if found is None:
        if label == "PostgreSQL" and keep:  # what was kept is another size or unfinished: start afresh
            wipe_postgres(url)
            app = build_app(url, instance)
        t0 = time.perf_counter()
        world = fangzhuang(app, streets=scale)
        ids = load_problems(app, world, problems)
        print(f"{label} ×{scale}: loaded {problems:,} problems with timelines in {time.perf_counter() - t0:.0f} s")
        if label == "PostgreSQL":
            # A live PostgreSQL has statistics and a visibility map (autovacuum); without them the planner
            # drives the queue from the building list and takes ~100 ms a tier. SQLite is measured as the
            # app runs it: never analysed (see app/problems/queries.py).
            from app.extensions import db

            with app.app_context(), db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    else:
        world, ids = found
    paths = {"building feed": f"/issues/building/{ids['building']}", "problem page (open)": f"/issues/{ids['open']}",
             "problem page (closed)": f"/issues/{ids['closed']}", "staff queue": "/issues/queue"}
    run = Run(scale, url, instance, app, world, paths)
    run.counts = query_counts(app, world["phone"], paths)
    if label == "PostgreSQL":
        replanning = replanned(app, world["phone"], paths)
        print(f"×{scale}: statements planned again on every execution:", "none" if not replanning else "")
        for statement in replanning:
            print("  ", statement)
    run.cpu = cpu_costs(app, world["phone"], paths)
    return run


def measure(label: str, runs: list[Run], rounds: int) -> None:
    """Measure every scale's pages against the ceiling, in rounds of pairs, and print each scale and both side by side.

    Each scale has its gunicorn, all running beside the ceiling for the whole measurement; in each
    round every page is measured at every scale right after a burst against the ceiling (the scales'
    order alternating between rounds), so a drift of the machine's speed moves them alike.
    """
    names = list(runs[0].paths)
    print(f"{label}, {CLIENTS} clients, {REQUESTS} requests per burst, {rounds} rounds of (ceiling, page) pairs, "
          f"scales {', '.join(f'×{run.scale}' for run in runs)}")
    print(f"{'page':<22} {'scale':>5} {'ceiling':>8} {'req/s':>7} {'p95 ms':>7} {'share':>6} {'gunicorn':>9} {'load':>5}")
    servers = {}
    with contextlib.ExitStack() as stack:
        bare = stack.enter_context(ceiling_server(runs[0].url, runs[0].instance))
        for run in runs:
            server = stack.enter_context(Gunicorn(run.url, run.instance))
            servers[run.scale] = (server, signed_in(server.base, run.world["phone"])[0])
            run.pairs = {name: [] for name in names}
        ceilings = []
        for n in range(rounds):
            for name in names:
                for run in (runs if n % 2 == 0 else runs[::-1]):
                    server, session = servers[run.scale]
                    top = hammer(bare.base, "/", pid=bare.proc.pid)
                    found = hammer(server.base, run.paths[name], session.cookies, server.proc.pid)
                    run.pairs[name].append((top, found))
                    ceilings.append(top)
                    print(f"{n + 1}: {name:<19} {f'×{run.scale}':>5} {top[0]:>8,.0f} {found[0]:>7,.0f} {found[1]:>7.0f} "
                          f"{found[0] / top[0]:>6.0%} {found[2]:>9.2f} {os.getloadavg()[0]:>5.1f}", flush=True)
        median_ceiling = statistics.median(top[0] for top in ceilings)
        rate = TARGET_SHARE * median_ceiling
        for run in runs:
            server, session = servers[run.scale]
            run.latency = {name: paced(server.base, path, rate, session.cookies) for name, path in run.paths.items()}
        bare_latency = paced(bare.base, "/", rate)
    best_top = max(ceilings, key=lambda top: top[0])
    for run in runs:
        report(label, run, rounds, rate, median_ceiling, best_top, bare_latency)
    if len(runs) > 1:
        side_by_side(label, runs)
    for run in runs:
        shutil.rmtree(run.instance, ignore_errors=True)


def share_of(run: Run, name: str) -> tuple[float, float, float]:
    """The page's median share of the ceiling over the pairs, and its range."""
    shares = sorted(found[0] / top[0] for top, found in run.pairs[name])
    return statistics.median(shares), shares[0], shares[-1]


def report(label: str, run: Run, rounds: int, rate: float, median_ceiling: float, best_top, bare_latency) -> None:
    """One scale's summary, as the benchmark always printed it."""
    print(f"{label} ×{run.scale}: share = median over the {rounds} pairs of page req/s / ceiling req/s measured just "
          f"before it (range in brackets);\nreq/s, p95 and gunicorn CPU from the page's best burst; open loop at "
          f"{rate:,.0f} req/s ({TARGET_SHARE:.0%} of the ceiling's median, {median_ceiling:,.0f} req/s)")
    print(f"{'page':<22} {'req/s':>7} {'p95 ms':>7} {'share':>15} {'queries':>8} {'CPU ms':>7} {'gunicorn':>9} "
          f"{'| open loop':>10} {'p50 ms':>7} {'p95 ms':>7}")
    achieved, p50, paced_p95 = bare_latency
    print(f"{'(bare Flask)':<22} {best_top[0]:>7,.0f} {best_top[1]:>7.0f} {'':>15} {'':>8} {run.cpu['(bare Flask)']:>7.2f} "
          f"{'':>9} {achieved:>10,.0f} {p50:>7.0f} {paced_p95:>7.0f}")
    for name in run.paths:
        median, low, high = share_of(run, name)
        rps, p95, served = max((found for _, found in run.pairs[name]), key=lambda found: found[0])
        achieved, p50, paced_p95 = run.latency[name]
        share = f"{median:.0%} ({low:.0%}–{high:.0%})"
        print(f"{name:<22} {rps:>7,.0f} {p95:>7.0f} {share:>15} {run.counts[name]:>8} {run.cpu[name]:>7.2f} "
              f"{served:>9.2f} {achieved:>10,.0f} {p50:>7.0f} {paced_p95:>7.0f}")
    print("queries = SQL statements per page (BEGIN included; in brackets the first request, which renders the\n"
          "pieces later requests reuse); CPU ms = in-process CPU per request (test client, best of 5 rounds);\n"
          "gunicorn = CPU ms its workers spent per request in that round (HTTP and compression included);\n"
          "open loop: req/s achieved at the fixed rate, latency from the moment each request was due")


def side_by_side(label: str, runs: list[Run]) -> None:
    """Each page at every scale: its share of the ceiling, how far the larger data moved it, its statements and CPU."""
    first, *larger = runs
    print(f"{label}: cost as the data grows — ×1 = {PROBLEMS * first.scale:,} problems, "
          + ", ".join(f"×{run.scale} = {PROBLEMS * run.scale:,}" for run in larger)
          + f"; target: each share within {SCALE_TOLERANCE:.0%} of ×{first.scale}'s (relative), the same statements")
    header = f"{'page':<22}" + "".join(f" {f'share ×{run.scale}':>17}" for run in runs) + \
        "".join(f" {f'Δ ×{run.scale}':>7}" for run in larger) + \
        "".join(f" {f'queries ×{run.scale}':>12}" for run in runs) + "".join(f" {f'CPU ms ×{run.scale}':>11}" for run in runs) + \
        "".join(f" {f'open p95 ×{run.scale}':>13}" for run in runs)
    print(header)
    verdicts = []
    for name in first.paths:
        shares = [share_of(run, name) for run in runs]
        moved = [(share[0] - shares[0][0]) / shares[0][0] for share in shares[1:]]
        same = all(run.counts[name] == first.counts[name] for run in larger)
        verdicts.append(all(abs(m) <= SCALE_TOLERANCE for m in moved) and same)
        print(f"{name:<22}" + "".join(f" {f'{m:.0%} ({lo:.0%}–{hi:.0%})':>17}" for m, lo, hi in shares)
              + "".join(f" {m:>+7.1%}" for m in moved)
              + "".join(f" {run.counts[name]:>12}" for run in runs) + "".join(f" {run.cpu[name]:>11.2f}" for run in runs)
              + "".join(f" {run.latency[name][2]:>13.0f}" for run in runs))
    print(f"{label}: every page within {SCALE_TOLERANCE:.0%} with the same statements at every scale: "
          + ("met" if all(verdicts) else "NOT met"))


def ceiling_server(url: str, instance: str) -> Gunicorn:
    """Bare Flask (bench/_ceiling_app.py) through the same gunicorn settings as the app."""
    server = Gunicorn(url, instance, app="_ceiling_app:app")
    server.env["PYTHONPATH"] = str(ROOT / "bench")
    return server


if __name__ == "__main__":
    main()
