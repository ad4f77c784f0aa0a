"""The notifications core's use case: a person turns kinds of message off (called by its page)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.commands import Context, command
from app.notifications.services import EVENT_KINDS, muted_kinds, set_muted


class MuteIn(BaseModel):
    """The kinds the person turns off; every other kind is on (urgent notices are always on)."""

    muted: list[Literal[EVENT_KINDS]] = Field(default_factory=list, max_length=len(EVENT_KINDS))  # type: ignore[valid-type]


@command("notifications.mute", MuteIn)
def mute(ctx: Context, data: MuteIn) -> dict:
    """Turn the given kinds off for oneself (neither inbox nor phone), and the others on."""
    set_muted(ctx.session, ctx.user, set(data.muted))
    return {"muted": sorted(muted_kinds(ctx.session, ctx.user))}
