"""Care-mode pages 关怀模式: one task per page, four big actions, a way home from everywhere."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.permissions import require
from app.care.services import CARE_CATEGORIES, my_problems, open_votes, own_household
from app.clock import utcnow
from app.conventions.models import CHOICE_LABELS, Convention
from app.conventions.queries import find_convention
from app.conventions.services import household_vote
from app.extensions import db
from app.notices.queries import get_notice, notice_image
from app.notifications.services import inbox, unread_count
from app.problems.labels import status_labels
from app.problems.models import CATEGORY_LABELS
from app.views import perform

bp = Blueprint("care", __name__, url_prefix="/care")


def _household():
    """The resident's household; care pages are for residents (others get the normal pages)."""
    household = own_household(db.session, current_user)
    if household is None:
        abort(403)
    return household


@bp.get("/")
@login_required
def home():
    """The four big actions, and what happened to my last reports (read aloud on request)."""
    household = _household()
    building = household.building
    return render_template(
        "care/home.html", household=household, building=building,
        votes=open_votes(db.session, building, utcnow()),
        unread=unread_count(db.session, current_user), problems=my_problems(db.session, current_user),
        STATUS_LABELS=status_labels(), CATEGORY_LABELS=CATEGORY_LABELS,
    )


@bp.get("/report")
@login_required
def report():
    """Report by voice: a picture category, a voice note, maybe a photo, send (works offline)."""
    building = _household().building
    require(current_user, "issue.report", building)
    # The community's own categories (app/organisation); should it take none of these, all of them.
    offered = [c for c in CARE_CATEGORIES if building.community.offers(c.value)] or CARE_CATEGORIES
    return render_template("care/report.html", building=building, categories=offered,
                           CATEGORY_LABELS=CATEGORY_LABELS)


@bp.get("/notices")
@login_required
def notices():
    """My messages, newest first, in large type."""
    return render_template("care/notices.html", items=inbox(db.session, current_user, limit=30))


@bp.get("/notices/<int:notice_id>")
@login_required
def notice(notice_id: int):
    """One notice, large, with a read-aloud button; opening it records the read receipt (notices.js)."""
    item = get_notice(notice_id)
    return render_template("care/notice.html", notice=item, image=notice_image(item))


@bp.get("/vote")
@login_required
def votes():
    """The open vote of my building (straight to it when there is exactly one)."""
    # open_votes goes by the close time, so a vote past it is never offered (GET pages never write;
    # the close-due loop records results)
    open_now = open_votes(db.session, _household().building, utcnow())
    if len(open_now) == 1:
        return redirect(url_for("care.vote", convention_id=open_now[0].id))
    return render_template("care/votes.html", votes=open_now)


def _convention(convention_id: int) -> Convention:
    """The convention, if it exists and the person may see it (404 / 403 otherwise)."""
    convention = find_convention(db.session, convention_id) or abort(404)
    require(current_user, "convention.view", convention)
    return convention


@bp.route("/vote/<int:convention_id>", methods=["GET", "POST"])
@login_required
def vote(convention_id: int):
    """The convention in large type, read aloud, and three big buttons: 同意 / 不同意 / 弃权."""
    household = _household()
    if request.method == "POST":
        # Without JavaScript the buttons post here; with it, they go through the outbox: the same vote.cast.
        return perform("vote.cast", {"convention_id": convention_id, "household_id": household.id,
                                     "choice": request.form.get("choice", ""), "channel": "online"},
                       done=url_for("care.vote_done", convention_id=convention_id),
                       back=url_for("care.vote", convention_id=convention_id))
    convention = _convention(convention_id)
    return render_template("care/vote.html", convention=convention, household=household,
                           my_vote=household_vote(db.session, convention, household), CHOICE_LABELS=CHOICE_LABELS)


@bp.get("/vote/<int:convention_id>/done")
@login_required
def vote_done(convention_id: int):
    """The confirmation page: what the household's vote is now, as the server has it."""
    household = _household()
    convention = _convention(convention_id)
    return render_template("care/vote_done.html", convention=convention,
                           my_vote=household_vote(db.session, convention, household), CHOICE_LABELS=CHOICE_LABELS)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Care mode on or off, one big switch (kept on the account)."""
    if request.method == "POST":
        return perform("care.set_mode", {"on": request.form.get("care_mode") == "on"}, done=url_for("home.index"),
                       success=lambda mode: _("Care mode is on.") if mode["care_mode"] else _("Care mode is off."))
    return render_template("care/settings.html")
