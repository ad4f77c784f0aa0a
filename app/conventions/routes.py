"""Convention pages: list per building, the convention with its vote, the result, sign-ups."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from app.auth import scope
from app.auth.permissions import can, require
from app.clock import LOCAL_TZ, utcnow
from app.conventions.forms import CommentForm, ConventionForm, DefaultsForm, EditForm, OpenVoteForm
from app.conventions.models import (
    CHANNEL_LABELS,
    CHOICE_LABELS,
    DEFAULT_QUORUM,
    DEFAULT_THRESHOLD,
    FAMILY,
    FAMILY_LABEL,
    STATUS_LABELS,
    Choice,
    Convention,
    ConventionStatus,
)
from app.conventions.queries import find_convention
from app.conventions.services import (
    close_due_votes,
    conventions_for,
    display_status,
    door_records,
    household_vote,
    is_open,
    signup_count,
    signup_counts,
    tally_for,
    user_household_in,
    vote_history,
)
from app.extensions import db
from app.models import Building, Community, Household, Role
from app.views import attempt, perform

bp = Blueprint("conventions", __name__, url_prefix="/conventions")


@bp.context_processor
def _labels():
    return {"STATUS_LABELS": STATUS_LABELS, "CHOICE_LABELS": CHOICE_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS,
            "Choice": Choice, "FAMILY": FAMILY, "FAMILY_LABEL": FAMILY_LABEL}


def get_convention(convention_id: int, action: str = "convention.view", *, with_comments: bool = False) -> Convention:
    """The convention if it exists and the user may `action` it (404 / 403 otherwise)."""
    convention = find_convention(db.session, convention_id, with_comments=with_comments) or abort(404)
    require(current_user, action, convention)
    return convention


def _user():
    return current_user._get_current_object()


@bp.get("/")
@login_required
def index():
    """Conventions of my buildings, newest first, grouped by building."""
    user, now = _user(), utcnow()
    items = conventions_for(db.session, user)
    buildings = db.session.scalars(select(Building).where(Building.id.in_(scope.managed_building_ids(user)))
                                   .order_by(Building.id)).all()
    groups: dict = {}
    for c in items:
        groups.setdefault(c.building, []).append(c)
    communities = db.session.scalars(select(Community).where(Community.id.in_(
        scope.community_ids(user, (Role.STAFF, Role.STREET, Role.ADMIN)))).order_by(Community.id)).all()
    return render_template("conventions/index.html", groups=groups, now=now, manageable=buildings,
                           communities=communities,
                           status_of=lambda c: display_status(c, now, db.session),
                           signups=signup_counts(db.session, items))


@bp.route("/defaults/<int:community_id>", methods=["GET", "POST"])
@login_required
def defaults(community_id: int):
    """The community's default quorum and threshold (a convention may still set its own)."""
    community = db.session.get(Community, community_id) or abort(404)
    require(current_user, "convention.defaults", community)
    form = DefaultsForm(obj=None)
    if request.method == "GET":
        form.quorum.data = community.vote_quorum or DEFAULT_QUORUM
        form.threshold.data = community.vote_threshold or DEFAULT_THRESHOLD
    if form.validate_on_submit() and attempt("convention.defaults", {
            "community_id": community.id, "quorum": form.quorum.data, "threshold": form.threshold.data}, form):
        flash(_("Saved. New votes in %(community)s use these shares.", community=community.name), "success")
        return redirect(url_for("conventions.index"))
    return render_template("conventions/defaults.html", form=form, community=community), 400 if form.errors else 200


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Draft a convention for a building I manage."""
    building = db.session.get(Building, request.args.get("building", type=int) or 0)
    if building is None:
        abort(404)
    require(current_user, "convention.manage", building)
    form = ConventionForm()
    if form.validate_on_submit():
        created = attempt("convention.create", {"building_id": building.id, "title": form.title.data, "text": form.text.data,
                                                "quorum": form.quorum.data, "threshold": form.threshold.data}, form)
        if created:
            flash(_("Draft saved. Open it for discussion when it is ready."), "success")
            return redirect(_show(created["id"]))
    return render_template("conventions/new.html", form=form, building=building)


@bp.get("/<int:convention_id>")
@login_required
def show(convention_id: int):
    """The convention: text, version, discussion, the vote and (for those allowed) the tally."""
    convention = get_convention(convention_id, with_comments=True)
    user, now = _user(), utcnow()
    household = user_household_in(user, convention.building_id, db.session)
    my_vote = household_vote(db.session, convention, household) if household else None
    status = display_status(convention, now, db.session)
    manager = can(user, "convention.tally", convention)
    closed = status in (ConventionStatus.ADOPTED, ConventionStatus.REJECTED, ConventionStatus.SUPERSEDED)
    show_tally = manager or (convention.vote_opens_at is not None and (my_vote is not None or closed))
    tally = tally_for(db.session, convention, now) if show_tally else None
    not_voted = []
    if manager and tally is not None and status == ConventionStatus.VOTING:
        not_voted = db.session.scalars(select(Household).where(Household.id.in_(tally.not_voted or [0]))
                                       .order_by(Household.unit, Household.room)).all()
    default_close = (now + timedelta(days=7)).astimezone(LOCAL_TZ).replace(tzinfo=None, second=0, microsecond=0)
    return render_template(
        "conventions/show.html", convention=convention, status=status, household=household, my_vote=my_vote,
        doors=door_records(db.session, convention) if manager else None,
        tally=tally, manager=manager, not_voted=not_voted, voting_open=is_open(convention, now),
        can_manage=can(user, "convention.manage", convention), comment_form=CommentForm(), edit_form=EditForm(
            text=convention.text), vote_form=OpenVoteForm(closes_at=default_close),
        signups=signup_count(db.session, convention), history=vote_history(db.session, convention, household)
        if household else [])


CLOSED = (ConventionStatus.ADOPTED, ConventionStatus.REJECTED, ConventionStatus.SUPERSEDED)


def _result(convention_id: int, template: str, **extra):
    """A closed vote's result page (the result, or its print copy); before the close, back to the convention."""
    convention = get_convention(convention_id)
    now = utcnow()
    status = display_status(convention, now, db.session)
    if status not in CLOSED:
        flash(_("The vote is not closed yet."), "info")
        return redirect(url_for(".show", convention_id=convention.id))
    manager = can(current_user, "convention.tally", convention)
    return render_template(template, convention=convention, status=status, tally=tally_for(db.session, convention, now),
                           signups=signup_count(db.session, convention),
                           doors=door_records(db.session, convention) if manager and extra.get("doors") else None)


