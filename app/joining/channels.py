"""Where a reset code may also go besides the head's own mouth: an SMS gateway, where one is configured.

The same shape as app/notifications/channels.py: a package that talks to a gateway registers a
sender in its init_app with `register_code_sender(sender)`. A sender is called in the request's
transaction with the account and the code; it queues the message (an outbox row its worker sends)
and answers its name, or None when it cannot reach this person. None is configured by default,
and then the head reads the code out in person or by phone.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.models import User

CodeSender = Callable[[Session, User, str], str | None]
_SENDERS: list[CodeSender] = []


def register_code_sender(sender: CodeSender) -> CodeSender:
    """Offer every reset code to `sender` from now on (idempotent; call it from an init_app)."""
    if sender not in _SENDERS:
        _SENDERS.append(sender)
    return sender


def unregister_code_sender(sender: CodeSender) -> None:
    """Stop offering codes to `sender` (tests)."""
    if sender in _SENDERS:
        _SENDERS.remove(sender)


def send_code(session: Session, user: User, code: str) -> list[str]:
    """Offer the code to each registered sender; the names of those that queued it."""
    return [name for sender in _SENDERS if (name := sender(session, user, code))]
