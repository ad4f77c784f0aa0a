"""The channels a notification also goes out by, besides the inbox: Web Push today, SMS or WeChat later.

A channel is a function `channel(session, notification, recipients)` that a package registers in
its init_app (app/push registers Web Push). `post()` and `notify()` (app/notifications/services.py)
write the inbox items and then hand the same notification to every channel, in the caller's
transaction: a channel writes what it will send later (an outbox), it never sends from inside a
request. `recipients` is a SELECT of (user_id, household_id), the people who did not turn the
kind off (everyone for an urgent one).

The core imports no channel, so a deployment without Web Push (many phones in mainland China
cannot reach a push service) still has the inbox, and a new channel needs no change here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Notification:
    """What a person is told: one inbox item each, and a copy by every channel."""

    kind: str  # "notice", "issue.update", "vote", … (EVENT_KINDS are the ones a person may turn off)
    title: str
    body: str
    url: str
    at: datetime
    urgent: bool = False  # reaches everyone, whatever they turned off
    notice_id: int | None = None  # the notice it copies, if it is one


Channel = Callable[[Session, Notification, Select], None]

_CHANNELS: list[Channel] = []


def register_channel(channel: Channel) -> Channel:
    """Hand every notification to `channel` from now on (idempotent; call it from an init_app)."""
    if channel not in _CHANNELS:
        _CHANNELS.append(channel)
    return channel


def channels() -> tuple[Channel, ...]:
    """The registered channels, in the order they were registered."""
    return tuple(_CHANNELS)
