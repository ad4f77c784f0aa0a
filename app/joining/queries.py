"""Reads for the review page 审核: waiting join requests with the ledger beside them, resets, counts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.auth import scope
from app.auth.permissions import can
from app.joining.models import RESET_LISTED_FOR, JoinRequest, JoinStatus, PasswordReset
from app.joining.permissions import REVIEWERS
from app.joining.services import household_for_room, member_names, name_on_record
from app.models import Building, Household, Role, RoleAssignment, User


@dataclass
class Waiting:
    """A waiting request, and what the ledger says about its room."""

    request: JoinRequest
    household: Household | None
    members: list[str]
    on_record: bool  # the name given is one of the members on record
    phone_taken: bool  # the number already has an account: it cannot be approved


def buildings_reviewed(session: Session, user: User) -> list[Building]:
    """The buildings whose joining the user reviews, in order."""
    return list(session.scalars(select(Building).where(Building.id.in_(scope.building_ids(user, REVIEWERS)))
                                .order_by(Building.community_id, Building.name)))


def waiting(session: Session, building_ids: list[int]) -> list[Waiting]:
    """The waiting requests of these buildings, oldest first, each with its room's household."""
    requests = session.scalars(select(JoinRequest).where(JoinRequest.building_id.in_(building_ids or [-1]),
                                                         JoinRequest.status == JoinStatus.PENDING)
                               .options(selectinload(JoinRequest.room), selectinload(JoinRequest.building))
                               .order_by(JoinRequest.created_at, JoinRequest.id)).all()
    taken = set(session.scalars(select(User.phone).where(User.phone.in_([r.phone for r in requests] or [""]))))
    rows = []
    for request in requests:
        household = household_for_room(session, request.room)
        rows.append(Waiting(request, household, member_names(household), name_on_record(request.name, household),
                            request.phone in taken))
    return rows


def cards_to_print(session: Session, building_ids: list[int], *, now: datetime) -> list[JoinRequest]:
    """Requests approved in the last fortnight whose person asked for a login card instead of a password."""
    return list(session.scalars(select(JoinRequest).where(
        JoinRequest.building_id.in_(building_ids or [-1]), JoinRequest.status == JoinStatus.APPROVED,
        JoinRequest.wants_card.is_(True), JoinRequest.decided_at > now - timedelta(days=14))
        .order_by(JoinRequest.decided_at.desc())))


def resets(session: Session, user: User, building_ids: list[int], *, now: datetime) -> list[PasswordReset]:
    """Open resets of people of these buildings (residents and heads) the user may give a code to."""
    households = select(Household.id).where(Household.building_id.in_(building_ids or [-1]))
    people = select(RoleAssignment.user_id).where(
        ((RoleAssignment.role == Role.RESIDENT) & RoleAssignment.household_id.in_(households))
        | ((RoleAssignment.role == Role.BUILDING_HEAD) & RoleAssignment.building_id.in_(building_ids or [-1])))
    found = session.scalars(select(PasswordReset).where(
        PasswordReset.used_at.is_(None), PasswordReset.user_id.in_(people),
        (PasswordReset.requested_at > now - RESET_LISTED_FOR) | (PasswordReset.code_given_at > now - RESET_LISTED_FOR))
        .options(selectinload(PasswordReset.user)).order_by(PasswordReset.requested_at.desc()))
    return [reset for reset in found if can(user, "password.give_code", reset)]


def waiting_count(user: User) -> int:
    """How many join requests wait in the buildings the user reviews (the home card's number)."""
    from app.extensions import db

    return db.session.scalar(select(func.count()).select_from(JoinRequest).where(
        JoinRequest.status == JoinStatus.PENDING,
        JoinRequest.building_id.in_(scope.building_ids(user, REVIEWERS)))) or 0