@bp.get("/<int:convention_id>/result")
@login_required
def result(convention_id: int):
    """The result with the tally (after the close); heads and staff also see the door record."""
    return _result(convention_id, "conventions/result.html", doors=True)


@bp.get("/<int:convention_id>/result/print")
@login_required
def print_result(convention_id: int):
    """The result on A4, for the stairwell or the community office: the counts, online and at the door, and the text."""
    return _result(convention_id, "conventions/print_result.html")


@bp.get("/<int:convention_id>/board")
@login_required
def board(convention_id: int):
    """The adopted convention's text in large type for the stairwell board 小黑板 (like a notice's blackboard copy)."""
    convention = get_convention(convention_id)
    if display_status(convention, utcnow(), db.session) != ConventionStatus.ADOPTED:
        abort(404)  # only the convention in force goes on the board
    return render_template("conventions/board.html", convention=convention, signups=signup_count(db.session, convention))


def _show(convention_id: int) -> str:
    return url_for(".show", convention_id=convention_id)


@bp.before_request
def _close_due_votes():
    """A POST closes the votes that are due first, and keeps that whatever the request does next."""
    # The commands close them too; committed here, the result also stands when the command is refused.
    if request.method == "POST" and current_user.is_authenticated and close_due_votes(db.session, utcnow()):
        db.session.commit()


