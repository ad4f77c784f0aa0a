"""Subscriptions, the outbox of deliveries, the in-app inbox, and `notify()` for other features.

Nothing here sends: creating a message writes its deliveries in the caller's transaction
(the outbox), and the worker (app/push/worker.py) sends them later.
"""
from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import datetime
from functools import cache
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from flask_babel import gettext as _
from sqlalchemy import Boolean, ColumnElement, Integer, Select, bindparam, cast, delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.database import plain_rows
from app.models import User
from app.models.base import UTCDateTime
from app.push.models import Delivery, DeliveryStatus, InboxItem, MutedKind, PushMessage, PushSubscription, SentOnce

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")

# Kinds of event a user may turn off (urgent notices can never be turned off).
EVENT_KINDS = ("notice", "issue.update", "issue.deadline", "issue.dispatch", "vote")


class SubscriptionError(ValueError):
    """A subscription the browser sent is not usable; the message says why."""


def _b64url(value: str) -> bytes:
    if not isinstance(value, str) or not value or len(value) > 200:
        raise binascii.Error("empty or too long")
    if any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=" for c in value):
        raise binascii.Error("not base64url")
    return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))


def public_host(host: str) -> bool:
    """True for a public IP or a domain name under a real top-level domain.

    The worker POSTs to whatever address a browser sent, so an address inside the server's own
    network (127.0.0.1, 10.x, 169.254.169.254, "localhost", a bare "redis", "0x7f.1") would let any
    signed-in person make it send requests there. Push services are public hosts. (A public name
    that resolves to a private address is for the network's egress rules to stop.)
    """
    host = host.lower().rstrip(".")
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        pass
    tld = host.rpartition(".")[2]
    return "." in host and bool(re.fullmatch(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}", tld)) and tld != "localhost"


def check_subscription(endpoint: str, p256dh: str, auth: str, *, allow_local_http: bool = False) -> None:
    """Raise SubscriptionError unless the endpoint is an https URL and the keys are a P-256 point and 16 bytes."""
    parts = urlsplit(endpoint or "")
    local_http = allow_local_http and parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if len(endpoint or "") > 1000 or not parts.netloc or (parts.scheme != "https" and not local_http):
        raise SubscriptionError(_("The push address must be an https:// address."))
    if not local_http and not public_host(parts.hostname or ""):
        raise SubscriptionError(_("The push address must be a push service on the internet."))
    try:
        point = _b64url(p256dh)
        if len(point) != 65 or point[0] != 4:
            raise ValueError("length")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (binascii.Error, ValueError):
        raise SubscriptionError(_("The device key (p256dh) is not a valid P-256 public key.")) from None
    try:
        if len(_b64url(auth)) != 16:
            raise ValueError("length")
    except (binascii.Error, ValueError):
        raise SubscriptionError(_("The device secret (auth) must be 16 bytes in base64url.")) from None


def subscribe(session: Session, user: User, endpoint: str, p256dh: str, auth: str, device_label: str = "",
              *, now: datetime, allow_local_http: bool = False) -> PushSubscription:
    """Store (or refresh) this device's subscription for `user`; a device belongs to whoever signed in last."""
    check_subscription(endpoint, p256dh, auth, allow_local_http=allow_local_http)
    sub = session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if sub is None:
        sub = PushSubscription(endpoint=endpoint, created_at=now)
        session.add(sub)
    sub.user_id, sub.p256dh, sub.auth, sub.device_label = user.id, p256dh, auth, (device_label or "")[:200]
    session.flush()
    return sub


def unsubscribe(session: Session, user: User, endpoint: str) -> bool:
    """Forget this device's subscription (only the user's own); True when one was removed."""
    result = session.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint,
                                                            PushSubscription.user_id == user.id))
    return bool(result.rowcount)


def subscriptions_of(session: Session, user: User) -> list[PushSubscription]:
    """The user's subscribed devices, newest first."""
    return list(session.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id)
                                .order_by(PushSubscription.created_at.desc())))


def enqueue(session: Session, message: PushMessage, recipients: Select, *, now: datetime,
            respect_muted: bool = True) -> int:
    """Write one pending delivery per subscribed device of `recipients` (SELECT of user_id, household_id).

    Runs in the caller's transaction, so the message and its deliveries commit together (outbox).
    """
    session.flush()
    r = recipients.subquery()
    query = (select(literal(message.id), PushSubscription.id, r.c[0], r.c[1], literal("webpush"),
                    literal(DeliveryStatus.PENDING.value), literal(0), literal(now, UTCDateTime), literal(""), literal(""))
             .join(r, PushSubscription.user_id == r.c[0]))
    if respect_muted and not message.urgent:
        muted = select(MutedKind.user_id).where(MutedKind.kind == message.kind)
        query = query.where(PushSubscription.user_id.not_in(muted))
    columns = ["message_id", "subscription_id", "user_id", "household_id", "channel", "status", "attempts",
               "next_attempt_at", "claimed_by", "last_error"]
    result = session.execute(insert(Delivery).from_select(columns, query))
    return result.rowcount if result.rowcount is not None and result.rowcount >= 0 else 0


