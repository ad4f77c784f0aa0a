"""The push worker: claims pending deliveries, sends them in parallel, records what happened.

Claiming is one UPDATE over a `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL), so several
workers never take the same row; on SQLite the claim runs under BEGIN IMMEDIATE (one writer).
Each batch costs a handful of statements (claim, read, record), never one per delivery.
A claim is a lease: a worker that dies leaves rows in "sending" that become claimable again
when the lease ends.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.database import among
from app.push.channels import Channel, Result
from app.push.models import Delivery, DeliveryStatus, PushMessage, PushSubscription

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


# Spelled exactly as the partial index ix_push_delivery_due (app/push/models.py), literals and all,
# so SQLite and PostgreSQL's generic plans can use it.
DUE = text("push_delivery.status IN ('pending', 'sending')")
NO_SYNC = {"synchronize_session": False}  # rows are read afresh after each commit; nothing to evaluate in memory


# Other outboxes the same worker drains (SMS and voice notices, app/sms): factories `make(config)`
# returning an object with drain(session) -> rows handled, and close(); or None when not configured.
OUTBOXES: list = []


def register_outbox(make) -> None:
    """Let `flask push work` drain another outbox between its own batches (idempotent; call it from an init_app)."""
    if make not in OUTBOXES:
        OUTBOXES.append(make)


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Exponential back-off after the n-th failed attempt (30 s, 60 s, 2 min … 1 h), or the server's Retry-After."""
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    if retry_after is not None:
        seconds = min(max(seconds, retry_after), BACKOFF_MAX_SECONDS)
    return timedelta(seconds=seconds)


def worker_name() -> str:
    """host:pid, recorded on the rows a worker claims."""
    return f"{socket.gethostname()}:{os.getpid()}"[:60]


def claim_rows(session: Session, model, due, sending, *, now: datetime, limit: int, worker: str) -> list[int]:
    """Claim up to `limit` due rows of an outbox table for this worker, commit, and return their ids.

    `model` has next_attempt_at, claimed_by and attempts; `due` selects its rows still to send. The
    claimed rows become `sending` with a lease of LEASE. Every outbox the worker drains claims this
    way (Web Push here, SMS and voice in app/sms).
    """
    rows = (select(model.id).where(due, model.next_attempt_at <= now)
            .order_by(model.next_attempt_at, model.id).limit(limit)
            .with_for_update(skip_locked=True))
    ids = list(session.scalars(
        update(model).where(model.id.in_(rows.scalar_subquery()))
        .values(status=sending, claimed_by=worker, attempts=model.attempts + 1, next_attempt_at=now + LEASE)
        .returning(model.id), execution_options=NO_SYNC))
    session.commit()
    return sorted(ids)


def claim(session: Session, *, now: datetime, limit: int, worker: str) -> list[int]:
    """Take up to `limit` due deliveries for this worker and commit the claim; returns their ids."""
    return claim_rows(session, Delivery, DUE, DeliveryStatus.SENDING, now=now, limit=limit, worker=worker)


@dataclass
class RunStats:
    """What one run of the worker did."""

    sent: int = 0
    retried: int = 0
    gone: int = 0
    failed: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Batch:
    """Claimed deliveries ready to send: the jobs, and (delivery id, attempts, subscription id) for each."""

    jobs: list = field(default_factory=list)
    sending: list[tuple[int, int, int]] = field(default_factory=list)
    settled: list[tuple[int, int, int | None, Result]] = field(default_factory=list)  # nothing to send


def prepare(session: Session, ids: list[int]) -> Batch:
    """Read what the claimed deliveries need: one query for them, one for their (few) messages."""
    rows = session.execute(
        select(Delivery.id, Delivery.attempts, Delivery.message_id, PushSubscription.id, PushSubscription.endpoint,
               PushSubscription.p256dh, PushSubscription.auth)
        .outerjoin(PushSubscription, PushSubscription.id == Delivery.subscription_id)
        .where(among(session, Delivery.id, ids))).all()
    message_ids = sorted({row[2] for row in rows})
    # one payload dict per message, shared by its jobs (the channel serialises each once)
    messages = session.scalars(select(PushMessage).where(among(session, PushMessage.id, message_ids)))
    payloads = {m.id: m.payload() for m in messages}
    session.commit()  # no transaction (nor lock) is held while we talk to push services
    batch = Batch()
    for delivery_id, attempts, message_id, sub_id, endpoint, p256dh, auth in rows:
        if sub_id is None:
            batch.settled.append((delivery_id, attempts, None, Result("gone", "subscription removed")))
            continue
        batch.sending.append((delivery_id, attempts, sub_id))
        batch.jobs.append((payloads[message_id], {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}))
    return batch


def send(channel: Channel, batch: Batch) -> list[Result]:
    """Send a batch; a broken channel must not lose it: then everything is retried."""
    if not batch.jobs:
        return []
    try:
        return channel.send_batch(batch.jobs)
    except Exception as exc:
        log.exception("push channel failed")
        return [Result("retry", f"{type(exc).__name__}: {exc}"[:500])] * len(batch.jobs)


