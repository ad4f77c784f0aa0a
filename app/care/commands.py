"""Care mode's own use case (its votes, reports and notices are the other features' commands)."""
from __future__ import annotations

from pydantic import BaseModel

from app.care.services import set_care_mode
from app.commands import Context, command


class CareModeIn(BaseModel):
    """Care mode on or off."""

    on: bool


@command("care.set_mode", CareModeIn)
def set_mode(ctx: Context, data: CareModeIn) -> dict:
    """Turn care mode on or off for oneself (kept on the account, so it follows the person)."""
    set_care_mode(ctx.user, data.on)
    ctx.session.flush()
    return {"care_mode": ctx.user.care_mode}