def add_to_inbox(session: Session, recipients: Select, *, kind: str, title: str, body: str, url: str,
                 urgent: bool, notice_id: int | None, now: datetime) -> int:
    """One inbox item per distinct recipient user (the in-app copy every notice and event gets)."""
    r = recipients.subquery()
    query = select(r.c[0], literal(kind), literal(title[:120]), literal(body), literal(url), literal(urgent, Boolean),
                   cast(literal(notice_id), Integer), literal(now, UTCDateTime), literal(now, UTCDateTime)).distinct()
    columns = ["user_id", "kind", "title", "body", "url", "urgent", "notice_id", "created_at", "updated_at"]
    result = session.execute(insert(InboxItem).from_select(columns, query))
    return result.rowcount if result.rowcount is not None and result.rowcount >= 0 else 0


def notify(session: Session, users: list[User], kind: str, title: str, body: str, url: str, *,
           urgent: bool = False, now: datetime) -> PushMessage:
    """Tell `users` about an event: an inbox item each, and a push to each of their devices.

    People who turned `kind` off get neither (the problem or convention page still shows it);
    urgent messages reach everyone.
    """
    message = PushMessage(kind=kind, title=title[:120], body=short(body), url=url, urgent=urgent, created_at=now)
    session.add(message)
    session.flush()
    ids = sorted({u.id for u in users}) or [-1]
    recipients = select(User.id, cast(literal(None), Integer).label("household_id")).where(User.id.in_(ids))
    if not urgent:
        recipients = recipients.where(User.id.not_in(select(MutedKind.user_id).where(MutedKind.kind == kind)))
    add_to_inbox(session, recipients, kind=kind, title=title, body=body, url=url, urgent=urgent, notice_id=None, now=now)
    enqueue(session, message, recipients, now=now)
    return message


def claim_once(session: Session, key: str, subject_id: int, *, now: datetime) -> bool:
    """Record that `key` is being sent about `subject_id`; False when it already was (by anyone).

    Call it before notify() in the same transaction. The marker's primary key decides between two
    jobs or requests racing: on PostgreSQL the second insert waits for the first transaction and
    then fails; SQLite writers take the write lock in turn. A failed claim rolls back only itself.
    """
    session.flush()  # the caller's pending rows must not ride in (and roll back with) the savepoint
    try:
        with session.begin_nested():
            session.add(SentOnce(key=key, subject_id=subject_id, created_at=now))
    except IntegrityError:
        return False
    return True


def was_sent(key: str, subject_id) -> Select:
    """An EXISTS-able SELECT of the marker, for jobs that skip what was already sent."""
    return select(SentOnce.subject_id).where(SentOnce.key == key, SentOnce.subject_id == subject_id)


def short(text: str, limit: int = 120) -> str:
    """The first line-ish of a body, short enough for a lock screen."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unread(user_id) -> Select:
    table = InboxItem.__table__
    return select(func.count()).where(table.c.user_id == user_id, table.c.read_at.is_(None))


def unread_column() -> ColumnElement[int]:
    """The user's unopened inbox items, as a scalar subquery on User.id: read with the user of each page."""
    return _unread(User.id).scalar_subquery()


@cache
def _unread_count() -> Select:
    # Built once: building the statement cost more than running it.
    return _unread(bindparam("user_id"))


def unread_count(session: Session, user: User) -> int:
    """How many inbox items the user has not opened."""
    return plain_rows(session, _unread_count(), {"user_id": user.id}).scalar() or 0


def inbox(session: Session, user: User, limit: int = 100) -> list[InboxItem]:
    """The user's inbox, newest first."""
    return list(session.scalars(select(InboxItem).where(InboxItem.user_id == user.id)
                                .order_by(InboxItem.created_at.desc(), InboxItem.id.desc()).limit(limit)))


def mark_read(session: Session, user: User, *, now: datetime, notice_id: int | None = None,
              item_id: int | None = None) -> None:
    """Mark the user's inbox item (by id or by notice) read."""
    query = update(InboxItem).where(InboxItem.user_id == user.id, InboxItem.read_at.is_(None))
    query = query.where(InboxItem.notice_id == notice_id) if notice_id is not None else query.where(InboxItem.id == item_id)
    session.execute(query.values(read_at=now))


def set_muted(session: Session, user: User, kinds: set[str]) -> None:
    """Turn the given event kinds off for the user (the others on)."""
    session.execute(delete(MutedKind).where(MutedKind.user_id == user.id))
    for kind in sorted(kinds & set(EVENT_KINDS)):
        session.add(MutedKind(user_id=user.id, kind=kind))
    session.flush()


def muted_kinds(session: Session, user: User) -> set[str]:
    """The kinds the user turned off."""
    return set(session.scalars(select(MutedKind.kind).where(MutedKind.user_id == user.id)))
