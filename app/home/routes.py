"""The home page: who I am, where, and what I can do here."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.auth import scope
from app.home.actions import actions_for
from app.models import Role

bp = Blueprint("home", __name__)

ROLE_SUMMARIES = {
    Role.RESIDENT: _l("Report problems in your building and follow them, vote on building conventions, read notices."),
    Role.BUILDING_HEAD: _l(
        "Approve neighbours who join, visit households door to door (works without signal), "
        "answer problems first, collect votes and notice receipts for people without phones."
    ),
    Role.STAFF: _l(
        "Answer, resolve or escalate problems within 12 hours, send notices, run consultations "
        "and conventions, read the monthly report."
    ),
    Role.STREET: _l("Receive escalations, dispatch departments (吹哨), watch overdue lists and monthly figures."),
    Role.DEPARTMENT: _l("Accept work orders dispatched to you (报到), post progress, mark your part done."),
    Role.ADMIN: _l("Set up streets, communities, buildings, households, departments and accounts."),
}

ROLE_NAMES = {
    Role.RESIDENT: _l("Resident"),
    Role.BUILDING_HEAD: _l("Building head"),
    Role.STAFF: _l("Community staff"),
    Role.STREET: _l("Street office"),
    Role.DEPARTMENT: _l("Department"),
    Role.ADMIN: _l("Administrator"),
}


@bp.app_context_processor
def _role_names():
    return {"ROLE_NAMES": ROLE_NAMES}


@bp.route("/")
@login_required
def index():
    """The signed-in person's home page, one section per role they hold."""
    if current_user.care_mode and scope.own_household_ids(current_user):
        return redirect(url_for("care.home"))  # care mode: the four big actions are home
    roles = {a.role for a in current_user.roles}
    return render_template(
        "home/index.html",
        assignments=current_user.roles,
        summaries=ROLE_SUMMARIES,
        actions=actions_for(roles),
    )
