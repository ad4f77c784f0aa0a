"""Fan-out of one notice to 40,000 subscriptions against a local push receiver.

Prints deliveries per second with one worker process (`app.push.worker.run`, the code behind
`flask push work`) beside the ceiling measured in the same run: the rate of encryption alone
(pywebpush's aes128gcm encode, which is http_ece's encrypt with a fresh ECDH key per message) for the
same messages, single process, measured before and after the sends (the higher figure is used, as the
machine is shared). Target: >= 40 % of that ceiling, and the 40,000 sent in under 2 minutes.

    .venv/bin/python bench/push.py [--subscriptions 40000] [--concurrency 64] [--batch 1000] [--rounds 3]
        [--client both|library|hand-written] [--postgres] [--profile]

The worker posts with libcurl through pycurl (app/push/transport.py, "library"). Side by side, each
round also sends a notice with the hand-written HTTP/1.1 client it replaced (bench/_http1_reference.py,
a copy kept only as this yardstick, "hand-written"), the two in turns (which goes first alternates by
round), between the same two ceiling measurements: the summary prints what the library costs.

Each round sends a new notice to every subscription per client and prints its own figures and the
load average; the summary gives every round's ratio (the machine is shared, the load moves). Beside
the target's wall-clock measure it prints CPU seconds: the worker's (and its database thread's), the
receiver's, PostgreSQL's backend's, and encryption alone per CPU second.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def receiver(port: int, ready, accepted, public_key: str) -> None:
    """A push service stand-in in its own process, as lean as a push service's front end can honestly be.

    For each POST (HTTP/1.1, keep-alive) it reads the whole body and checks what a push service
    checks before it accepts a message (RFC 8030 §5, RFC 8292): a path of ours, a TTL, Content-Encoding
    aes128gcm, a body of 1..4096 bytes, and a VAPID Authorization whose ES256 signature, key and aud it
    verifies once per distinct token (a token is reused for hours, so a service caches the check);
    then it answers 201 Created with a Location, or 400/401. It does not decrypt (a push service cannot)
    nor store the message. `accepted` counts the 201s.
    """
    import asyncio

    from tests.push.pushservice import verify_vapid

    origin = f"http://127.0.0.1:{port}".encode()
    verified: set[str] = set()

    def check(request_line: str, headers: dict, length: int) -> bytes:
        method, path, _version = request_line.split(" ", 2)
        if method != "POST" or not path.startswith("/push/"):
            return b"404 Not Found"
        if not headers.get("ttl", "").isdigit() or headers.get("content-encoding") != "aes128gcm" \
                or not 0 < length <= 4096:
            return b"400 Bad Request"
        token = headers.get("authorization", "")
        if token not in verified:
            try:
                verify_vapid(token, public_key, origin.decode())
            except Exception:
                return b"401 Unauthorized"
            verified.add(token)
        return b"201 Created"

    class PushFrontEnd(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport, self.buffer = transport, bytearray()

        def data_received(self, data):
            self.buffer += data
            while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
                lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
                length = int(headers.get("content-length", "0"))
                if len(self.buffer) < end + 4 + length:
                    return  # the rest of the body is still coming
                del self.buffer[:end + 4 + length]
                status = check(lines[0], headers, length)
                if status.startswith(b"201"):
                    accepted.value += 1
                    self.transport.write(b"HTTP/1.1 201 Created\r\nLocation: %s/m/%d\r\nContent-Length: 0\r\n\r\n"
                                         % (origin, accepted.value))
                else:
                    self.transport.write(b"HTTP/1.1 %s\r\nContent-Length: 0\r\n\r\n" % status)

    async def serve():
        server = await asyncio.get_running_loop().create_server(PushFrontEnd, "127.0.0.1", port, backlog=1024)
        ready.set()
        await server.serve_forever()

    asyncio.run(serve())


def seed(app, n: int, origin: str, keys) -> tuple[int, int]:
    """n households (160 a building) each with a resident holding one subscribed phone; a staff sender."""
    from sqlalchemy import insert, select

    from app.extensions import db
    from app.models import Building, Community, Household, Role, RoleAssignment, Street, User
    from app.push.models import PushSubscription

    with app.app_context():
        street = Street(name="方庄地区")
        community = Community(street=street, name="芳群园")
        db.session.add(community)
        buildings = [Building(community=community, name=f"{i}号楼") for i in range((n + 159) // 160)]
        db.session.add_all(buildings)
        db.session.flush()
        db.session.execute(insert(Household), [
            {"building_id": buildings[i // 160].id, "unit": "1门", "room": str(i), "change_seq": 0, "is_deleted": False}
            for i in range(n)])
        db.session.execute(insert(User), [
            {"phone": f"1{i:010d}", "name": "居民", "password_hash": "!", "active": True} for i in range(n + 1)])
        user_ids = db.session.scalars(select(User.id).order_by(User.id)).all()
        household_ids = db.session.scalars(select(Household.id).order_by(Household.id)).all()
        staff = user_ids[-1]
        db.session.execute(insert(RoleAssignment), [
            {"user_id": u, "role": Role.RESIDENT, "household_id": h} for u, h in zip(user_ids, household_ids, strict=False)]
            + [{"user_id": staff, "role": Role.STAFF, "community_id": community.id}])
        now = __import__("app.clock").clock.utcnow()
        db.session.execute(insert(PushSubscription), [
            {"user_id": u, "endpoint": f"{origin}/push/{u}", "p256dh": keys.p256dh, "auth": keys.auth_b64,
             "device_label": "bench", "created_at": now} for u in user_ids[:n]])
        db.session.commit()
        return staff, community.id


def encryption_ceiling(n: int, origin: str, keys, payload: bytes) -> tuple[float, float]:
    """Messages per second for encryption alone (no HTTP, no database), one process: per wall and per CPU second."""
    from pywebpush import WebPusher

    start, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        info = {"endpoint": f"{origin}/push/{i}", "keys": {"p256dh": keys.p256dh, "auth": keys.auth_b64}}
        WebPusher(info).encode(payload, "aes128gcm")  # exactly the worker's call (app/push/channels.py)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return n / wall, n / cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=40_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--postgres", action="store_true",
                        help="use BENCH_DATABASE_URL, a database it may wipe (default bench_push on 127.0.0.1)")
    parser.add_argument("--profile", action="store_true", help="cProfile the worker's two threads; print the top")
    parser.add_argument("--rounds", type=int, default=3, help="notices sent one after another (the load moves)")
    parser.add_argument("--client", choices=("both", "library", "hand-written"), default="both",
                        help="which HTTP client sends: libcurl (the app's), the hand-written reference, or both in turns")
    args = parser.parse_args()
    n = args.subscriptions

    from tests.push.pushservice import DeviceKeys

    instance = tempfile.mkdtemp(prefix="bench-push-")
    os.environ["SIHEYUAN_INSTANCE"] = instance
    if args.postgres:
        from bench._common import databases  # noqa: F401 — keeps the shared helpers importable

        url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_push")
        from sqlalchemy import create_engine, text

        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{instance}/bench.db"
    from flask_migrate import upgrade

    from app import create_app
    from app.config import Config

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench-secret-key", PUSH_ALLOW_LOCAL_HTTP=True)
    with app.app_context():
        upgrade(revision="heads")

    from app.push import vapid

    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    global ACCEPTED
    ready = multiprocessing.Event()
    ACCEPTED = accepted = multiprocessing.Value("q", 0, lock=False)  # one writer: the receiver
    server = multiprocessing.Process(target=receiver, daemon=True,
                                     args=(port, ready, accepted, vapid.public_key(app.instance_path)))
    server.start()
    if not ready.wait(30):
        raise SystemExit("the receiver did not start")

    keys = DeviceKeys.generate()
    t0 = time.perf_counter()
    staff_id, community_id = seed(app, n, origin, keys)
    print(f"seeded {n:,} subscribed households in {time.perf_counter() - t0:.1f} s ({url.split(':')[0]})")

    from app.database import immediate_transactions
    from app.extensions import db
    from app.models import Building, User
    from app.push.channels import WebPushChannel
    from bench._http1_reference import HandWrittenChannel

    kinds = {"library": WebPushChannel, "hand-written": HandWrittenChannel}
    clients = list(kinds) if args.client == "both" else [args.client]
    results = []
    with app.app_context():
        immediate_transactions()
        staff = db.session.get(User, staff_id)
        buildings = list(db.session.scalars(db.select(Building).where(Building.community_id == community_id)))
        channels = {name: kinds[name](vapid.load(app.instance_path), "mailto:bench@siheyuan.invalid",
                                      pool_size=args.concurrency) for name in clients}
        # the database server's process for this session (PostgreSQL runs on the same 2 cores)
        backend = db.session.execute(db.text("SELECT pg_backend_pid()")).scalar() if args.postgres else None
        db.session.commit()
        for number in range(1, args.rounds + 1):
            print(f"--- round {number} of {args.rounds}")
            order = clients if number % 2 else clients[::-1]  # who goes first alternates
            results.append(one_round(args, staff, buildings, community_id, {c: channels[c] for c in order},
                                     server.pid, backend, origin, keys))
        for channel in channels.values():
            channel.close()
    server.terminate()

    print(f"=== {len(results)} rounds, {n:,} subscriptions ({url.split(':')[0]}), one worker process, "
          f"{args.concurrency} requests in flight")
    ok = True
    for client in clients:
        ratios = sorted(r[client]["ratio"] for r in results)
        slowest = max(r[client]["elapsed"] for r in results)
        per_cpu = statistics.median(r[client]["cpu_us"] for r in results)
        print(f"=== {client:12s}: ratio of the ceiling {', '.join(f'{r:.0%}' for r in ratios)} "
              f"(median {statistics.median(ratios):.0%}; target >= 40 %); slowest send {slowest:.1f} s for {n:,} "
              f"(target < 120 s); worker CPU {per_cpu:.0f} µs per delivery (median)")
        ok = ok and all(r[client]["sent"] == n == r[client]["accepted"] for r in results)
    if len(clients) == 2:
        rate = statistics.median(r["library"]["rate"] / r["hand-written"]["rate"] for r in results)
        cpu = statistics.median(r["library"]["cpu_us"] - r["hand-written"]["cpu_us"] for r in results)
        print(f"=== the library against the hand-written client, same rounds: {rate:.0%} of its rate "
              f"(median of the rounds), {cpu:+.0f} µs of worker CPU per delivery")
    return 0 if ok else 1


def one_round(args, staff, buildings, community_id, channels, receiver_pid, backend, origin, keys) -> dict:
    """One notice to every subscription per channel, each sent in turn, between two ceiling measurements."""
    n = args.subscriptions
    sample = n  # the same messages the worker sends, all of them: as long a window as the send's
    figures, before = {}, None
    for name, channel in channels.items():  # each sends its own notice: created just before its send
        payload_json = new_notice(staff, buildings, community_id, n)
        if before is None:
            before = encryption_ceiling(sample, origin, keys, payload_json)
        figures[name] = send_all(args, channel, receiver_pid, backend, name)
    after = encryption_ceiling(sample, origin, keys, payload_json)
    ceiling, ceiling_cpu = max(before[0], after[0]), max(before[1], after[1])
    print(f"ceiling — encryption alone ({sample:,} messages, one process): {ceiling:,.0f} messages/s "
          f"(before {before[0]:,.0f}, after {after[0]:,.0f}); {ceiling_cpu:,.0f} messages per CPU second")
    for name, f in figures.items():
        f["ratio"] = f["rate"] / ceiling
        print(f"{name}: ratio {f['ratio']:.0%} of the ceiling (target >= 40 %); total {f['elapsed']:.1f} s "
              f"for {n:,} (target < 120 s); by CPU {f['sent'] / f['cpu'] / ceiling_cpu:.0%} (not the target's measure)")
    return figures


def new_notice(staff, buildings, community_id, n) -> bytes:
    """An urgent notice to every subscription (its deliveries written to the outbox); returns its push payload."""
    import json

    from app.clock import utcnow
    from app.extensions import db
    from app.notices.models import Urgency
    from app.notices.schemas import NoticeIn
    from app.notices.services import send_notice
    from app.push.models import PushMessage

    body = "地下车库一辆车起火,消防正在处置。请大家不要进入车库,不要挪车,家中有老人的请邻居帮忙照看。"
    t0 = time.perf_counter()
    notice = send_notice(db.session, staff, NoticeIn(title="紧急:地下车库车辆起火", body=body, urgency=Urgency.URGENT,
                                                     community_ids=[community_id]), buildings, "芳群园", now=utcnow())
    db.session.commit()
    fanout = time.perf_counter() - t0
    message = db.session.scalar(db.select(PushMessage).where(PushMessage.notice_id == notice.id))
    payload_json = json.dumps(message.payload(), ensure_ascii=False).encode()
    db.session.commit()
    print(f"notice created with its {n:,} deliveries (outbox) in {fanout:.2f} s")
    return payload_json


def send_all(args, channel, receiver_pid, backend, name) -> dict:
    """Run the worker until nothing is due (the deliveries of the notices not yet sent) through `channel`."""
    from app.extensions import db
    from app.push import worker

    accepted_before = accepted_count()
    profiles = start_profiles(channel) if args.profile else None
    load_before, receiver_cpu = os.getloadavg(), cpu_seconds(receiver_pid)
    backend_cpu = cpu_seconds(backend) if backend else 0.0
    t0, cpu, db_cpu = time.perf_counter(), time.process_time(), time.thread_time()
    stats = worker.run(db.session, channel, once=True, batch_size=args.batch)
    elapsed, cpu, db_cpu = time.perf_counter() - t0, time.process_time() - cpu, time.thread_time() - db_cpu
    load_after, receiver_cpu = os.getloadavg(), cpu_seconds(receiver_pid) - receiver_cpu
    backend_cpu = cpu_seconds(backend) - backend_cpu if backend else 0.0
    if profiles:
        print_profiles(channel, profiles)
    accepted = accepted_count() - accepted_before
    rate = stats.sent / elapsed if elapsed else 0.0
    print(f"{name}: sent {stats.sent:,} (retry {stats.retried}, failed {stats.failed}) in {elapsed:.1f} s "
          f"with one worker process, {args.concurrency} requests in flight: {rate:,.0f} deliveries/s; "
          f"receiver accepted {accepted:,}; load average {load_before[0]:.2f}/{load_after[0]:.2f} (1 min, "
          f"before/after) on {os.cpu_count()} cores")
    # On a shared machine the wall-clock ratio moves with everyone else's load; CPU seconds show the work itself.
    print(f"{name}: CPU: worker {cpu:.1f} s ({cpu / max(stats.sent, 1) * 1e6:.0f} µs per delivery; its database "
          f"thread {db_cpu:.1f} s), receiver {receiver_cpu:.1f} s"
          + (f", PostgreSQL backend {backend_cpu:.1f} s" if backend else ""))
    return {"rate": rate, "elapsed": elapsed, "sent": stats.sent, "accepted": accepted, "cpu": cpu,
            "cpu_us": cpu / max(stats.sent, 1) * 1e6}


ACCEPTED = None  # the receiver's shared counter


def accepted_count() -> int:
    return ACCEPTED.value


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_profiles(channel):
    """cProfile (CPU time) in this thread (the database side) and in the channel's thread (encryption, HTTP)."""
    import cProfile

    main, lanes = cProfile.Profile(time.thread_time), cProfile.Profile(time.thread_time)  # CPU, not preemption
    in_channel_thread(channel, lanes.enable)
    main.enable()
    return main, lanes


def in_channel_thread(channel, function) -> None:
    """Run `function` in the thread where the channel encrypts and sends (its event loop's, for the reference)."""
    if hasattr(channel, "run_in_thread"):
        channel.run_in_thread(function)
        return
    from concurrent.futures import Future

    done = Future()
    channel.loop.call_soon_threadsafe(lambda: (function(), done.set_result(None)))
    done.result(timeout=10)


def print_profiles(channel, profiles) -> None:
    import pstats

    main, lanes = profiles
    main.disable()
    in_channel_thread(channel, lanes.disable)
    for label, profile in (("worker thread (database)", main), ("channel thread (encryption, HTTP)", lanes)):
        print(f"--- {label}")
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    sys.exit(main())
