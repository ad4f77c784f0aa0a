"""Consultation pages: the list, start one, the consultation with its phases, comments, poll and outcome."""
from __future__ import annotations

import uuid as uuidlib
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth import scope
from app.auth.permissions import can, can_each, require
from app.clock import LOCAL_TZ, utcnow
from app.consultations.forms import MAX_IMAGES, ConsultationForm
from app.consultations.models import Consultation, ConsultationBuilding, ConsultationComment
from app.consultations.permissions import STAFF, phase1_audience
from app.consultations.services import (
    ConsultationError,
    add_comment,
    answer_poll,
    comments_by_phase,
    create_consultation,
    current_phase,
    my_answers,
    poll_results,
    publish_outcome,
    set_adopted,
    set_party_member,
    visible_to,
)
from app.extensions import db
from app.models import Building, Community, Household, Role, RoleAssignment, User
from app.uploads.services import UploadRejected, attachments_of, link_attachments, register_subject_viewer, save_upload

bp = Blueprint("consultations", __name__, url_prefix="/consultations")


def _user() -> User:
    return current_user._get_current_object()


def may_see(user: User, consultation: Consultation) -> bool:
    """In its scope and, while only phase 1 is open, in phase 1's audience (the page and its pictures alike)."""
    return can(user, "consultation.view", consultation) and visible_to(
        user, consultation, utcnow(), manager=can(user, "consultation.manage", consultation))


def _can_see_image(user: User, consultation_id: int) -> bool:
    consultation = db.session.get(Consultation, consultation_id)
    return consultation is not None and may_see(user, consultation)


register_subject_viewer("consultation", _can_see_image)


def get_consultation(consultation_id: int, action: str = "consultation.view") -> Consultation:
    """The consultation if the user may `action` it and, for phase 1, is in its audience (404/403 otherwise)."""
    # The page lists every comment with its author: load them with it, not one query per comment.
    consultation = db.session.get(Consultation, consultation_id, options=[
        selectinload(Consultation.comments).selectinload(ConsultationComment.author)])
    if consultation is None:
        abort(404)
    require(current_user, action, consultation)
    if not visible_to(_user(), consultation, utcnow(), manager=can(_user(), "consultation.manage", consultation)):
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


def target_choices() -> list[tuple[str, str]]:
    """The communities and buildings the signed-in staff may ask."""
    buildings = scope.building_ids(_user(), STAFF)
    communities = db.session.scalars(select(Community).where(Community.id.in_(
        select(Building.community_id).where(Building.id.in_(buildings)))).order_by(Community.name))
    choices = []
    for community in communities:
        choices.append((f"c:{community.id}", _("All of %(name)s", name=community.name)))
        choices += [(f"b:{b.id}", b.full_name) for b in community.buildings]
    return choices


def _local(value):
    return value.replace(tzinfo=LOCAL_TZ) if value else None


