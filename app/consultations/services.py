"""Consultation rules: who takes part in which phase, comments, the poll, adopted comments and the outcome.

Plain functions with explicit arguments; they flush, the caller commits. What does not fit the
consultation's state is Refused (with the form field it concerns, when there is one).
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.commands import Refused
from app.consultations.models import (
    Consultation,
    ConsultationAnswer,
    ConsultationBuilding,
    ConsultationComment,
    ConsultationOption,
)
from app.consultations.permissions import phase1_audience
from app.database import lock_row
from app.models import Building, User


def create_consultation(session: Session, user: User, *, title: str, description: str, buildings: list[Building],
                        scope_label: str, phase2_opens_at: datetime, phase2_closes_at: datetime, now: datetime,
                        phase1_opens_at: datetime | None = None, phase1_closes_at: datetime | None = None,
                        poll_question: str = "", poll_options: list[str] | None = None,
                        poll_multiple: bool = False) -> Consultation:
    """A new consultation of `buildings`, with an optional phase 1 and an optional poll."""
    title, description = (title or "").strip(), (description or "").strip()
    if not title or not description:
        raise Refused(_("A consultation needs a title and a description."), field="title")
    if not buildings:
        raise Refused(_("Choose whom to ask."), field="targets")
    if phase2_closes_at <= phase2_opens_at:
        raise Refused(_("Each phase must close after it opens."), field="phase2_closes_at")
    if phase1_opens_at is not None and (phase1_closes_at is None or phase1_closes_at <= phase1_opens_at
                                        or phase1_closes_at > phase2_opens_at):
        raise Refused(_("Phase 1 must close after it opens and before phase 2 opens."), field="phase1_closes_at")
    options = [o.strip() for o in (poll_options or []) if o.strip()]
    if poll_question.strip() and len(options) < 2:
        raise Refused(_("A poll needs at least two answers."), field="poll_options")
    consultation = Consultation(
        title=title, description=description, scope_label=scope_label, created_by=user,
        phase1_opens_at=phase1_opens_at, phase1_closes_at=phase1_closes_at if phase1_opens_at else None,
        phase2_opens_at=phase2_opens_at, phase2_closes_at=phase2_closes_at,
        poll_question=poll_question.strip() if options else "", poll_multiple=poll_multiple)
    consultation.targets = [ConsultationBuilding(building_id=b.id) for b in buildings]
    consultation.options = [ConsultationOption(label=o[:120]) for o in options] if consultation.poll_question else []
    session.add(consultation)
    session.flush()
    return consultation


def current_phase(consultation: Consultation, now: datetime) -> int | None:
    """1 or 2 while a phase is open, else None."""
    if consultation.outcome_at is not None:
        return None
    if consultation.phase1_opens_at and consultation.phase1_opens_at <= now < consultation.phase1_closes_at:
        return 1
    if consultation.phase2_opens_at <= now < consultation.phase2_closes_at:
        return 2
    return None


def visible_to(user: User, consultation: Consultation, now: datetime, *, manager: bool = False) -> bool:
    """Phase 1 shows only to party members and building heads; everyone in scope sees it from phase 2."""
    return manager or phase1_audience(user) or now >= consultation.phase2_opens_at


def _require_phase(user: User, consultation: Consultation, now: datetime) -> int:
    phase = current_phase(consultation, now)
    if phase is None:
        raise Refused(_("This consultation is not open for comments now."))
    if phase == 1 and not phase1_audience(user):
        raise Refused(_("Phase 1 is for party members and building representatives."))
    return phase


def add_comment(session: Session, user: User, consultation: Consultation, body: str, *, now: datetime) -> ConsultationComment:
    """A comment in the phase now open."""
    phase = _require_phase(user, consultation, now)
    body = (body or "").strip()
    if not body:
        raise Refused(_("Please write your comment."))
    comment = ConsultationComment(consultation_id=consultation.id, author_id=user.id, phase=phase, body=body[:2000],
                                  created_at=now)
    session.add(comment)
    session.flush()
    return comment


def answer_poll(session: Session, user: User, consultation: Consultation, option_ids: list[int], *,
                now: datetime) -> list[ConsultationAnswer]:
    """The person's answer (replaces an earlier one)."""
    _require_phase(user, consultation, now)
    valid = {o.id for o in consultation.options}
    chosen = sorted(set(option_ids))
    if not consultation.options:
        raise Refused(_("This consultation has no poll."))
    if not chosen or not set(chosen) <= valid:
        raise Refused(_("Please choose an answer."))
    if len(chosen) > 1 and not consultation.poll_multiple:
        raise Refused(_("Please choose only one answer."))
    # Lock the person's row first: two submits at once (a double tap) would otherwise both delete
    # nothing and both insert, leaving two answers to a single-choice poll.
    lock_row(session, user)
    session.execute(delete(ConsultationAnswer).where(ConsultationAnswer.consultation_id == consultation.id,
                                                     ConsultationAnswer.user_id == user.id))
    answers = [ConsultationAnswer(consultation_id=consultation.id, option_id=o, user_id=user.id, answered_at=now)
               for o in chosen]
    session.add_all(answers)
    session.flush()
    return answers


