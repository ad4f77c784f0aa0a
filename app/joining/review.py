"""The heads' and staff's joining pages: review requests 审核, give reset codes, the poster, code and group rules."""
from __future__ import annotations

from flask import abort, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.permissions import require
from app.clock import utcnow
from app.extensions import db
from app.joining import queries
from app.joining.forms import DECLINE_REASONS, ConfirmForm, DecideForm, RulesForm
from app.joining.routes import bp, join_url
from app.logincards.qr import qr_png_data_uri
from app.models import Building, User
from app.views import attempt, perform


def _building(building_id: int) -> Building:
    building = db.session.get(Building, building_id)
    if building is None:
        abort(404)
    require(current_user, "join.manage", building)
    return building


@bp.get("/joining/")
@login_required
def index():
    """Waiting join requests with the ledger beside them, forgotten passwords, cards to print."""
    buildings = queries.buildings_reviewed(db.session, current_user)
    if not buildings:
        abort(403)
    ids, now = [b.id for b in buildings], utcnow()
    return render_template("joining/index.html", buildings=buildings, waiting=queries.waiting(db.session, ids),
                           resets=queries.resets(db.session, current_user, ids, now=now),
                           cards=queries.cards_to_print(db.session, ids, now=now), form=DecideForm(),
                           reasons=DECLINE_REASONS, now=now)


def _after_decision(result: dict):
    """Back to the list; straight to the login card when the person asked for one."""
    if result["status"] == "approved" and result["wants_card"]:
        return url_for("logincards.manage", user_id=result["user_id"])
    return url_for("joining.index")


@bp.post("/joining/requests/<int:request_id>/approve")
@login_required
def approve(request_id: int):
    """Approve in one tap: the account is made, linked to the room's household, and told."""
    if not DecideForm().validate_on_submit():
        abort(400)
    return perform("join.decide", {"request_id": request_id, "approve": True}, done=_after_decision,
                   back=url_for("joining.index"),
                   success=lambda r: _("%(name)s has joined. Now print the login card.", name=r["name"])
                   if r["wants_card"] else _("%(name)s has joined and can sign in now.", name=r["name"]))


@bp.post("/joining/requests/<int:request_id>/decline")
@login_required
def decline(request_id: int):
    """Decline in one tap, with the usual reason picked or the head's own words."""
    form = DecideForm()
    if not form.validate_on_submit():
        abort(400)
    reason = (form.other.data or "").strip() or str(DECLINE_REASONS.get(form.reason.data, ""))
    return perform("join.decide", {"request_id": request_id, "approve": False, "reason": reason},
                   done=url_for("joining.index"), success=lambda r: _("Declined. %(name)s will see why.", name=r["name"]),
                   category="info")


@bp.route("/joining/buildings/<int:building_id>", methods=["GET", "POST"])
@login_required
def building(building_id: int):
    """A building's joining: its poster, its group rules 群规 (edited here) and replacing its code."""
    item = _building(building_id)
    form = RulesForm(data={"group_rules": item.group_rules})
    if form.validate_on_submit() and attempt("join.rules", {"building_id": item.id,
                                                            "group_rules": form.group_rules.data or ""}, form):
        return redirect(url_for("joining.building", building_id=item.id))
    return render_template("joining/building.html", building=item, form=form, confirm=ConfirmForm())


@bp.post("/joining/buildings/<int:building_id>/code")
@login_required
def replace_code(building_id: int):
    """Replace the join code (asked to confirm): old posters then say they were replaced."""
    form = ConfirmForm()
    back = url_for("joining.building", building_id=building_id)
    if not form.validate_on_submit():
        abort(400)
    if not form.sure.data:
        _building(building_id)
        return redirect(back)
    return perform("join.replace_code", {"building_id": building_id}, done=back,
                   success=_("The join code is replaced. Print the new poster and put it up."))


@bp.get("/joining/buildings/<int:building_id>/poster")
@login_required
def poster(building_id: int):
    """The A4 poster for the entrance 楼门二维码: name, QR code, how to join."""
    item = _building(building_id)
    url = join_url(item.join_code)
    return render_template("joining/poster.html", building=item, url=url, qr=qr_png_data_uri(url, scale=12))


def _code_page(result: dict):
    """The code, shown once to the person giving it (no cache keeps the page)."""
    response = make_response(render_template("joining/code.html", person=db.session.get(User, result["user_id"]),
                                              code=result["code"], sent_by=result["sent_by"]))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/joining/resets/<int:reset_id>/code")
@login_required
def give_code(reset_id: int):
    """Give the person a one-time code to set a new password (any earlier code stops working)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return perform("password.give_code", {"reset_id": reset_id}, done=_code_page, back=url_for("joining.index"))
