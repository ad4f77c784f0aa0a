"""Consultation reads for the pages and the commands: one consultation, who sees it, whom staff may ask."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.auth import scope
from app.auth.permissions import can
from app.consultations.models import Consultation, ConsultationComment
from app.consultations.permissions import STAFF
from app.consultations.services import visible_to
from app.models import Building, Community, User


def find_consultation(session: Session, consultation_id: int, *, with_comments: bool = False) -> Consultation | None:
    """The consultation, or None when there is none."""
    # The page lists every comment with its author: load them with it, not one query per comment.
    options = [selectinload(Consultation.comments).selectinload(ConsultationComment.author)] if with_comments else []
    return session.get(Consultation, consultation_id, options=options)


def in_audience(user: User, consultation: Consultation, now: datetime) -> bool:
    """Whether the consultation shows to `user` now: while only phase 1 is open, to its audience and managers."""
    return visible_to(user, consultation, now, manager=can(user, "consultation.manage", consultation))


def may_see(user: User, consultation: Consultation, now: datetime) -> bool:
    """In its scope and, while only phase 1 is open, in phase 1's audience (the page and its pictures alike)."""
    return can(user, "consultation.view", consultation) and in_audience(user, consultation, now)


def target_choices(session: Session, user: User) -> list[tuple[str, str]]:
    """Whom `user` (staff) may ask: "c:<id>" for a whole community, "b:<id>" for a building, with their names."""
    buildings = scope.building_ids(user, STAFF)
    communities = session.scalars(select(Community).where(Community.id.in_(
        select(Building.community_id).where(Building.id.in_(buildings)))).order_by(Community.name))
    choices = []
    for community in communities:
        choices.append((f"c:{community.id}", _("All of %(name)s", name=community.name)))
        choices += [(f"b:{b.id}", b.full_name) for b in community.buildings]
    return choices


def chosen_buildings(session: Session, user: User, targets: list[str]) -> tuple[list[Building], str]:
    """The buildings `targets` name among those `user` may ask (others are left out), and how to call them."""
    allowed = {value for value, _label in target_choices(session, user)}
    building_ids, labels = set(), []
    for value in targets:
        if value not in allowed:
            continue
        kind, _sep, ident = value.partition(":")
        if kind == "c":
            community = session.get(Community, int(ident))
            building_ids |= {b.id for b in community.buildings}
            labels.append(community.name)
        else:
            building = session.get(Building, int(ident))
            if building.id not in building_ids:
                building_ids.add(building.id)
                labels.append(building.full_name)
    buildings = session.scalars(select(Building).where(Building.id.in_(building_ids or [-1]))).all()
    return list(buildings), ", ".join(labels)[:200]