def poll_results(session: Session, consultation: Consultation) -> list[tuple[ConsultationOption, int]]:
    """Each answer and how many chose it."""
    counts = Counter(session.scalars(select(ConsultationAnswer.option_id)
                                     .where(ConsultationAnswer.consultation_id == consultation.id)))
    return [(o, counts.get(o.id, 0)) for o in consultation.options]


def my_answers(session: Session, user: User, consultation: Consultation) -> set[int]:
    """The options the person chose."""
    return set(session.scalars(select(ConsultationAnswer.option_id).where(
        ConsultationAnswer.consultation_id == consultation.id, ConsultationAnswer.user_id == user.id)))


def set_adopted(session: Session, comment: ConsultationComment, adopted: bool) -> None:
    """Staff mark a comment as adopted into the plan (or not)."""
    comment.adopted = adopted
    session.flush()


def comments_by_phase(consultation: Consultation, user: User, *, manager: bool,
                      now: datetime) -> dict[int, list[ConsultationComment]]:
    """Comments grouped by phase; phase 1 comments show to everyone once phase 2 has opened."""
    groups: dict[int, list[ConsultationComment]] = {}
    everyone = now >= consultation.phase2_opens_at
    for c in consultation.comments:
        if c.phase == 1 and not (manager or everyone or phase1_audience(user)):
            continue
        groups.setdefault(c.phase, []).append(c)
    return dict(sorted(groups.items()))


def participants(session: Session, consultation: Consultation) -> list[User]:
    """Everyone who commented or answered the poll."""
    ids = set(session.scalars(select(ConsultationComment.author_id)
                              .where(ConsultationComment.consultation_id == consultation.id)))
    ids |= set(session.scalars(select(ConsultationAnswer.user_id)
                               .where(ConsultationAnswer.consultation_id == consultation.id)))
    return list(session.scalars(select(User).where(User.id.in_(ids or [-1])).order_by(User.id)))


def _local(moment: datetime) -> str:
    from app.clock import LOCAL_TZ

    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def days_left(consultation: Consultation, now: datetime) -> int:
    """Whole days (rounded up) until phase 2 closes; 0 once it has."""
    remaining = consultation.phase2_closes_at - now
    return max(0, -(-remaining // timedelta(days=1)))


def still_running(consultation: Consultation, now: datetime) -> bool:
    """True until phase 2 closes (a phase open now, or one still to come)."""
    return now < consultation.phase2_closes_at


def close_phases(consultation: Consultation, now: datetime) -> None:
    """End the consultation now: no phase open or to come (comments and the poll close with it)."""
    if consultation.phase1_opens_at is not None:
        consultation.phase1_opens_at = min(consultation.phase1_opens_at, now)
        consultation.phase1_closes_at = min(consultation.phase1_closes_at, now)
    consultation.phase2_opens_at = min(consultation.phase2_opens_at, now)
    consultation.phase2_closes_at = min(consultation.phase2_closes_at, now)


def publish_outcome(session: Session, user: User, consultation: Consultation, text: str, *, now: datetime,
                    close_phase: bool = False) -> list[User]:
    """Close with "what we changed because of your comments" and tell everyone who took part.

    While phase 2 still runs (or is still to come) the outcome would cut people short: it is
    Refused unless `close_phase` says the person chose to close it now, which publishing then does.
    """
    from app.notifications.services import notify

    text = (text or "").strip()
    if not text:
        raise Refused(_("Write what changed because of the comments."))
    if consultation.outcome_at is not None:
        raise Refused(_("The outcome has already been published."))
    if still_running(consultation, now):
        if not close_phase:
            raise Refused(_("Phase 2 is open until %(when)s (%(days)d more days): publishing the outcome closes it "
                            "now. Tick \"close phase 2 now\" to publish anyway.",
                            when=_local(consultation.phase2_closes_at), days=days_left(consultation, now)),
                          "confirm", field="close_phase")
        close_phases(consultation, now)
    consultation.outcome, consultation.outcome_at = text, now
    people = participants(session, consultation)
    session.flush()
    if people:
        notify(session, people, "consultation.outcome", _l("What came of it: %(title)s", title=consultation.title),
               text, f"/consultations/{consultation.id}", now=now)
    return people


def set_party_member(session: Session, member: User, value: bool) -> None:
    """Staff mark or unmark a party member 党员."""
    member.is_party_member = value
    session.flush()
