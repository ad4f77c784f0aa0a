"""The rules of joining 实名入群 and of getting back in 忘记密码: plain functions that flush, never commit."""
from __future__ import annotations

import re
import secrets
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app.commands import Conflict, Refused
from app.joining.models import CODE_TRIES, JoinRequest, JoinStatus, PasswordReset, RetiredJoinCode
from app.models import Building, Household, Role, RoleAssignment, Room, User
from app.models.org import new_join_code

# The password hash of an account made for a login card: no password matches it.
NO_PASSWORD = "!login-card"  # noqa: S105 — a marker, not a password
_NAME_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def hash_secret(secret: str) -> str:
    """A salted hash of a password or code (the cost the app is configured with)."""
    return generate_password_hash(secret, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


# -- the poster's code -----------------------------------------------------------------------


def find_code(session: Session, code: str) -> tuple[Building | None, bool]:
    """The building whose poster holds `code`, and whether `code` is one a poster used to hold."""
    building = session.scalar(select(Building).where(Building.join_code == code))
    if building is not None:
        return building, False
    return None, session.get(RetiredJoinCode, code) is not None


def replace_code(session: Session, building: Building, *, now: datetime) -> str:
    """Give the building a new join code; the old one is kept to tell its scanners the poster changed."""
    session.add(RetiredJoinCode(code=building.join_code, building_id=building.id, retired_at=now))
    building.join_code = new_join_code()
    session.flush()
    return building.join_code


# -- asking to join ---------------------------------------------------------------------------


def pending_for_phone(session: Session, phone: str) -> JoinRequest | None:
    """The request waiting for a decision under this phone number, if any."""
    return session.scalar(select(JoinRequest).where(JoinRequest.phone == phone, JoinRequest.status == JoinStatus.PENDING))


def account_for_phone(session: Session, phone: str) -> User | None:
    """The account registered under this phone number, if any."""
    return session.scalar(select(User).where(User.phone == phone))


def submit_request(session: Session, building: Building, *, room_id: int, name: str, phone: str,
                   password: str | None, now: datetime) -> JoinRequest:
    """Record a request to join `building`; Refused (on its field) for a room elsewhere or a second waiting request.

    A phone that already has an account is not refused: the answer must not tell a stranger that
    the number is registered. The request waits like any other and the head sees the number is
    taken (it cannot be approved); the owner is told in their inbox (see docs/joining.md).
    """
    room = session.get(Room, room_id)
    if room is None or room.building_id != building.id:
        raise Refused(_("Please choose a room of this building."), field="room_id")
    if pending_for_phone(session, phone) is not None:
        raise Refused(_("A request with this phone number is already waiting for the building head. "
                        "Please wait for the answer, or ask your building head."), field="phone")
    request = JoinRequest(building_id=building.id, room_id=room.id, name=name.strip(), phone=phone,
                          password_hash=hash_secret(password) if password else None, wants_card=not password,
                          status=JoinStatus.PENDING, created_at=now, updated_at=now)
    try:
        with session.begin_nested():  # two requests for one phone at once: the index decides
            session.add(request)
    except IntegrityError:
        raise Refused(_("A request with this phone number is already waiting for the building head. "
                        "Please wait for the answer, or ask your building head."), field="phone") from None
    return request


def heads_of(session: Session, building_id: int) -> list[User]:
    """The active building heads of a building."""
    return list(session.scalars(select(User).join(RoleAssignment).where(
        RoleAssignment.role == Role.BUILDING_HEAD, RoleAssignment.building_id == building_id, User.active.is_(True))))


# -- the ledger beside a request ------------------------------------------------------------------


def household_for_room(session: Session, room: Room) -> Household | None:
    """The ledger's household for a room: same building, unit and room number (see app/models/org.py Room)."""
    return session.scalar(select(Household).where(Household.building_id == room.building_id,
                                                  Household.unit == room.unit, Household.room == room.number))


def member_names(household: Household | None) -> list[str]:
    """The names the ledger keeps for a household (written 王建国、李秀英 or with commas)."""
    if household is None or household.is_deleted:
        return []
    return [n for n in _NAME_SEPARATORS.split(household.members or "") if n]


def name_on_record(name: str, household: Household | None) -> bool:
    """True when `name` is one of the household's members on record."""
    return "".join(name.split()) in member_names(household)


# -- the decision ------------------------------------------------------------------------------


def request_json(request: JoinRequest) -> dict:
    """A join request as a head's device sees it (the server's version in a conflict)."""
    return {"id": request.id, "building_id": request.building_id, "room": request.room.label, "name": request.name,
            "status": request.status.value, "reason": request.reason,
            "decided_by": request.decided_by.name if request.decided_by else None,
            "decided_at": request.decided_at.isoformat() if request.decided_at else None,
            "user_id": request.user_id, "wants_card": request.wants_card}


def _already_decided(request: JoinRequest) -> Conflict:
    decision = _("approved") if request.status == JoinStatus.APPROVED else _("declined")
    return Conflict(_("Already decided by %(name)s: %(decision)s.",
                      name=request.decided_by.name if request.decided_by else "?", decision=decision),
                    request_json(request))


def decide(session: Session, request: JoinRequest, decider: User, *, approve: bool, reason: str,
           now: datetime) -> JoinRequest:
    """Approve or decline a waiting request; of two deciders at once the first wins, the other gets a Conflict.

    The decision is one conditional UPDATE (status still pending): on PostgreSQL the second waits
    for the first's row lock and then matches nothing; on SQLite writers take turns.
    """
    if request.status != JoinStatus.PENDING:
        raise _already_decided(request)
    reason = reason.strip()
    if not approve and not reason:
        raise Refused(_("Please say why, so the person knows what to do."), field="reason")
    if approve and account_for_phone(session, request.phone) is not None:
        raise Refused(_("This phone number already has an account, so no second one can be made. "
                        "Decline, and tell the person to sign in or use 'Forgot password'."))
    status = JoinStatus.APPROVED if approve else JoinStatus.DECLINED
    changed = session.execute(
        update(JoinRequest).where(JoinRequest.id == request.id, JoinRequest.status == JoinStatus.PENDING)
        .values(status=status, reason="" if approve else reason, decided_by_id=decider.id, decided_at=now,
                updated_at=now).execution_options(synchronize_session=False)).rowcount
    session.refresh(request)
    if changed != 1:
        raise _already_decided(request)
    if approve:
        _make_account(session, request, now=now)
    session.flush()
    return request


def _make_account(session: Session, request: JoinRequest, *, now: datetime) -> None:
    """The approved person's account, a resident of the room's household (made when the ledger had none)."""
    room = request.room
    household = household_for_room(session, room)
    if household is None:
        household = Household(building_id=room.building_id, unit=room.unit, floor=room.floor, room=room.number,
                              members=request.name, member_count=1)
        session.add(household)
    elif household.is_deleted:
        household.is_deleted = False
        household.members, household.member_count = request.name, 1
    user = User(phone=request.phone, name=request.name, password_hash=request.password_hash or NO_PASSWORD,
                created_at=now, updated_at=now)
    user.roles.append(RoleAssignment(role=Role.RESIDENT, household=household))
    session.add(user)
    session.flush()
    request.user_id, request.household_id = user.id, household.id
    request.password_hash = None  # it lives on the account now


# -- 忘记密码 ------------------------------------------------------------------------------------


def open_reset(session: Session, user_id: int) -> PasswordReset | None:
    """The person's reset that is not used yet (the newest)."""
    return session.scalar(select(PasswordReset).where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
                          .order_by(PasswordReset.id.desc()))


def request_reset(session: Session, phone: str, *, now: datetime) -> PasswordReset | None:
    """Note that the owner of `phone` forgot their password (nothing for an unknown number or a switched-off account).

    A second request while one is open only brings it back to the top of the heads' list.
    """
    user = account_for_phone(session, phone)
    if user is None or not user.active:
        return None
    reset = open_reset(session, user.id)
    if reset is None:
        reset = PasswordReset(user_id=user.id, requested_at=now)
        session.add(reset)
    else:
        reset.requested_at = now
    session.flush()
    return reset


def give_code(session: Session, reset: PasswordReset, giver: User, *, now: datetime) -> str:
    """A new one-time code for the reset (any earlier one stops working); only its hash is kept."""
    code = f"{secrets.randbelow(10 ** 6):06d}"
    reset.code_hash, reset.code_given_at, reset.code_given_by_id, reset.wrong_tries = hash_secret(code), now, giver.id, 0
    session.flush()
    return code


def use_code(session: Session, phone: str, code: str, password: str, *, now: datetime) -> User | None:
    """Set a new password with a reset code; the account, or None (a wrong code counts against the reset).

    The same None for an unknown number, no code, a wrong, used, expired or used-up code: the
    public page must not tell which.
    """
    user = account_for_phone(session, phone)
    reset = open_reset(session, user.id) if user is not None and user.active else None
    if reset is None or not reset.code_works(now):
        return None
    if not check_password_hash(reset.code_hash, code.strip()):
        reset.wrong_tries = min(reset.wrong_tries + 1, CODE_TRIES)
        session.flush()
        return None
    user.set_password(password)
    user.end_sessions()  # whoever knew the old password is signed out everywhere
    reset.used_at, reset.code_hash = now, None
    session.flush()
    return user
