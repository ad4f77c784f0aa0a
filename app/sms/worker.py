"""Sending the SMS / voice outbox: claimed by the push worker (`flask push work`), leased, retried with back-off.

The claim, the lease and the back-off are Web Push's (app/push/worker.py): one UPDATE over a
`SELECT … FOR UPDATE SKIP LOCKED`, 5-minute leases, 30 s doubling to 1 h (or the provider's own
wait when it throttles). Each row is judged when it comes due, not when it was written:

- an SMS is skipped when a member of the household was reached by push (a push delivery of the
  notice sent) or the household has read the notice or been told in person;
- a call is skipped when the household has read or been told; while its SMS is still unsent it waits;
- a number on the opt-out list gets nothing.

The provider's rate limit (SMS_RATE_PER_SECOND) is kept by one pacer shared by the sending
threads; a throttling answer slows every thread down for a moment, and the row is retried later.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, select, text, update
from sqlalchemy.orm import Session

from app.clock import to_local, utcnow
from app.database import among
from app.extensions import db
from app.push.models import Delivery, DeliveryStatus, PushMessage
from app.push.worker import MAX_ATTEMPTS, NO_SYNC, backoff, claim_rows, worker_name
from app.sms.models import SmsDelivery, SmsKind, SmsOptOut, SmsStatus
from app.sms.providers import Provider, Result

log = logging.getLogger(__name__)

DUE = text("sms_delivery.status IN ('pending', 'sending')")  # spelled as ix_sms_delivery_due
WAIT_FOR_SMS = timedelta(minutes=5)  # a call looks again this much later while its SMS is still unsent
THROTTLE_PAUSE = 1.0  # s every sending thread waits after the provider throttled


class Pacer:
    """At most `rate` sends a second across threads (a shared schedule of start times)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        """Block until this thread's send may start."""
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.interval
        if start > now:
            time.sleep(start - now)

    def pause(self, seconds: float) -> None:
        """Push every later start back (the provider said: too fast)."""
        with self.lock:
            self.next = max(self.next, time.monotonic() + seconds)


@dataclass
class Job:
    """One claimed row to send."""

    id: int
    attempts: int
    kind: str
    phone: str
    template: str
    params: dict


@dataclass
class Stats:
    """What the SMS outbox did in one run of the worker."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass
class Sender:
    """The configured provider, paced, on a few threads (its SDK's calls block)."""

    provider: Provider
    rate: float
    prices: dict[str, int]  # kind → 分
    threads: int = 16
    pacer: Pacer = field(init=False)
    pool: ThreadPoolExecutor = field(init=False)

    def __post_init__(self):
        self.pacer = Pacer(self.rate)
        self.pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="sms-send")

    def _one(self, job: Job) -> Result:
        self.pacer.wait()
        send = self.provider.send_sms if job.kind == SmsKind.SMS else self.provider.call
        try:
            result = send(job.phone, job.template, job.params)
        except Exception as exc:  # unreachable, reset, timed out: try again later
            result = Result("retry", f"{type(exc).__name__}: {exc}"[:500])
        if result.outcome == "retry" and result.retry_after:
            self.pacer.pause(THROTTLE_PAUSE)
        return result

    def send(self, jobs: list[Job]) -> list[Result]:
        """Hand every job to the provider (paced, in parallel); one Result each, in order."""
        return list(self.pool.map(self._one, jobs))

    def close(self) -> None:
        """Stop the threads."""
        self.pool.shutdown(wait=True)


def claim(session: Session, *, now: datetime, limit: int, worker: str) -> list[int]:
    """Take up to `limit` due rows for this worker (a 5-minute lease) and commit the claim."""
    return claim_rows(session, SmsDelivery, DUE, SmsStatus.SENDING, now=now, limit=limit, worker=worker)


def _reached_by_push():
    return exists().where(Delivery.household_id == SmsDelivery.household_id, Delivery.status == DeliveryStatus.SENT,
                          Delivery.message_id == PushMessage.id, PushMessage.notice_id == SmsDelivery.notice_id)


