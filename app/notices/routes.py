"""Notices 通知: the inbox, compose, the notice page, reach, the door-to-door list and the blackboard copy."""
from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic import BaseModel
from sqlalchemy import select

from app.api import CommandResult, ErrorOut, documented, run_command
from app.auth import scope
from app.auth.permissions import can, require
from app.clock import LOCAL_TZ, utcnow
from app.extensions import db
from app.models import Building, Community, Household, Role
from app.notices.forms import NoticeForm
from app.notices.models import URGENCY_LABELS
from app.notices.queries import get_notice, notice_image
from app.notices.schemas import NoticeIn
from app.notices.services import door_list, notices_for, open_door_lists, reach, reach_counts, resolve_targets, unread_deadline
from app.notifications.services import inbox
from app.sms.config import ready as sms_ready
from app.views import attempt, command_context, form_uploads, perform

bp = Blueprint("notices", __name__, url_prefix="/notices")
api = Blueprint("notices_api", __name__, url_prefix="/api/v1/notices")


@bp.context_processor
def _labels():
    return {"URGENCY_LABELS": URGENCY_LABELS}


def target_choices() -> list[tuple[str, str]]:
    """Where the signed-in sender may send: their street(s), communities and buildings."""
    user = current_user._get_current_object()
    streets = [a.street for a in user.roles if a.role in (Role.STREET,) and a.street is not None]
    choices = [(f"s:{s.id}", _("The whole street: %(name)s", name=s.name)) for s in streets]
    sender_buildings = scope.building_ids(user, (Role.STAFF, Role.STREET, Role.ADMIN))
    communities = db.session.scalars(select(Community).where(Community.id.in_(
        select(Building.community_id).where(Building.id.in_(sender_buildings)))).order_by(Community.name))
    for community in communities:
        choices.append((f"c:{community.id}", _("All of %(name)s", name=community.name)))
        for building in community.buildings:
            choices.append((f"b:{building.id}", building.full_name))
    return choices


def notice_payload(form: NoticeForm) -> dict:
    """The form's values as the API's body (one command checks both)."""
    street_id, communities, buildings = None, [], []
    for value in form.targets.data or []:
        kind, _sep, ident = value.partition(":")
        if not ident.isdigit():
            continue
        if kind == "s":
            street_id = int(ident)
        elif kind == "c":
            communities.append(int(ident))
        elif kind == "b":
            buildings.append(int(ident))
    if street_id is not None:
        communities, buildings = [], []
    elif communities:
        # a building ticked inside a ticked community adds nothing
        buildings = []
    expires = None
    if form.expires_on.data:
        expires = datetime.combine(form.expires_on.data, time(23, 59), LOCAL_TZ)
    return {"title": form.title.data, "body": form.body.data, "urgency": form.urgency.data, "expires_at": expires,
            "street_id": street_id, "community_ids": communities, "building_ids": buildings,
            "phone_channels": form.phone_channels.data or "auto", "sms_per_member": bool(form.sms_per_member.data)}