def outcomes(batch: Batch, results: list[Result]) -> list[tuple[int, int, int | None, Result]]:
    """(delivery id, attempts, subscription id, result) for every delivery of the batch."""
    return batch.settled + [(d, a, s, r) for (d, a, s), r in zip(batch.sending, results, strict=True)]


def process(session: Session, ids: list[int], channel: Channel, stats: RunStats) -> None:
    """Send the claimed deliveries in parallel, then record every outcome in one transaction."""
    batch = prepare(session, ids)
    record(session, outcomes(batch, send(channel, batch)), now=utcnow(), stats=stats)


def record(session: Session, outcomes, *, now: datetime, stats: RunStats) -> None:
    """Write sent / retry / gone / failed for each delivery; delete subscriptions answered 404/410.

    A few statements per batch, whatever its size: one UPDATE for the sent rows, one for their
    subscriptions, one executemany for the rest (each row its own status and error).
    """
    sent = [d for d, _a, _s, r in outcomes if r.outcome == "sent"]
    if sent:
        session.execute(update(Delivery).where(among(session, Delivery.id, sent))
                        .values(status=DeliveryStatus.SENT, sent_at=now, last_error=""), execution_options=NO_SYNC)
        subs = sorted({s for _d, _a, s, r in outcomes if r.outcome == "sent" and s is not None})
        session.execute(update(PushSubscription).where(among(session, PushSubscription.id, subs))
                        .values(last_success_at=now), execution_options=NO_SYNC)
        stats.sent += len(sent)
    gone_subs = sorted({s for _d, _a, s, r in outcomes if r.outcome == "gone" and s is not None})
    rows = []
    for delivery_id, attempts, _sub, result in outcomes:
        if result.outcome == "gone":
            rows.append({"id": delivery_id, "status": DeliveryStatus.GONE, "last_error": result.error,
                         "next_attempt_at": now})
            stats.gone += 1
        elif result.outcome == "retry" and attempts < MAX_ATTEMPTS:
            rows.append({"id": delivery_id, "status": DeliveryStatus.PENDING, "last_error": result.error,
                         "next_attempt_at": now + backoff(attempts, result.retry_after)})
            stats.retried += 1
        elif result.outcome in ("retry", "failed"):
            rows.append({"id": delivery_id, "status": DeliveryStatus.FAILED, "last_error": result.error,
                         "next_attempt_at": now})
            stats.failed += 1
            stats.errors.append(result.error)
    if rows:  # ORM bulk UPDATE by primary key: one executemany
        session.execute(update(Delivery), rows)
    if gone_subs:
        session.execute(update(Delivery).where(among(session, Delivery.subscription_id, gone_subs),
                                               Delivery.status == DeliveryStatus.PENDING)
                        .values(status=DeliveryStatus.GONE, last_error="subscription gone"), execution_options=NO_SYNC)
        session.execute(delete(PushSubscription).where(among(session, PushSubscription.id, gone_subs)),
                        execution_options=NO_SYNC)
    session.commit()


def run(session: Session, channel: Channel, *, once: bool = False, batch_size: int = 1000,
        idle_sleep: float = 2.0, should_stop=lambda: False, others=()) -> RunStats:
    """Claim and send until nothing is due (once=True) or until stopped.

    The database work overlaps the sending, and batches overlap each other: batch k+1 is claimed,
    read and handed to the channel while batch k is still out, then batch k is waited for and
    recorded. The channel starts on k+1's jobs as k's last answers come in, so it never idles at a
    batch's tail. At most two batches are claimed and unrecorded at once (well within the lease);
    a stop request finishes and records what is in flight. `others` (SMS …) are drained one batch
    each per turn, while the push batch in flight is out.
    """
    stats = RunStats()
    worker = worker_name()
    in_flight: deque[tuple[Batch, Future]] = deque()
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="push-send") as sender:
        try:
            while True:
                batch = None
                if not should_stop():
                    ids = claim(session, now=utcnow(), limit=batch_size, worker=worker)
                    if ids:
                        stats.batches += 1
                        batch = prepare(session, ids)
                        in_flight.append((batch, sender.submit(send, channel, batch)))
                drained = 0 if should_stop() else sum(other.drain(session) for other in others)
                if not in_flight:
                    if drained:
                        continue
                    if once or should_stop():
                        break
                    time.sleep(idle_sleep)
                    continue
                if batch is None or len(in_flight) > 1:
                    done, future = in_flight.popleft()
                    record(session, outcomes(done, future.result()), now=utcnow(), stats=stats)
        except BaseException:
            # What was sent is recorded even when the database or a signal stops the loop: left as
            # "sending", it would be sent again when its lease ends.
            session.rollback()
            while in_flight:
                done, future = in_flight.popleft()
                record(session, outcomes(done, future.result()), now=utcnow(), stats=stats)
            raise
    return stats