def _read_or_told():
    # The notice's household receipt, by table name: this channel imports no feature (app/notices owns it).
    receipt = db.metadata.tables["notice_receipt"]
    return exists().where(receipt.c.notice_id == SmsDelivery.notice_id, receipt.c.household_id == SmsDelivery.household_id,
                          (receipt.c.read_at.is_not(None)) | (receipt.c.informed_in_person_at.is_not(None)))


def _sms_unsent():
    earlier = SmsDelivery.__table__.alias("earlier")
    return exists().where(earlier.c.kind == SmsKind.SMS.value, earlier.c.notice_id == SmsDelivery.notice_id,
                          earlier.c.household_id == SmsDelivery.household_id,
                          earlier.c.status.in_([SmsStatus.PENDING.value, SmsStatus.SENDING.value]))


def prepare(session: Session, ids: list[int]) -> tuple[list[Job], list[tuple[int, str]], list[int]]:
    """The claimed rows still to send, those no longer needed (id, why), and calls to look at again later."""
    rows = session.execute(
        select(SmsDelivery.id, SmsDelivery.attempts, SmsDelivery.kind, SmsDelivery.phone, SmsDelivery.template,
               SmsDelivery.params, _reached_by_push(), _read_or_told(), _sms_unsent(),
               exists().where(SmsOptOut.phone == SmsDelivery.phone))
        .where(among(session, SmsDelivery.id, ids))).all()
    session.commit()  # no transaction is held while the provider is talked to
    jobs, skipped, later = [], [], []
    for row_id, attempts, kind, phone, template, params, pushed, read, sms_unsent, opted in rows:
        if opted:
            skipped.append((row_id, "opted out"))
        elif read:
            skipped.append((row_id, "read or told in person"))
        elif kind == SmsKind.SMS and pushed:
            skipped.append((row_id, "reached by push"))
        elif kind == SmsKind.VOICE and sms_unsent:
            later.append(row_id)
        else:
            jobs.append(Job(row_id, attempts, kind, phone, template, json.loads(params)))
    return jobs, skipped, later


def record(session: Session, jobs: list[Job], results: list[Result], skipped, later, *, prices: dict[str, int],
           now: datetime, stats: Stats) -> None:
    """Write each row's outcome in one executemany (and the skipped and postponed ones)."""
    rows = []
    for job, result in zip(jobs, results, strict=True):
        if result.outcome == "sent":
            rows.append({"id": job.id, "status": SmsStatus.SENT, "sent_at": now, "provider_id": result.provider_id[:80],
                         "price_fen": prices.get(job.kind, 0), "last_error": "", "next_attempt_at": now + RECEIPT_FIRST})
            stats.sent += 1
        elif result.outcome == "retry" and job.attempts < MAX_ATTEMPTS:
            rows.append({"id": job.id, "status": SmsStatus.PENDING, "last_error": result.error,
                         "next_attempt_at": now + backoff(job.attempts, result.retry_after)})
            stats.retried += 1
        else:
            rows.append({"id": job.id, "status": SmsStatus.FAILED, "last_error": result.error, "next_attempt_at": now})
            stats.failed += 1
    for row_id, why in skipped:
        rows.append({"id": row_id, "status": SmsStatus.SKIPPED, "last_error": why, "next_attempt_at": now})
        stats.skipped += 1
    if rows:
        session.execute(update(SmsDelivery), rows)
    if later:  # waiting for its SMS is no attempt
        session.execute(update(SmsDelivery).where(among(session, SmsDelivery.id, later))
                        .values(status=SmsStatus.PENDING, next_attempt_at=now + WAIT_FOR_SMS,
                                attempts=SmsDelivery.attempts - 1), execution_options=NO_SYNC)
    session.commit()


RECEIPT_FIRST = timedelta(minutes=1)  # a report is asked for this long after sending, then every RECEIPT_AGAIN
RECEIPT_AGAIN = timedelta(minutes=5)
RECEIPT_GIVE_UP = timedelta(hours=48)  # the provider keeps SMS reports for a few days; after this we stop asking