@bp.get("/")
@login_required
def index():
    """My inbox (notices and other messages) and, for staff, the notices sent."""
    user = current_user._get_current_object()
    return render_template("notices/index.html", items=inbox(db.session, user),
                           notices=notices_for(db.session, user) if can(user, "notice.compose") else [],
                           can_compose=can(user, "notice.compose"),
                           is_head=user.has_role(Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Write a notice; "Preview" shows how many households and devices it reaches, "Send" sends it."""
    require(current_user, "notice.compose")
    form = NoticeForm()
    form.targets.choices = target_choices()
    if form.validate_on_submit():
        payload = notice_payload(form)
        if request.form.get("action") != "send":
            reach_preview = attempt("notice.preview", payload, form)
            if reach_preview is not None:
                _buildings, label = resolve_targets(db.session, NoticeIn.model_validate(payload))
                return render_template("notices/new.html", form=form, preview=reach_preview, scope_label=label,
                                       sms_on=sms_ready(current_app.config))
        elif sent := attempt("notice.create", payload, form,
                             ctx=lambda: command_context(attachments=form_uploads(form.image))):
            flash(_("Notice sent. Phones receive it within a minute; everyone finds it in their messages."), "success")
            return redirect(url_for("notices.reach_page", notice_id=sent["id"]))
    status = 400 if form.errors else 200
    return render_template("notices/new.html", form=form, preview=None, sms_on=sms_ready(current_app.config)), status


@bp.get("/<int:notice_id>")
@login_required
def show(notice_id: int):
    """The notice; opening it records the household's read receipt (sent by notices.js, not by this GET)."""
    notice = get_notice(notice_id)
    return render_template("notices/show.html", notice=notice, can_reach=can(current_user, "notice.reach", notice),
                           image=notice_image(notice))


@bp.get("/<int:notice_id>/reach")
@login_required
def reach_page(notice_id: int):
    """Per household: pushed, read, informed door to door, or not reached yet."""
    notice = get_notice(notice_id, "notice.reach")
    mine = list(db.session.scalars(scope.managed_building_ids(current_user)))
    building_ids = None if notice.sender_id == current_user.id else mine
    rows = reach(db.session, notice, now=utcnow(), building_ids=building_ids)
    return render_template("notices/reach.html", notice=notice, rows=rows, counts=reach_counts(rows),
                           deadline=unread_deadline(notice), sms_on=sms_ready(current_app.config))


@bp.get("/door")
@login_required
def door_index():
    """The building head's notices with households still to tell in person."""
    user = current_user._get_current_object()
    if not user.has_role(Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN):
        abort(403)
    return render_template("notices/door_index.html", lists=open_door_lists(db.session, user, now=utcnow()))


@bp.get("/<int:notice_id>/door")
@login_required
def door(notice_id: int):
    """上门通知名单: households of my buildings not reached, with one tap to mark them told."""
    notice = get_notice(notice_id, "notice.reach")
    rows = door_list(db.session, current_user._get_current_object(), notice, now=utcnow())
    return render_template("notices/door.html", notice=notice, rows=rows, deadline=unread_deadline(notice))


@bp.post("/<int:notice_id>/door/<int:household_id>")
@login_required
def informed(notice_id: int, household_id: int):
    """Mark one household told in person (the form behind the one-tap button, without JavaScript)."""
    return perform("notice.informed", {"notice_id": notice_id, "household_id": household_id},
                   done=url_for("notices.door", notice_id=notice_id),
                   success=lambda receipt: _("%(household)s marked as told in person.",
                                             household=db.session.get(Household, receipt["household_id"]).label))


@bp.get("/<int:notice_id>/print")
@login_required
def print_copy(notice_id: int):
    """The large-type A4 copy for the stairwell blackboard 小黑板, one per building."""
    notice = get_notice(notice_id)
    buildings = [t.building for t in notice.targets]
    wanted = request.args.get("building", type=int)
    if wanted is not None:
        buildings = [b for b in buildings if b.id == wanted] or abort(404)
    return render_template("notices/print.html", notice=notice, buildings=buildings[:50], image=notice_image(notice))


# -- JSON API -----------------------------------------------------------------------------

# How a command answers and refuses (app/api.py STATUS_OF).
COMMAND_ANSWERS = {200: CommandResult, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ReachHouseholdOut(BaseModel):
    """One household the notice reaches, and whether it has been told."""

    id: int
    label: str
    status: str
    subscribed: bool
    no_smartphone: bool


class ReachOut(BaseModel):
    """The reach report: counts by status, and each household."""

    counts: dict[str, int]
    households: list[ReachHouseholdOut]


@api.post("/preview")
@documented("How many buildings, households, people and devices a notice would reach.", COMMAND_ANSWERS,
            command="notice.preview")
@login_required
def api_preview():
    """How many buildings, households, people and devices a notice would reach."""
    return run_command("notice.preview", request.get_json(silent=True))


@api.post("")
@documented("Send a notice.", {**COMMAND_ANSWERS, 201: CommandResult}, command="notice.create")
@login_required
def api_create():
    """Send a notice; its deliveries are written in the same transaction and sent by the worker."""
    return run_command("notice.create", request.get_json(silent=True), status=201)


@api.post("/<int:notice_id>/read")
@documented("Record that my household read the notice (no body).", COMMAND_ANSWERS)
@login_required
def api_read(notice_id: int):
    """Record that my household read the notice."""
    return run_command("notice.read", {}, notice_id=notice_id)


@api.get("/<int:notice_id>/reach")
@documented("The reach report: who has read, been told, or not yet.", {200: ReachOut, 403: ErrorOut, 404: ErrorOut})
@login_required
def api_reach(notice_id: int):
    """The reach report as JSON."""
    notice = get_notice(notice_id, "notice.reach")
    rows = reach(db.session, notice, now=utcnow())
    return jsonify(counts=reach_counts(rows), households=[
        {"id": r.household.id, "label": r.household.label, "status": r.status, "subscribed": r.subscribed,
         "no_smartphone": r.household.no_smartphone} for r in rows])


@api.post("/<int:notice_id>/informed/<int:household_id>")
@documented("Mark one household told in person (no body).", COMMAND_ANSWERS)
@login_required
def api_informed(notice_id: int, household_id: int):
    """Mark one household told in person."""
    return run_command("notice.informed", {}, notice_id=notice_id, household_id=household_id)
