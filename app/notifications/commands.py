"""The notifications core's use cases: a person turns kinds of message off; marks all their messages read."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.commands import Context, command
from app.notifications.services import EVENT_KINDS, mark_all_read, muted_kinds, set_muted


class MuteIn(BaseModel):
    """The kinds the person turns off; every other kind is on (urgent notices are always on)."""

    muted: list[Literal[EVENT_KINDS]] = Field(default_factory=list, max_length=len(EVENT_KINDS))  # type: ignore[valid-type]


@command("notifications.mute", MuteIn)
def mute(ctx: Context, data: MuteIn) -> dict:
    """Turn the given kinds off for oneself (neither inbox nor phone), and the others on."""
    set_muted(ctx.session, ctx.user, set(data.muted))
    return {"muted": sorted(muted_kinds(ctx.session, ctx.user))}


class ReadAllIn(BaseModel):
    """Nothing to say: every unread message of the person becomes read."""


@command("notifications.read_all", ReadAllIn)
def read_all(ctx: Context, data: ReadAllIn) -> dict:
    """全部标为已读: mark all of one's own inbox items read (the header badge goes to 0)."""
    return {"marked": mark_all_read(ctx.session, ctx.user, now=ctx.now), "unread": 0}
