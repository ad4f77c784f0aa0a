"""The one clock of the application, so tests can freeze time.

Every rule that depends on "now" calls utcnow() (or takes `now` as an argument);
tests replace the current time with freeze().
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_frozen: datetime | None = None


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (or the frozen time in tests)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def set_now(moment: datetime | None) -> None:
    """Freeze the clock at `moment` (aware), or release it with None."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("set_now needs an aware datetime")
    _frozen = moment.astimezone(UTC) if moment is not None else None


@contextmanager
def freeze(moment: datetime):
    """Freeze the clock for the duration of a with-block."""
    previous = _frozen
    set_now(moment)
    try:
        yield
    finally:
        set_now(previous)


def as_utc(moment: datetime | None) -> datetime | None:
    """Treat naive datetimes read back from SQLite as UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def to_local(moment: datetime | None) -> datetime | None:
    """Convert a stored UTC time to Asia/Shanghai for display."""
    moment = as_utc(moment)
    return moment.astimezone(LOCAL_TZ) if moment is not None else None


def month_start(moment: datetime) -> datetime:
    """The first instant (UTC) of the Beijing calendar month `moment` falls in (budgets, the demo's last month)."""
    return to_local(moment).replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
