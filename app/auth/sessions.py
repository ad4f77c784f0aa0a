"""Sessions that end on the server: every sign-in is a row (SignIn), and cookies name it.

Why a row per sign-in rather than only the per-person version (User.session_version): signing out
one phone must not sign out the person's other phones, and cancelling a login card must end the
sign-ins that card made and no others (a relative's phone signed in with the password stays). A
version can only end everything a person has at once. So the id Flask-Login keeps in the session
cookie and in the remember cookie is "<user id>:<key>", a random key whose SHA-256 names the row;
the user loader (user_for_session) accepts it only while the row is not ended and the account is
on. Signing out ends the row, so a copied session cookie, a copied remember cookie and the sync
API all stop at once, and the person's other sign-ins carry on.

User.end_sessions() (switching an account off, moving out, a password reset, "sign out on all my
devices") ends every row of the person and raises the version. Sessions made before sign-ins were
recorded carry "7" or "7.2" and are still accepted while the version matches, so nobody (and no
elderly resident with a card) is signed out by the upgrade. Such a session cannot be told apart
from the person's other old ones: signing it out raises the version, ending all of them, and
cancelling a card that signed a phone in before raises it too (the only way to reach that phone).

No "last seen": the loader runs in GET requests, which never write (app/database.py), and a write
per request would cost more than the column is worth. Created, how, the browser and the end are kept.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import request, session
from flask_login import login_user, logout_user
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import SignIn, SignInEnd, SignInMethod, User

KEY_BYTES = 24  # 192 bits: never guessed; the cookie is signed besides


def hash_key(key: str) -> str:
    """The SHA-256 (hex) under which a sign-in's key is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def begin(db_session: Session, user: User, *, method: SignInMethod, user_agent: str, now: datetime) -> SignIn:
    """Record a new sign-in of `user` (flushed) and give the user its key, which get_id() hands to Flask-Login."""
    key = secrets.token_urlsafe(KEY_BYTES)
    row = SignIn(user_id=user.id, key_hash=hash_key(key), method=method, created_at=now,
                 user_agent=(user_agent or "")[:255])
    db_session.add(row)
    db_session.flush()
    user.sign_in_key = key
    return row


def sign_in(db_session: Session, user: User, *, method: SignInMethod, remember: bool, now: datetime,
            duration: timedelta | None = None) -> SignIn:
    """Record a sign-in and start the Flask-Login session (and remember cookie) naming it; the caller commits.

    A sign-in this browser had (someone else's, or the same person's again) ends: no cookie names it any more.
    """
    previous = current_sign_in(db_session)
    if previous is not None and previous.ended_at is None:
        previous.ended_at, previous.ended_how = now, SignInEnd.SIGNED_OUT
    row = begin(db_session, user, method=method, user_agent=request.user_agent.string, now=now)
    login_user(user, remember=remember, duration=duration)
    return row


def parse(session_id: str) -> tuple[int, str | None, int] | None:
    """(user id, key, version) from an id as the cookies keep it; None when it is not one of ours.

    "7:<key>" names a sign-in (version unused); "7" and "7.2" are the forms from before.
    """
    if ":" in session_id:
        ident, _, key = session_id.partition(":")
        return (int(ident), key, 0) if ident.isdigit() and key else None
    ident, _, version = session_id.partition(".")
    if not ident.isdigit() or not (version or "0").isdigit():
        return None
    return int(ident), None, int(version or "0")


def current_sign_in(db_session: Session) -> SignIn | None:
    """The recorded sign-in this request's session names (None for an older session, or none)."""
    parsed = parse(str(session.get("_user_id") or ""))
    if parsed is None or parsed[1] is None:
        return None
    return db_session.scalar(select(SignIn).where(SignIn.key_hash == hash_key(parsed[1]), SignIn.user_id == parsed[0]))


def end_current(db_session: Session, user: User, *, now: datetime) -> None:
    """End the sign-in this request was made under (an older session: every older session of the person)."""
    row = current_sign_in(db_session)
    if row is not None:
        row.ended_at, row.ended_how = row.ended_at or now, row.ended_how or SignInEnd.SIGNED_OUT
    elif user.session_version is not None:
        user.session_version += 1  # the old sessions cannot be told apart; recorded sign-ins carry on
    db_session.flush()


def sign_out(db_session: Session, user: User, *, now: datetime) -> None:
    """End this device's sign-in on the server, then clear its cookies; the caller commits."""
    end_current(db_session, user, now=now)
    logout_user()


def end_sign_ins(db_session: Session, ids: list[int], *, how: SignInEnd, now: datetime) -> int:
    """End the sign-ins `ids` (those still going); how many ended."""
    if not ids:
        return 0
    result = db_session.execute(update(SignIn).where(SignIn.id.in_(ids), SignIn.ended_at.is_(None))
                                .values(ended_at=now, ended_how=how).execution_options(synchronize_session=False))
    return result.rowcount or 0


def open_sign_ins(db_session: Session, user: User) -> list[SignIn]:
    """The person's sign-ins still going, newest first (the account page lists them)."""
    return list(db_session.scalars(select(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None))
                                   .order_by(SignIn.id.desc())))


_BROWSERS = (("MicroMessenger", "WeChat"), ("Edg", "Edge"), ("Chrome", "Chrome"), ("Firefox", "Firefox"),
             ("Safari", "Safari"))


def device_name(user_agent: str) -> str:
    """A short name for the browser a sign-in was made from ("iPhone", "Android", …), for the person to recognise."""
    for needle, name in (("iPhone", "iPhone"), ("iPad", "iPad"), ("HarmonyOS", "HarmonyOS"), ("Android", "Android"),
                         ("Windows", "Windows"), ("Macintosh", "Mac"), ("Linux", "Linux")):
        if needle in (user_agent or ""):
            browser = next((shown for mark, shown in _BROWSERS if mark in user_agent), "")
            return f"{name} · {browser}" if browser else name
    return (user_agent or "")[:40]


def drop_dead_remember_cookie(response):
    """A remember cookie that no longer signs anyone in (its sign-in ended) is deleted from the browser.

    It would sign nobody in anyway; deleting it saves a lookup on every request and leaves the phone clean.
    """
    from flask import current_app, g

    name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    user = g.get("_login_user")
    if name in request.cookies and user is not None and not user.is_authenticated:
        response.delete_cookie(name, domain=current_app.config.get("REMEMBER_COOKIE_DOMAIN"),
                               path=current_app.config.get("REMEMBER_COOKIE_PATH", "/"))
    return response
