"""The notices feature's use cases 通知: one command each, for its page, its JSON endpoint and, offline, the outbox."""
from __future__ import annotations

from flask_babel import gettext as _

from app.auth.permissions import require
from app.commands import Context, Refused, command, get_or_refuse
from app.models import Building, Household
from app.notices import services
from app.notices.models import Notice
from app.notices.mutations import notice_json, receipt_json
from app.notices.schemas import NoticeIn, NoticeInformedIn, NoticeReadIn
from app.sms.services import check_budget


def _notice(ctx: Context, notice_id: int, action: str) -> Notice:
    """The notice, once the person may `action` it."""
    notice = get_or_refuse(ctx.session, Notice, notice_id, _("This notice no longer exists."))
    require(ctx.user, action, notice)
    return notice


def _targets(ctx: Context, data: NoticeIn) -> tuple[list[Building], str]:
    """The buildings the notice goes to, once the person may send there; and its scope in words."""
    require(ctx.user, "notice.compose")
    buildings, label = services.resolve_targets(ctx.session, data)
    require(ctx.user, "notice.send", [b.id for b in buildings])
    return buildings, label


@command("notice.preview", NoticeIn)
def preview(ctx: Context, data: NoticeIn) -> dict:
    """How many buildings, households, people and devices a notice would reach (reads only)."""
    buildings, _label = _targets(ctx, data)
    reach = services.preview(ctx.session, [b.id for b in buildings])
    cost = services.phone_estimate(ctx.session, data, [b.id for b in buildings])
    return {"buildings": reach.buildings, "households": reach.households, "people": reach.people, "devices": reach.devices,
            "sms": cost.sms, "calls": cost.calls, "sms_price_fen": cost.price_fen}


@command("notice.create", NoticeIn)
def create(ctx: Context, data: NoticeIn) -> dict:
    """Send a notice; its deliveries are written in the same transaction and sent by the worker.

    The first of the sender's uploads that go with it (a photo or a scanned notice) is shown with it.
    """
    buildings, label = _targets(ctx, data)
    check_budget(ctx.session, services.phone_estimate(ctx.session, data, [b.id for b in buildings]), now=ctx.now)
    notice = services.send_notice(ctx.session, ctx.user, data, buildings, label, now=ctx.now,
                                  image=ctx.attachments[0] if ctx.attachments else None)
    return notice_json(notice)


@command("notice.read", NoticeReadIn, offline=True)
def read(ctx: Context, data: NoticeReadIn) -> dict:
    """A member opened the notice (perhaps offline): their household has read it."""
    notice = _notice(ctx, data.notice_id, "notice.view")
    receipts = services.mark_read(ctx.session, ctx.user, notice, now=ctx.client_time or ctx.now)
    return {"notice_id": notice.id, "households": [r.household_id for r in receipts]}


@command("notice.informed", NoticeInformedIn, offline=True)
def informed(ctx: Context, data: NoticeInformedIn) -> dict:
    """The building head knocked and told the household (上门告知), recorded at the door, offline too."""
    notice = _notice(ctx, data.notice_id, "notice.reach")
    household = ctx.session.get(Household, data.household_id)
    if household is None or household.is_deleted:
        raise Refused(_("This household is not in the ledger."), "not_found")
    require(ctx.user, "notice.inform", household)
    receipt = services.mark_informed(ctx.session, ctx.user, notice, household, now=ctx.client_time or ctx.now,
                                     channel=data.channel)
    return receipt_json(receipt)