def _valid(form: FlaskForm, name: str):
    """The field's value when the form is valid, else None (the command then says what is missing)."""
    return form[name].data if form.validate() else None


@bp.post("/<int:convention_id>/edit")
@login_required
def edit(convention_id: int):
    """Save a new version of the text."""
    return perform("convention.edit", {"convention_id": convention_id, "text": _valid(EditForm(), "text") or ""},
                   done=_show(convention_id), success=lambda c: _("Saved as version %(n)d.", n=c["version"]))


@bp.post("/<int:convention_id>/discuss")
@login_required
def discuss(convention_id: int):
    """Open the draft for residents' comments."""
    return perform("convention.open_discussion", {"convention_id": convention_id}, done=_show(convention_id),
                   success=_("Residents can now read it and comment."))


@bp.post("/<int:convention_id>/vote/open")
@login_required
def start_vote(convention_id: int):
    """Open the vote now, until the chosen close time."""
    closes_at = _valid(OpenVoteForm(), "closes_at")
    return perform("convention.open_vote", {"convention_id": convention_id,
                                            "closes_at": closes_at.replace(tzinfo=LOCAL_TZ) if closes_at else None},
                   done=_show(convention_id), success=_("The vote is open."))


@bp.post("/<int:convention_id>/comment")
@login_required
def comment(convention_id: int):
    """Add a comment during discussion."""
    return perform("convention.comment", {"convention_id": convention_id, "body": _valid(CommentForm(), "body") or ""},
                   done=_show(convention_id), success=_("Thank you, your comment is posted."))


def _household_vote(convention_id: int, channel: str) -> dict:
    vote = {"convention_id": convention_id, "household_id": request.form.get("household_id", type=int) or 0,
            "choice": request.form.get("choice", ""), "channel": channel}
    if channel == "door_to_door":
        vote["answered_by"] = request.form.get("answered_by") or None
    return vote


@bp.post("/<int:convention_id>/vote")
@login_required
def vote(convention_id: int):
    """My household's vote (同意/不同意/弃权); the last choice before the close counts."""
    return perform("vote.cast", _household_vote(convention_id, "online"), done=_show(convention_id),
                   success=_("Your household's vote is recorded. You can change it until the vote closes."))


@bp.post("/<int:convention_id>/record")
@login_required
def record(convention_id: int):
    """A building head records a household's vote at the door (a household that voted itself keeps its vote)."""
    return perform("vote.cast", _household_vote(convention_id, "door_to_door"), done=_show(convention_id),
                   success=lambda v: _("Vote recorded for %(household)s.",
                                       household=db.session.get(Household, v["household_id"]).label))


@bp.post("/<int:convention_id>/close")
@login_required
def close(convention_id: int):
    """Compute the result of a vote whose close time has passed (also done by the worker)."""
    still_open = lambda c: c["status"] == ConventionStatus.VOTING.value  # noqa: E731
    return perform("convention.close", {"convention_id": convention_id},
                   done=lambda c: _show(c["id"]) if still_open(c) else url_for(".result", convention_id=c["id"]),
                   success=lambda c: _("The vote is still open until its close time.") if still_open(c) else None,
                   category="info", back=_show(convention_id))


@bp.post("/<int:convention_id>/signup")
@login_required
def signup(convention_id: int):
    """My household commits to the adopted convention (承诺)."""
    return perform("convention.sign_up", {"convention_id": convention_id,
                                          "household_id": request.form.get("household_id", type=int) or 0},
                   done=_show(convention_id), success=_("Thank you for signing up to the convention."))


@bp.post("/<int:convention_id>/amend")
@login_required
def amend(convention_id: int):
    """Start an amendment of the adopted convention (a new version through the same steps)."""
    return perform("convention.amend", {"convention_id": convention_id, "text": _valid(EditForm(), "text") or ""},
                   done=lambda amendment: _show(amendment["id"]), back=_show(convention_id),
                   success=_("Amendment drafted."))
