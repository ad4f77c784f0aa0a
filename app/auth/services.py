"""Account rules: signing in, and the language a person reads."""
from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache, lru_cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, joinedload

from app.models import User


@lru_cache(maxsize=1)
def _dummy_user() -> User:
    """A user with a random password, so an unknown phone costs one hash check too.

    Without it a wrong phone would answer faster than a wrong password and reveal who has
    an account.
    """
    user = User()
    user.set_password(secrets.token_urlsafe(16))
    return user


def authenticate(session: Session, phone: str, password: str, *, now: datetime) -> User | None:
    """Return the active user with this phone and password, recording the sign-in; else None."""
    user = session.scalar(select(User).where(User.phone == phone))
    if user is None:
        _dummy_user().check_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    user.last_login_at = now
    return user


@cache
def _signed_in_user() -> Select:
    # Built once: building the statement and its cache key cost more than running it.
    return select(User).where(User.id == bindparam("user_id")).options(joinedload(User.roles))


def signed_in_user(session: Session, user_id: int) -> User | None:
    """The user a session names, with their roles, in one statement (every request asks)."""
    return session.execute(_signed_in_user(), {"user_id": user_id}).unique().scalar_one_or_none()


def user_for_session(session: Session, session_id: str) -> User | None:
    """The user a session or remember cookie names ("7" or "7.2": User.get_id), with their roles.

    None when the account is switched off or its sessions were ended since (another version), so a
    deactivated person is signed out on their very next request, whichever way they signed in.
    """
    ident, _, version = session_id.partition(".")
    if not ident.isdigit() or not (version or "0").isdigit():
        return None
    user = signed_in_user(session, int(ident))
    if user is None or not user.active or user.session_version != int(version or "0"):
        return None
    return user


def set_locale(user: User, locale: str, allowed: tuple[str, ...]) -> bool:
    """Remember the person's interface language; False when it is not offered."""
    if locale not in allowed:
        return False
    user.locale = locale
    return True