def poll_receipts(session: Session, sender: Sender, *, now: datetime, limit: int = 100) -> int:
    """Ask the provider what became of sent messages (Alibaba Cloud offers polling); how many rows were asked about.

    A row stays `sent` until its report says delivered (SMS) or answered (call), or not; the reach
    report counts the delivered ones and the door-to-door list drops their households. The asks
    are paced with the sends (one rate limit at the provider).
    """
    rows = session.execute(
        select(SmsDelivery.id, SmsDelivery.kind, SmsDelivery.provider_id, SmsDelivery.phone, SmsDelivery.sent_at)
        .where(SmsDelivery.status == SmsStatus.SENT, SmsDelivery.receipt_at.is_(None),
               SmsDelivery.next_attempt_at <= now, SmsDelivery.provider_id != "")
        .order_by(SmsDelivery.next_attempt_at).limit(limit)).all()
    session.commit()
    if not rows:
        return 0

    def ask(row):
        sender.pacer.wait()
        sent_on = to_local(row.sent_at).strftime("%Y%m%d")  # the provider's SendDate is the local day
        try:
            return sender.provider.receipt(row.kind, row.provider_id, row.phone, sent_on)
        except Exception as exc:  # unreachable: ask again later
            log.warning("sms receipt for %s failed: %s", row.id, exc)
            return None

    updates = []
    for row, receipt in zip(rows, sender.pool.map(ask, rows), strict=True):
        if receipt is None or receipt.delivered is None:
            gave_up = now - row.sent_at >= RECEIPT_GIVE_UP
            updates.append({"id": row.id, "next_attempt_at": now + RECEIPT_AGAIN,
                            **({"receipt_at": now, "last_error": "no delivery report"} if gave_up else {})})
        else:
            updates.append({"id": row.id, "receipt_at": now, "next_attempt_at": now,
                            "status": SmsStatus.DELIVERED if receipt.delivered else SmsStatus.UNDELIVERED,
                            "last_error": "" if receipt.delivered else receipt.error[:500]})
    for row in updates:  # rows differ in their columns: one UPDATE each, a hundred at most per turn
        session.execute(update(SmsDelivery).where(SmsDelivery.id == row.pop("id")).values(**row),
                        execution_options=NO_SYNC)
    session.commit()
    return len(rows)


@dataclass
class Outbox:
    """The SMS outbox as the push worker drains it (app.push.worker.register_outbox)."""

    sender: Sender
    batch_size: int = 500
    stats: Stats = field(default_factory=Stats)
    worker: str = field(default_factory=worker_name)

    def drain(self, session: Session) -> int:
        """Claim one batch of due rows, send them, record them; how many rows were handled (0: nothing due)."""
        ids = claim(session, now=utcnow(), limit=self.batch_size, worker=self.worker)
        if not ids:
            return poll_receipts(session, self.sender, now=utcnow())
        jobs, skipped, later = prepare(session, ids)
        results = self.sender.send(jobs) if jobs else []
        record(session, jobs, results, skipped, later, prices=self.sender.prices, now=utcnow(), stats=self.stats)
        return len(ids)

    def summary(self) -> str:
        """What this run did, for `flask push work`'s last line."""
        s = self.stats
        return f"sms: sent {s.sent}, retry later {s.retried}, failed {s.failed}, skipped {s.skipped}"

    def close(self) -> None:
        """Stop the sending threads and say what was done."""
        self.sender.close()
        log.info(self.summary())


def outbox_for(config) -> Outbox | None:
    """The outbox the push worker drains when SMS is configured (None otherwise)."""
    from app.sms.config import all_problems, log_problems, ready
    from app.sms.providers import make_provider

    if not ready(config):
        return None
    provider = make_provider(config)
    log_problems(all_problems(config, make_provider))
    rate = config["SMS_RATE_PER_SECOND"]
    sender = Sender(provider, rate, {SmsKind.SMS: config["SMS_PRICE_FEN"], SmsKind.VOICE: config["VOICE_PRICE_FEN"]},
                    threads=min(64, max(4, rate)))
    return Outbox(sender, batch_size=max(100, rate * 10))
