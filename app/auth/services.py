"""Account rules: signing in, and the language a person reads."""
from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache, lru_cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, joinedload

from app.auth.sessions import hash_key, parse
from app.models import SignIn, User
from app.notifications.services import unread_of


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


# Read beside the person on every request: the header's unread badge (app.notifications), which
# would otherwise be a statement of its own on every page.
_UNREAD = unread_of(User.id).label("unread")


@cache
def _signed_in_user() -> Select:
    # Built once: building the statement and its cache key cost more than running it.
    return select(User, _UNREAD).where(User.id == bindparam("user_id")).options(joinedload(User.roles))


def _loaded(row) -> User | None:
    """The user of a row of (user, unread count), the count kept on them (User.unread_at_load)."""
    if row is None:
        return None
    user, user.unread_at_load = row
    return user


def signed_in_user(session: Session, user_id: int) -> User | None:
    """The user a session names, with their roles and unread count, in one statement (every request asks)."""
    return _loaded(session.execute(_signed_in_user(), {"user_id": user_id}).unique().one_or_none())


@cache
def _signed_in_by() -> Select:
    # The user of a recorded sign-in still going, with their roles, in one statement.
    return (select(User, _UNREAD).join(SignIn, SignIn.user_id == User.id)
            .where(SignIn.key_hash == bindparam("key_hash"), SignIn.user_id == bindparam("user_id"),
                   SignIn.ended_at.is_(None))
            .options(joinedload(User.roles)))


def user_for_session(session: Session, session_id: str) -> User | None:
    """The user a session or remember cookie names, with their roles (app/auth/sessions.py).

    "7:<key>" names a sign-in: None once it has ended (signed out, the card that made it cancelled,
    every session ended). "7" or "7.2" (User.get_id before sign-ins were recorded): None once the
    person's sessions were ended since (another version). None too when the account is switched off,
    so a deactivated person is signed out on their very next request, whichever way they signed in.
    """
    parsed = parse(session_id)
    if parsed is None:
        return None
    ident, key, version = parsed
    if key is not None:
        user = _loaded(session.execute(_signed_in_by(), {"key_hash": hash_key(key), "user_id": ident}).unique().one_or_none())
        if user is not None:
            user.sign_in_key = key
        return user if user is not None and user.active else None
    user = signed_in_user(session, ident)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def set_locale(user: User, locale: str, allowed: tuple[str, ...]) -> bool:
    """Remember the person's interface language; False when it is not offered."""
    if locale not in allowed:
        return False
    user.locale = locale
    return True
