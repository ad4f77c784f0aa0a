"""Login card rules: issue (and reissue), revoke, and sign in by a card's token.

Plain functions with explicit arguments; they flush, the caller commits.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.sessions import begin, end_sign_ins
from app.database import lock_row
from app.logincards.models import LoginCard, LoginCardSignIn, SignInOutcome
from app.models import Building, Household, Role, RoleAssignment, SignInEnd, SignInMethod, User

TOKEN_BYTES = 32  # 256 bits: a token cannot be guessed, so the rate limit only guards the log
MAX_TOKEN_LENGTH = 100  # longer is never one of ours; refuse before hashing


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a card's token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def active_card(session: Session, user: User) -> LoginCard | None:
    """The user's card that still works, if any (there is at most one)."""
    return session.scalar(select(LoginCard).where(LoginCard.user_id == user.id, LoginCard.revoked_at.is_(None))
                          .order_by(LoginCard.id.desc()).limit(1))


def issue_card(session: Session, user: User, issued_by: User, *, care_mode: bool = True,
               now: datetime) -> tuple[LoginCard, str]:
    """Issue a new card for `user` and return it with its token, which is never stored.

    Reissuing revokes the card the person had: one card per person works at a time.
    """
    # Lock the holder's row so two issuers at once cannot leave two working cards.
    lock_row(session, user)
    for old in session.scalars(select(LoginCard).where(LoginCard.user_id == user.id, LoginCard.revoked_at.is_(None))):
        revoke_card(session, old, issued_by, now=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    card = LoginCard(user=user, token_hash=hash_token(token), care_mode=care_mode, issued_by=issued_by, issued_at=now)
    session.add(card)
    session.flush()
    return card, token


def revoke_card(session: Session, card: LoginCard, revoked_by: User, *, now: datetime) -> bool:
    """Revoke (作废) a card and end the sign-ins it made (the phones it opened); False when it was already revoked.

    Only the card's own sign-ins end: the person's password sign-ins carry on. A phone the card signed
    in before sign-ins were recorded can only be reached by ending every such old session of the
    person (app/auth/sessions.py).
    """
    if card.is_revoked:
        return False
    card.revoked_at = now
    card.revoked_by = revoked_by
    uses = session.execute(select(LoginCardSignIn.sign_in_id).where(LoginCardSignIn.card_id == card.id,
                                                                    LoginCardSignIn.outcome == SignInOutcome.OK)).scalars().all()
    end_sign_ins(session, [i for i in uses if i is not None], how=SignInEnd.CARD_CANCELLED, now=now)
    if any(i is None for i in uses):
        card.user.session_version = (card.user.session_version or 0) + 1
    session.flush()
    return True


def find_card(session: Session, token: str) -> LoginCard | None:
    """The card carrying `token`, revoked or not; None when no card has it."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.scalar(select(LoginCard).where(LoginCard.token_hash == hash_token(token)))


def card_outcome(card: LoginCard | None) -> SignInOutcome:
    """Whether the card would sign its holder in now, or why not."""
    if card is None:
        return SignInOutcome.UNKNOWN
    if card.is_revoked:
        return SignInOutcome.REVOKED
    if not card.user.is_active:
        return SignInOutcome.INACTIVE
    return SignInOutcome.OK


def record_attempt(session: Session, *, card_id: int | None, user_id: int | None, outcome: SignInOutcome, ip: str,
                   user_agent: str, now: datetime) -> LoginCardSignIn:
    """Log one use of a card (or of an unknown token) for the issuer to see.

    It takes ids, not the card, so it can be called for an unknown token too.
    """
    entry = LoginCardSignIn(card_id=card_id, user_id=user_id, outcome=outcome,
                            ip=(ip or "")[:45], user_agent=(user_agent or "")[:255], attempted_at=now)
    session.add(entry)
    session.flush()
    return entry


def sign_in_with_card(session: Session, card: LoginCard | None, *, ip: str, user_agent: str,
                      now: datetime) -> SignInOutcome:
    """Check the card, log the attempt and, when it is good, note its use, turn care mode on and record the sign-in.

    The sign-in (app.auth.sessions.begin) gives the holder the key their session will carry; the
    caller starts the session (Flask-Login) only when this returns OK.
    """
    outcome = card_outcome(card)
    opened = None
    if outcome == SignInOutcome.OK:
        card.last_used_at = now
        card.user.last_login_at = now
        if card.care_mode:
            card.user.care_mode = True
        opened = begin(session, card.user, method=SignInMethod.CARD, user_agent=user_agent, now=now)
    entry = record_attempt(session, card_id=card.id if card is not None else None,
                           user_id=card.user_id if card is not None else None, outcome=outcome, ip=ip,
                           user_agent=user_agent, now=now)
    if opened is not None:
        entry.sign_in_id = opened.id
        session.flush()
    return outcome


@dataclass(frozen=True)
class Holder:
    """A resident account of a household, with the card that works for it (or None)."""

    household: Household
    user: User
    card: LoginCard | None


def household_accounts(session: Session, household: Household) -> list[User]:
    """The resident accounts of a household, by name."""
    return list(session.scalars(select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
                                .where(RoleAssignment.role == Role.RESIDENT, RoleAssignment.household_id == household.id)
                                .order_by(User.name, User.id).distinct()))


def building_holders(session: Session, building: Building) -> list[Holder]:
    """Every resident account of the building's households with its working card, by unit and room."""
    rows = session.execute(
        select(Household, User)
        .join(RoleAssignment, RoleAssignment.household_id == Household.id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(Household.building_id == building.id, Household.is_deleted.is_(False),
               RoleAssignment.role == Role.RESIDENT)
        .order_by(Household.unit, Household.room, User.name, User.id)
    ).all()
    user_ids = [user.id for _, user in rows]
    cards = {c.user_id: c for c in session.scalars(
        select(LoginCard).where(LoginCard.user_id.in_(user_ids), LoginCard.revoked_at.is_(None)))} if user_ids else {}
    return [Holder(household, user, cards.get(user.id)) for household, user in rows]


def cards_of(session: Session, user: User) -> list[LoginCard]:
    """Every card ever issued to the user, newest first."""
    return list(session.scalars(select(LoginCard).where(LoginCard.user_id == user.id).order_by(LoginCard.id.desc())))


def sign_ins_of(session: Session, user: User, *, limit: int = 50) -> list[LoginCardSignIn]:
    """The latest attempts through any of the user's cards, newest first."""
    return list(session.scalars(
        select(LoginCardSignIn).join(LoginCard, LoginCard.id == LoginCardSignIn.card_id)
        .where(LoginCard.user_id == user.id)
        .order_by(LoginCardSignIn.id.desc()).limit(limit)))


def card_still_valid(session: Session, card_id: int, user_id: int) -> bool:
    """True while card `card_id` of user `user_id` is not revoked (checked on devices it signed in)."""
    card = session.get(LoginCard, card_id)
    return card is not None and card.user_id == user_id and not card.is_revoked
