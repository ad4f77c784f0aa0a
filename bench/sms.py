"""SMS benchmark: one urgent notice to 40,000 households by SMS, handed to the (fake) provider by the worker.

The provider is tests/sms/fake_aliyun.py in its own process (it checks every request's ACS3
signature, as Alibaba Cloud does, and counts). The worker is what `flask push work` runs for SMS
(app.sms.worker.Outbox: claim 500 due rows with a lease, decide who still needs one, send them on
its threads through the Alibaba Cloud SDK, record the outcomes). The ceiling, measured alone in the
same run before and after: the SDK's own rate, as many threads as the worker's calling SendSms back to back
with no database at all. Target: the worker >= 50 % of that ceiling.

The provider's real rate limit (SMS_RATE_PER_SECOND, Alibaba's default is far below these figures)
is set out of the way here: the benchmark measures what the app adds on top of the SDK.

    .venv/bin/python bench/sms.py [--households 40000] [--postgres]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAKE = """
import sys, threading
sys.path.insert(0, {root!r})
from tests.sms.fake_aliyun import FakeAliyun, serve
fake = FakeAliyun(record=False)
server, endpoint = serve(fake)
print(endpoint, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
"""


def start_fake() -> tuple[subprocess.Popen, str]:
    """The fake provider in its own process (its signature checks must not share the worker's GIL)."""
    proc = subprocess.Popen([sys.executable, "-c", FAKE.format(root=str(ROOT))], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def build(url: str, endpoint: str):
    from flask_migrate import upgrade

    from app import create_app
    from app.config import Config
    from tests.sms.fake_aliyun import KEY_ID, KEY_SECRET

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench-secret-key", SMS_PROVIDER="aliyun",
                     SMS_ACCESS_KEY_ID=KEY_ID, SMS_ACCESS_KEY_SECRET=KEY_SECRET, SMS_SIGN_NAME="掌上四合院",
                     SMS_TEMPLATE_NOTICE="SMS_NOTICE", SMS_ENDPOINT=endpoint, VOICE_ENDPOINT=endpoint,
                     SMS_ALLOW_LOCAL_HTTP=True, SMS_RATE_PER_SECOND=1_000_000,
                     SMS_LINK_BASE_URL="https://siheyuan.example.cn")
    with app.app_context():
        upgrade(revision="heads")
    return app


def seed(app, households: int) -> tuple[int, list[int]]:
    """`households` households (160 a building), each with a mobile number in the ledger; the street's account."""
    from app.extensions import db
    from bench._common import fangzhuang

    buildings = -(-households // 160)
    data = fangzhuang(app, buildings=buildings, households_per_building=160)
    with app.app_context():
        extra = data["household_ids"][households:]
        if extra:
            db.session.execute(db.text("DELETE FROM household WHERE id >= :first"), {"first": extra[0]})
        phone = ("'13' || lpad(CAST(id AS TEXT), 9, '0')" if db.engine.dialect.name == "postgresql"
                 else "'13' || substr('000000000' || id, -9, 9)")
        db.session.execute(db.text(f"UPDATE household SET contact_phone = {phone}"))
        db.session.commit()
        ids = [r[0] for r in db.session.execute(db.text("SELECT id FROM building ORDER BY id"))]
    return data["user_id"], ids


def sdk_ceiling(endpoint: str, threads: int, n: int) -> float:
    """Messages per second the SDK alone hands to the fake: `threads` threads calling SendSms, no database."""
    from app.sms.providers.aliyun import AliyunProvider
    from tests.sms.fake_aliyun import KEY_ID, KEY_SECRET

    provider = AliyunProvider(KEY_ID, KEY_SECRET, sign_name="掌上四合院", sms_endpoint=endpoint,
                              voice_endpoint=endpoint, protocol="HTTP")
    params = {"title": "紧急:地下车库车辆起火", "link": "https://siheyuan.example.cn/notices/1"}
    phones = [f"139{i:08d}" for i in range(n)]
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda p: provider.send_sms(p, "SMS_NOTICE", params), phones[:threads * 4]))  # connections up
        t0 = time.perf_counter()
        results = list(pool.map(lambda p: provider.send_sms(p, "SMS_NOTICE", params), phones))
        elapsed = time.perf_counter() - t0
    assert all(r.outcome == "sent" for r in results), {r.error for r in results if r.outcome != "sent"}
    return n / elapsed


def send_all(app, user_id: int, building_ids: list[int], households: int) -> tuple[float, float, dict]:
    """Write the notice (its SMS rows in the outbox), then drain them as the worker does; (fan-out s, send s, stats)."""
    from app.clock import utcnow
    from app.database import immediate_transactions
    from app.extensions import db
    from app.models import Building, User
    from app.notices.models import Urgency
    from app.notices.schemas import NoticeIn
    from app.notices.services import send_notice
    from app.sms.models import SmsDelivery, SmsStatus
    from app.sms.worker import outbox_for

    with app.app_context():
        immediate_transactions()
        user = db.session.get(User, user_id)
        buildings = list(db.session.scalars(db.select(Building).where(Building.id.in_(building_ids))))
        t0 = time.perf_counter()
        send_notice(db.session, user, NoticeIn(title="紧急:地下车库车辆起火", body="请不要进入车库。",
                                               urgency=Urgency.URGENT, building_ids=building_ids, phone_channels="sms"),
                    buildings, "方庄地区", now=utcnow())
        db.session.commit()
        fanout = time.perf_counter() - t0
        written = db.session.scalar(db.select(db.func.count()).select_from(SmsDelivery))
        assert written >= households, written
        outbox = outbox_for(app.config)
        t0 = time.perf_counter()
        while outbox.drain(db.session):
            if not db.session.scalar(db.select(db.func.count()).select_from(SmsDelivery)
                                     .where(SmsDelivery.status.in_([SmsStatus.PENDING, SmsStatus.SENDING]))):
                break
        elapsed = time.perf_counter() - t0
        outbox.close()
        stats = outbox.stats
        db.session.execute(db.delete(SmsDelivery))
        db.session.commit()
    return fanout, elapsed, {"sent": stats.sent, "retried": stats.retried, "failed": stats.failed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=40_000)
    parser.add_argument("--sample", type=int, default=8_000, help="messages the ceiling sends")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--postgres", action="store_true", help="use BENCH_DATABASE_URL, a database it may wipe")
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="bench-sms-")
    os.environ["SIHEYUAN_INSTANCE"] = instance
    if args.postgres:
        from bench._common import wipe_postgres

        url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_sms")
        wipe_postgres(url)
        url = url.replace("postgresql://", "postgresql+psycopg://")
    else:
        url = f"sqlite:///{instance}/bench.db"
    proc, endpoint = start_fake()
    try:
        app = build(url, endpoint)
        from app.sms.worker import outbox_for

        with app.app_context():  # the ceiling uses as many threads as the worker's sender
            probe = outbox_for(app.config)
            threads = probe.sender.threads
            probe.close()
        t0 = time.perf_counter()
        user_id, building_ids = seed(app, args.households)
        print(f"seeded {args.households:,} households with mobile numbers in {time.perf_counter() - t0:.1f} s "
              f"({'PostgreSQL' if args.postgres else 'SQLite'})")
        ratios = []
        for number in range(1, args.rounds + 1):
            before = sdk_ceiling(endpoint, threads, args.sample)
            fanout, elapsed, stats = send_all(app, user_id, building_ids, args.households)
            after = sdk_ceiling(endpoint, threads, args.sample)
            ceiling = max(before, after)
            rate = stats["sent"] / elapsed
            ratios.append(rate / ceiling)
            print(f"--- round {number}: notice written with its {stats['sent']:,} SMS rows in {fanout:.2f} s")
            print(f"ceiling — the SDK alone ({threads} threads, {args.sample:,} SendSms, no database): "
                  f"{ceiling:,.0f} SMS/s (before {before:,.0f}, after {after:,.0f})")
            print(f"worker: {stats['sent']:,} handed to the provider (retry {stats['retried']}, failed {stats['failed']}) "
                  f"in {elapsed:.1f} s = {rate:,.0f} SMS/s: {rate / ceiling:.0%} of the ceiling (target >= 50 %)")
        print(f"=== {args.rounds} rounds: {', '.join(f'{r:.0%}' for r in ratios)} of the ceiling; best {max(ratios):.0%}")
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
