"""Web Push subscriptions and the outbox of deliveries: the Web Push channel of the notifications core.

Nothing here sends: a notification handed to this channel (app/notifications/channels.py) becomes
one message and one pending delivery per subscribed device, written in the caller's transaction
(the outbox), and the worker (app/push/worker.py) sends them later.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import re
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as LookupTimeout
from datetime import datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from flask_babel import gettext as _
from sqlalchemy import Select, delete, insert, literal, select
from sqlalchemy.orm import Session

from app.commands import Refused
from app.models import User
from app.models.base import UTCDateTime
from app.notifications.channels import Notification
from app.push.models import Delivery, DeliveryStatus, PushMessage, PushSubscription

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def _b64url(value: str) -> bytes:
    if not isinstance(value, str) or not value or len(value) > 200:
        raise binascii.Error("empty or too long")
    if any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=" for c in value):
        raise binascii.Error("not base64url")
    return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))


def _refused(field: str, message: str) -> Refused:
    """A subscription the browser sent is not usable: `message` says why, on `field` of the API's body."""
    return Refused(message, "invalid_subscription", field=field)


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


RESOLVE_SECONDS = 2.0  # how long subscribing waits for DNS; no answer by then: accepted (the worker checks)
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="push-resolve")


def _addresses(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to now; [] when it does not resolve (or not within RESOLVE_SECONDS)."""
    future = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        return [info[4][0] for info in future.result(timeout=RESOLVE_SECONDS)]
    except (OSError, UnicodeError, ValueError, LookupTimeout):
        return []


def resolves_inside(host: str, port: int) -> bool:
    """True when the name resolves, right now, to a loopback, private, link-local or reserved address.

    The check the worker makes before each connection (app/push/transport.py), made once more when
    the subscription is stored, so a public-looking name that leads inside the network
    (127.0.0.1.nip.io, metadata.google.internal) is refused to the person subscribing rather than
    failing quietly at every send. A name that does not resolve now is let through: DNS may be
    down for a moment, and the send-time check stays.
    """
    return any(not ipaddress.ip_address(address.partition("%")[0]).is_global for address in _addresses(host, port))


def check_subscription(endpoint: str, p256dh: str, auth: str, *, allow_local_http: bool = False) -> None:
    """Refuse the subscription unless the endpoint is a public https URL and the keys a P-256 point and 16 bytes.

    The refusal is Refused("invalid_subscription") on the field at fault (endpoint, keys.p256dh, keys.auth).
    """
    parts = urlsplit(endpoint or "")
    local_http = allow_local_http and parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if len(endpoint or "") > 1000 or not parts.netloc or (parts.scheme != "https" and not local_http):
        raise _refused("endpoint", _("The push address must be an https:// address."))
    if not local_http:
        try:
            port = parts.port or 443
        except ValueError:
            port = None
        if port is None or not public_host(parts.hostname or "") or resolves_inside(parts.hostname, port):
            raise _refused("endpoint", _("The push address must be a push service on the internet."))
    try:
        point = _b64url(p256dh)
        if len(point) != 65 or point[0] != 4:
            raise ValueError("length")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (binascii.Error, ValueError):
        raise _refused("keys.p256dh", _("The device key (p256dh) is not a valid P-256 public key.")) from None
    try:
        if len(_b64url(auth)) != 16:
            raise ValueError("length")
    except (binascii.Error, ValueError):
        raise _refused("keys.auth", _("The device secret (auth) must be 16 bytes in base64url.")) from None


def subscribe(session: Session, user: User, endpoint: str, p256dh: str, auth: str, device_label: str = "",
              *, now: datetime, allow_local_http: bool = False) -> PushSubscription:
    """Store (or refresh) this device's subscription for `user`; a device belongs to whoever signed in last.

    Moving a subscription from another account needs its own keys: the endpoint is no secret (it
    travels to the push service, and shows in logs), but the auth secret never leaves the browser
    that made it and this server. So a shared family phone switching accounts (the same browser,
    the same keys) moves it, while someone posting another person's endpoint with keys of their
    own is refused, and the owner keeps getting their notices.
    """
    check_subscription(endpoint, p256dh, auth, allow_local_http=allow_local_http)
    sub = session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if sub is not None and sub.user_id != user.id and not same_keys(sub, p256dh, auth):
        raise _refused("endpoint", _("This push address belongs to another account; only the device that holds it "
                                     "can move it here."))
    if sub is None:
        sub = PushSubscription(endpoint=endpoint, created_at=now)
        session.add(sub)
    sub.user_id, sub.p256dh, sub.auth, sub.device_label = user.id, p256dh, auth, (device_label or "")[:200]
    session.flush()
    return sub


def same_keys(sub: PushSubscription, p256dh: str, auth: str) -> bool:
    """Whether the keys sent are the subscription's own (compared as bytes: padding may differ; in constant time)."""
    try:
        return (hmac.compare_digest(_b64url(sub.p256dh), _b64url(p256dh))
                & hmac.compare_digest(_b64url(sub.auth), _b64url(auth)))
    except (binascii.Error, ValueError):
        return False


def unsubscribe(session: Session, user: User, endpoint: str) -> bool:
    """Forget this device's subscription (only the user's own); True when one was removed."""
    result = session.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint,
                                                            PushSubscription.user_id == user.id))
    return bool(result.rowcount)


def subscriptions_of(session: Session, user: User) -> list[PushSubscription]:
    """The user's subscribed devices, newest first."""
    return list(session.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id)
                                .order_by(PushSubscription.created_at.desc())))


def enqueue(session: Session, message: PushMessage, recipients: Select, *, now: datetime) -> int:
    """Write one pending delivery per subscribed device of `recipients` (SELECT of user_id, household_id).

    Runs in the caller's transaction, so the message and its deliveries commit together (outbox).
    Who turned the kind off is already left out of `recipients` (app.notifications.services.post).
    """
    session.flush()
    r = recipients.subquery()
    query = (select(literal(message.id), PushSubscription.id, r.c[0], r.c[1], literal("webpush"),
                    literal(DeliveryStatus.PENDING.value), literal(0), literal(now, UTCDateTime), literal(""), literal(""))
             .join(r, PushSubscription.user_id == r.c[0]))
    columns = ["message_id", "subscription_id", "user_id", "household_id", "channel", "status", "attempts",
               "next_attempt_at", "claimed_by", "last_error"]
    result = session.execute(insert(Delivery).from_select(columns, query))
    return result.rowcount if result.rowcount is not None and result.rowcount >= 0 else 0


def short(text: str, limit: int = 120) -> str:
    """The first line-ish of a body, short enough for a lock screen."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def push_channel(session: Session, note: Notification, recipients: Select) -> None:
    """The Web Push channel (registered by app/push's init_app): the message and a delivery per device."""
    message = PushMessage(kind=note.kind, title=note.title[:120], body=short(note.body), url=note.url,
                          urgent=note.urgent, notice_id=note.notice_id, created_at=note.at)
    session.add(message)
    session.flush()
    enqueue(session, message, recipients, now=note.at)
