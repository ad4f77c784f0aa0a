"""Consultation pages: the list, start one, the consultation with its phases, comments, poll and outcome."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth import scope
from app.auth.permissions import can, can_each, require
from app.clock import LOCAL_TZ, utcnow
from app.consultations.forms import MAX_IMAGES, ConsultationForm
from app.consultations.models import Consultation, ConsultationBuilding
from app.consultations.permissions import STAFF, phase1_audience
from app.consultations.queries import find_consultation, in_audience, target_choices
from app.consultations.services import (
    comments_by_phase,
    current_phase,
    days_left,
    my_answers,
    poll_results,
    still_running,
    visible_to,
)
from app.extensions import db
from app.models import Household, Role, RoleAssignment, User
from app.uploads.form_files import save_form_file
from app.uploads.models import Attachment
from app.uploads.services import UploadRejected, attachments_of
from app.views import attempt, command_context, perform

bp = Blueprint("consultations", __name__, url_prefix="/consultations")


def _user() -> User:
    return current_user._get_current_object()


def get_consultation(consultation_id: int, action: str = "consultation.view") -> Consultation:
    """The consultation if the user may `action` it and, for phase 1, is in its audience (404/403 otherwise)."""
    consultation = find_consultation(db.session, consultation_id, with_comments=True) or abort(404)
    require(current_user, action, consultation)
    if not in_audience(_user(), consultation, utcnow()):
        abort(404)
    return consultation


@bp.get("/")
@login_required
def index():
    """Consultations that ask me (or that I run), newest first."""
    user, now = _user(), utcnow()
    in_scope = select(ConsultationBuilding.consultation_id).where(
        ConsultationBuilding.building_id.in_(scope.building_ids(user)))
    rows = db.session.scalars(select(Consultation).where(Consultation.id.in_(in_scope))
                              .order_by(Consultation.id.desc())).all()
    managed = can_each(user, "consultation.manage", rows)
    items = [c for c, manager in zip(rows, managed, strict=True) if visible_to(user, c, now, manager=manager)]
    return render_template("consultations/index.html", items=items, now=now, phase_of=lambda c: current_phase(c, now),
                           can_compose=can(user, "consultation.compose"))


def _local(value):
    return value.replace(tzinfo=LOCAL_TZ) if value else None


def _save_images(form: ConsultationForm) -> list[Attachment]:
    """Store the form's pictures (at most MAX_IMAGES) through app.uploads; UploadRejected names the file refused."""
    saved = []
    for storage in [f for f in (form.images.data or []) if f and f.filename][:MAX_IMAGES]:
        try:
            upload = save_form_file(storage)
            if upload.kind != "image":  # a voice note would show as a broken picture
                raise UploadRejected(_("Only JPEG, PNG or WebP pictures can be sent."), "bad_upload")
        except UploadRejected as exc:
            raise UploadRejected(f"{storage.filename}: {exc.message}", exc.code, field="images") from None
        saved.append(upload)
    return saved


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Start a consultation."""
    require(current_user, "consultation.compose")
    form = ConsultationForm()
    form.targets.choices = target_choices(db.session, _user())
    if request.method == "GET":
        start = (utcnow() + timedelta(hours=1)).astimezone(LOCAL_TZ).replace(tzinfo=None, minute=0, second=0,
                                                                             microsecond=0)
        form.phase2_opens_at.data, form.phase2_closes_at.data = start, start + timedelta(days=7)
    if form.validate_on_submit():
        created = attempt("consultation.create", {
            "title": form.title.data, "description": form.description.data, "targets": form.targets.data,
            "phase1_opens_at": _local(form.phase1_opens_at.data), "phase1_closes_at": _local(form.phase1_closes_at.data),
            "phase2_opens_at": _local(form.phase2_opens_at.data), "phase2_closes_at": _local(form.phase2_closes_at.data),
            "poll_question": form.poll_question.data or "", "poll_options": (form.poll_options.data or "").splitlines(),
            "poll_multiple": form.poll_multiple.data,
        }, form, ctx=lambda: command_context(attachments=[image.uuid for image in _save_images(form)]))
        if created:
            flash(_("The consultation is published."), "success")
            return redirect(_show(created["id"]))
    return render_template("consultations/new.html", form=form)


@bp.get("/<int:consultation_id>")
@login_required
def show(consultation_id: int):
    """The consultation: description, phase, comments grouped by phase, the poll and the outcome."""
    consultation = get_consultation(consultation_id)
    user, now = _user(), utcnow()
    manager = can(user, "consultation.manage", consultation)
    phase = current_phase(consultation, now)
    may_take_part = phase == 2 or (phase == 1 and phase1_audience(user))
    images = attachments_of(db.session, "consultation", [consultation.id])[consultation.id]
    return render_template("consultations/show.html", consultation=consultation, phase=phase, manager=manager,
                           may_take_part=may_take_part, images=images,
                           groups=comments_by_phase(consultation, user, manager=manager, now=now),
                           results=poll_results(db.session, consultation) if (manager or consultation.outcome_at) else [],
                           mine=my_answers(db.session, user, consultation),
                           adopted=[c for c in consultation.comments if c.adopted],
                           running=still_running(consultation, now), days_left=days_left(consultation, now))


def _show(consultation_id: int) -> str:
    return url_for(".show", consultation_id=consultation_id)


@bp.post("/<int:consultation_id>/comment")
@login_required
def comment(consultation_id: int):
    """Add my comment in the phase now open."""
    return perform("consultation.comment", {"consultation_id": consultation_id, "body": request.form.get("body", "")},
                   done=_show(consultation_id), success=_("Thank you, your comment is posted."))


@bp.post("/<int:consultation_id>/poll")
@login_required
def poll(consultation_id: int):
    """My answer to the poll (replaces an earlier one)."""
    return perform("consultation.poll", {"consultation_id": consultation_id,
                                         "option_ids": [int(v) for v in request.form.getlist("option") if v.isdigit()]},
                   done=_show(consultation_id), success=_("Thank you, your answer is recorded."))


@bp.post("/<int:consultation_id>/comments/<int:comment_id>/adopt")
@login_required
def adopt(consultation_id: int, comment_id: int):
    """Mark a comment as adopted into the plan (or undo it)."""
    return perform("consultation.adopt", {"consultation_id": consultation_id, "comment_id": comment_id,
                                          "adopted": request.form.get("adopted") == "1"}, done=_show(consultation_id))


@bp.post("/<int:consultation_id>/outcome")
@login_required
def outcome(consultation_id: int):
    """Publish the outcome and tell everyone who took part."""
    return perform("consultation.outcome", {"consultation_id": consultation_id, "text": request.form.get("outcome", ""),
                                            "close_phase": request.form.get("close_phase") == "1"},
                   done=_show(consultation_id),
                   success=lambda done: _("Outcome published and sent to %(n)d people who took part.", n=done["told"]))


@bp.get("/party")
@login_required
def party():
    """Residents of my community, with their party membership 党员 (staff set it)."""
    require(current_user, "consultation.compose")
    managed = scope.building_ids(_user(), STAFF)
    people = db.session.scalars(select(User).join(RoleAssignment).join(Household, Household.id == RoleAssignment.household_id)
                                .where(RoleAssignment.role == Role.RESIDENT, Household.building_id.in_(managed))
                                .order_by(User.name).distinct()).all()
    return render_template("consultations/party.html", people=people)


@bp.post("/party/<int:user_id>")
@login_required
def set_party(user_id: int):
    """Mark or unmark a resident as a party member."""
    return perform("consultation.party_member", {"user_id": user_id, "member": request.form.get("member") == "1"},
                   done=url_for(".party"), success=_("Saved."))
