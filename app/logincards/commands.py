"""What is done with login cards 登录卡, one command each (app/commands.py): print, revoke, scan."""
from __future__ import annotations

from flask_babel import gettext as _
from pydantic import BaseModel

from app.auth.permissions import require
from app.commands import Context, Refused, command, get_or_refuse
from app.logincards import services
from app.logincards.models import LoginCard, SignInOutcome
from app.models import User


class PrintIn(BaseModel):
    """Whose card to print, and whether it turns care mode on."""

    user_id: int
    care_mode: bool = True


@command("logincard.print", PrintIn)
def print_card(ctx: Context, data: PrintIn) -> dict:
    """Issue a card (revoking the one the person had) and answer its token, which is shown only now."""
    holder = get_or_refuse(ctx.session, User, data.user_id, _("This person does not exist."))
    require(ctx.user, "logincard.manage", holder)
    if not holder.is_active:
        raise Refused(_("This account is switched off; a card would not sign in."))
    card, token = services.issue_card(ctx.session, holder, ctx.user, care_mode=data.care_mode, now=ctx.now)
    return {"card_id": card.id, "user_id": holder.id, "token": token, "care_mode": card.care_mode}


class RevokeIn(BaseModel):
    """Which card."""

    card_id: int


@command("logincard.revoke", RevokeIn)
def revoke(ctx: Context, data: RevokeIn) -> dict:
    """Revoke (作废) a card: it stops working at once (the phones it signed in are signed out)."""
    card = get_or_refuse(ctx.session, LoginCard, data.card_id, _("This login card does not exist."))
    require(ctx.user, "logincard.manage", card.user)
    return {"card_id": card.id, "user_id": card.user_id,
            "revoked": services.revoke_card(ctx.session, card, ctx.user, now=ctx.now)}


class ScanIn(BaseModel):
    """A card's token as scanned, from where, and whether the person asked to sign in (or only opened the page)."""

    token: str
    ip: str = ""
    user_agent: str = ""
    sign_in: bool = False


@command("logincard.scan", ScanIn)
def scan(ctx: Context, data: ScanIn) -> dict:
    """Check a scanned card and log the attempt: a refused one always, a good one when it signs in.

    The token is the credential: no one need be signed in. The answer says whether the card is
    good (and whose it is) and, when it signed in, the key of the sign-in it recorded, which the
    page puts in the device's session (app/auth/sessions.py).
    """
    card = services.find_card(ctx.session, data.token)
    outcome = services.card_outcome(card)
    if outcome != SignInOutcome.OK or data.sign_in:
        services.sign_in_with_card(ctx.session, card, ip=data.ip, user_agent=data.user_agent, now=ctx.now)
    key = getattr(card.user, "sign_in_key", None) if card is not None and data.sign_in else None
    return {"outcome": outcome.value, "card_id": card.id if card else None, "user_id": card.user_id if card else None,
            "sign_in_key": key}