def _save_images(form: ConsultationForm) -> list:
    """Store the form's pictures (at most MAX_IMAGES) through app.uploads; UploadRejected names the file refused."""
    saved = []
    for storage in [f for f in (form.images.data or []) if f and f.filename][:MAX_IMAGES]:
        with storage.stream:  # large parts are spooled to temporary files: close them
            data = storage.read()
        try:
            upload = save_upload(db.session, owner=_user(), uuid=str(uuidlib.uuid4()), filename=storage.filename,
                                 data=data, upload_root=current_app.config["UPLOAD_FOLDER"], now=utcnow())
            if upload.kind != "image":  # a voice note would show as a broken picture
                raise UploadRejected(_("Only JPEG, PNG or WebP pictures can be sent."), "bad_upload")
        except UploadRejected as exc:
            raise UploadRejected(f"{storage.filename}: {exc.message}", exc.code) from None
        saved.append(upload)
    return saved


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Start a consultation."""
    require(current_user, "consultation.compose")
    form = ConsultationForm()
    form.targets.choices = target_choices()
    if request.method == "GET":
        start = (utcnow() + timedelta(hours=1)).astimezone(LOCAL_TZ).replace(tzinfo=None, minute=0, second=0,
                                                                             microsecond=0)
        form.phase2_opens_at.data, form.phase2_closes_at.data = start, start + timedelta(days=7)
    if form.validate_on_submit():
        allowed = {v for v, _label in form.targets.choices}
        building_ids, labels = set(), []
        for value in form.targets.data:
            if value not in allowed:
                continue
            kind, _sep, ident = value.partition(":")
            if kind == "c":
                community = db.session.get(Community, int(ident))
                building_ids |= {b.id for b in community.buildings}
                labels.append(community.name)
            else:
                building = db.session.get(Building, int(ident))
                if building.id not in building_ids:
                    building_ids.add(building.id)
                    labels.append(building.full_name)
        buildings = db.session.scalars(select(Building).where(Building.id.in_(building_ids or [-1]))).all()
        try:
            images = _save_images(form)
            consultation = create_consultation(
                db.session, _user(), title=form.title.data, description=form.description.data, buildings=buildings,
                scope_label=", ".join(labels)[:200], phase1_opens_at=_local(form.phase1_opens_at.data),
                phase1_closes_at=_local(form.phase1_closes_at.data), phase2_opens_at=_local(form.phase2_opens_at.data),
                phase2_closes_at=_local(form.phase2_closes_at.data), poll_question=form.poll_question.data or "",
                poll_options=(form.poll_options.data or "").splitlines(), poll_multiple=form.poll_multiple.data,
                now=utcnow())
        except UploadRejected as exc:
            db.session.rollback()
            form.images.errors = [exc.message]
        except ConsultationError as exc:
            db.session.rollback()
            form[exc.field or "title"].errors = [str(exc)]
        else:
            if images:
                link_attachments(db.session, images, "consultation", consultation.id)
            db.session.commit()
            flash(_("The consultation is published."), "success")
            return redirect(url_for(".show", consultation_id=consultation.id))
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
                           adopted=[c for c in consultation.comments if c.adopted])


def _back(consultation: Consultation):
    return redirect(url_for(".show", consultation_id=consultation.id))


@bp.post("/<int:consultation_id>/comment")
@login_required
def comment(consultation_id: int):
    """Add my comment in the phase now open."""
    consultation = get_consultation(consultation_id)
    try:
        add_comment(db.session, _user(), consultation, request.form.get("body", ""), now=utcnow())
    except ConsultationError as exc:
        flash(str(exc), "error")
        return _back(consultation)
    db.session.commit()
    flash(_("Thank you, your comment is posted."), "success")
    return _back(consultation)


@bp.post("/<int:consultation_id>/poll")
@login_required
def poll(consultation_id: int):
    """My answer to the poll (replaces an earlier one)."""
    consultation = get_consultation(consultation_id)
    try:
        ids = [int(v) for v in request.form.getlist("option") if v.isdigit()]
        answer_poll(db.session, _user(), consultation, ids, now=utcnow())
    except ConsultationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(consultation)
    db.session.commit()
    flash(_("Thank you, your answer is recorded."), "success")
    return _back(consultation)


@bp.post("/<int:consultation_id>/comments/<int:comment_id>/adopt")
@login_required
def adopt(consultation_id: int, comment_id: int):
    """Mark a comment as adopted into the plan (or undo it)."""
    consultation = get_consultation(consultation_id, "consultation.manage")
    found = db.session.get(ConsultationComment, comment_id)
    if found is None or found.consultation_id != consultation.id:
        abort(404)
    set_adopted(db.session, found, request.form.get("adopted") == "1")
    db.session.commit()
    return _back(consultation)


@bp.post("/<int:consultation_id>/outcome")
@login_required
def outcome(consultation_id: int):
    """Publish the outcome and tell everyone who took part."""
    consultation = get_consultation(consultation_id, "consultation.manage")
    try:
        people = publish_outcome(db.session, _user(), consultation, request.form.get("outcome", ""), now=utcnow())
    except ConsultationError as exc:
        flash(str(exc), "error")
        return _back(consultation)
    db.session.commit()
    flash(_("Outcome published and sent to %(n)d people who took part.", n=len(people)), "success")
    return _back(consultation)


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
    member = db.session.get(User, user_id)
    if member is None:
        abort(404)
    require(current_user, "consultation.party", member)
    set_party_member(db.session, member, request.form.get("member") == "1")
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".party"))


