"""What joining tells people (inbox, and push where they subscribed): its texts, in the reader's language."""
from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.joining.models import JoinRequest
from app.models import User
from app.notifications.services import notify


def _each(users: list[User]):
    """The users, each with their own language in force."""
    for user in users:
        with force_locale(user.locale or "zh_CN"):
            yield user


def new_request(session: Session, heads: list[User], request: JoinRequest, *, now: datetime) -> None:
    """Tell the building's heads a neighbour asks to join."""
    for head in _each(heads):
        notify(session, [head], "join.request", _l("%(name)s asks to join %(building)s",
                                                  name=request.name, building=request.building.name),
               _l("Room %(room)s. Check the ledger and approve or decline.", room=request.room.label),
               "/joining/", now=now)


def phone_used(session: Session, owner: User, request: JoinRequest, *, now: datetime) -> None:
    """Tell an account's owner that someone asked to join a building with their phone number."""
    for user in _each([owner]):
        notify(session, [user], "join.phone_used", _l("Your phone number was used to ask to join %(building)s",
                                                     building=request.building.full_name),
               _l("If it was you: you already have an account. Sign in, or use 'Forgot password' on the sign-in page. "
                 "If it was not you, tell your building head."), "/", now=now)


def welcome(session: Session, user: User, request: JoinRequest, *, now: datetime) -> None:
    """Tell the new resident they are in."""
    for person in _each([user]):
        notify(session, [person], "join.approved", _l("Welcome to %(building)s", building=request.building.full_name),
               _l("Your building head approved your request. This is your building's page now."), "/", now=now)


def password_changed(session: Session, user: User, *, now: datetime) -> None:
    """Tell a person their password was changed with a reset code."""
    for person in _each([user]):
        notify(session, [person], "password.reset", _l("Your password was changed"),
               _l("It was set with a code from your building head. If it was not you, tell them at once."), "/",
               urgent=True, now=now)
