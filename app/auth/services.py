"""Account rules: signing in, and the language a person reads."""
from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache, lru_cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, joinedload

from app.database import ReadWith
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


# Figures other features print on every page (the inbox badge), read with the signed-in user.
read_with_user = ReadWith()


@cache
def _signed_in_user(extras: tuple[str, ...]) -> Select:
    # Built once per set of extras: building the statement and its cache key cost more than running it.
    return (select(User, *read_with_user.columns(extras)).where(User.id == bindparam("user_id"))
            .options(joinedload(User.roles)))


def signed_in_user(session: Session, user_id: int) -> User | None:
    """The user a session names, with their roles, in one statement (every request asks).

    On a page that changes nothing, the same statement reads what features registered with
    read_with_user (their values: read_with_user.value(user, name)).
    """
    extras = read_with_user.names()
    row = session.execute(_signed_in_user(extras), {"user_id": user_id}).unique().first()
    if row is None:
        return None
    read_with_user.keep(row[0], extras, row[1:])
    return row[0]


def set_locale(user: User, locale: str, allowed: tuple[str, ...]) -> bool:
    """Remember the person's interface language; False when it is not offered."""
    if locale not in allowed:
        return False
    user.locale = locale
    return True
