"""Sync throughput: 10,000 visit mutations in batches of 200 through POST /api/v1/sync.

Beside it, in the same run and on the same database, the ceiling: a raw bulk insert of the
same 10,000 visit rows in one transaction. Target: the endpoint reaches at least 25 % of the ceiling.
Run: .venv/bin/python bench/sync.py   (PostgreSQL too when BENCH_DATABASE_URL names a database it may wipe)

The machine is shared, so each database is measured in several rounds, ceiling and endpoint
alternating (fresh rows each time, the table emptied between them); each round's figures are
printed, and the summary line compares the best ceiling with the best endpoint round. Each round
also prints the CPU time spent per mutation (gunicorn workers and client) and per row of the
ceiling (this process), which a busy machine disturbs less than the rates; neither counts the
PostgreSQL server's own CPU, and on SQLite both include the database's work.
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from _common import Gunicorn, build_app, databases, fangzhuang, signed_in
from sqlalchemy import insert, text

MUTATIONS = 10_000
BATCH = 200
DEVICES = 4  # devices flushing at the same time


def visit_rows(household_ids, user_id, now, seed=7):
    """The 10,000 visits, as rows of the visit table (each with a fresh uuid)."""
    rng = random.Random(seed)
    return [{"uuid": str(uuid.uuid4()), "household_id": rng.choice(household_ids), "visitor_id": user_id,
             "visited_at": now, "kind": "routine", "notes": "例行走访,一切正常", "follow_up_done": False,
             "change_seq": 1, "is_deleted": False, "created_at": now, "updated_at": now} for _ in range(MUTATIONS)]


def empty_tables(app) -> None:
    """Remove what a round wrote, so every round starts from the same tables (not timed)."""
    from app.extensions import db

    with app.app_context():
        db.session.execute(text("DELETE FROM sync_mutation"))
        db.session.execute(text("DELETE FROM visit"))
        db.session.commit()


def cpu_seconds(pids) -> float:
    """CPU time (user + system) the processes have used so far, from /proc."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except OSError:
                continue
    return found


def ceiling(app, rows) -> tuple[float, float]:
    """Rows per second of one bulk INSERT of all visits in one transaction, and its CPU seconds here."""
    from app.extensions import db

    with app.app_context():
        start, cpu = time.perf_counter(), time.process_time()
        db.session.execute(insert(db.metadata.tables["visit"]), rows)
        db.session.commit()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    empty_tables(app)
    return len(rows) / elapsed, cpu


def endpoint(base, phone, rows, server) -> tuple[float, float, float]:
    """Mutations per second through the real HTTP endpoint, DEVICES flushing concurrently.

    Also returns the CPU seconds the gunicorn workers and the client (this process) used meanwhile.
    """
    batches = []
    for i in range(0, len(rows), BATCH):
        batches.append([{"id": r["uuid"], "type": "visit.add", "client_time": "2026-09-23T08:00:00+08:00",
                         "payload": {"household_id": r["household_id"], "visited_at": "2026-09-23T07:33:00+08:00",
                                     "kind": "routine", "notes": r["notes"]}} for r in rows[i:i + BATCH]])
    sessions = [signed_in(base, phone) for _ in range(DEVICES)]

    def send(index):
        session, token = sessions[index % DEVICES]
        response = session.post(base + "/api/v1/sync", json={"client_id": f"d{index % DEVICES}", "mutations": batches[index]},
                                headers={"X-CSRFToken": token}, timeout=300)
        response.raise_for_status()
        statuses = {r["status"] for r in response.json()["results"]}
        assert statuses == {"applied"}, statuses

    workers = children(server.proc.pid)
    start, client, served = time.perf_counter(), time.process_time(), cpu_seconds(workers)
    with ThreadPoolExecutor(DEVICES) as pool:
        list(pool.map(send, range(len(batches))))
    elapsed, client, served = time.perf_counter() - start, time.process_time() - client, cpu_seconds(workers) - served
    for session, _token in sessions:
        session.close()
    return len(rows) / elapsed, served, client


def measure(label: str, url: str, rounds: int) -> None:
    """Alternate ceiling and endpoint `rounds` times on a fresh Fangzhuang-scale database."""
    from app.clock import utcnow

    instance = tempfile.mkdtemp(prefix="bench-inst-")
    app = build_app(url, instance)
    world = fangzhuang(app)
    tops, rates = [], []
    server = Gunicorn(url, instance)
    try:
        with server:
            for n in range(rounds):
                top, top_cpu = ceiling(app, visit_rows(world["household_ids"], world["user_id"], utcnow(), seed=n))
                rows = visit_rows(world["household_ids"], world["user_id"], utcnow(), seed=n)  # the same visits, new ids
                rate, served, client = endpoint(server.base, world["phone"], rows, server)
                cpu = served + client
                empty_tables(app)
                tops.append(top)
                rates.append(rate)
                print(f"  {label} round {n + 1}: endpoint {rate:,.0f} mut/s, bulk insert {top:,.0f} rows/s ({rate / top:.1%}); "
                      f"CPU {cpu / MUTATIONS * 1e6:,.0f} µs per mutation (workers {served / MUTATIONS * 1e6:,.0f} + client "
                      f"{client / MUTATIONS * 1e6:,.0f}), "
                      f"{top_cpu / MUTATIONS * 1e6:,.0f} µs per row (ceiling)", flush=True)
    except subprocess.TimeoutExpired:  # gunicorn slow to stop on a loaded machine: the figures are in
        server.proc.kill()
        server.proc.wait()
    rate, top = max(rates), max(tops)
    print(f"{label:<11} {rate:>15,.0f} {top:>19,.0f} {rate / top:>7.1%}   "
          f"({len(world['household_ids']):,} households, {MUTATIONS:,} mutations, batches of {BATCH}, {DEVICES} devices, "
          f"best of {rounds} rounds each)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="ceiling/endpoint rounds per database (default 3)")
    parser.add_argument("--only", choices=("SQLite", "PostgreSQL"), help="measure one database only")
    args = parser.parse_args()
    print(f"{'database':<11} {'endpoint mut/s':>15} {'bulk insert rows/s':>19} {'ratio':>7}")
    for label, url in databases():
        if args.only in (None, label):
            measure(label, url, args.rounds)


if __name__ == "__main__":
    main()
