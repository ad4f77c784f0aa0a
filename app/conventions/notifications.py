"""What building conventions 楼门公约 tell the building's residents: a vote opened, and how it ended.

app/conventions/services.py calls vote_opened() and vote_closed() in the transaction that opens or
closes the vote. Each announcement goes out once per convention (a send-once marker), even if a
request and the close-due loop close the same vote at the same moment. Delivery (inbox, push) is
the notifications core's (app/notifications).
"""
from __future__ import annotations

from datetime import datetime
from itertools import groupby

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import to_local
from app.models import Household, Role, RoleAssignment, User
from app.notifications.services import claim_once, notify


def residents(session: Session, building_id: int) -> list[User]:
    """Every active resident account of the building's households (several per household is fine)."""
    return list(session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(Household, Household.id == RoleAssignment.household_id)
        .where(RoleAssignment.role == Role.RESIDENT, Household.building_id == building_id,
               Household.is_deleted.is_(False), User.active.is_(True))
        .distinct().order_by(User.id)))


def _when(moment: datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def _opened(convention, now: datetime) -> tuple[str, str]:
    title = _l("Vote open: %(title)s", title=convention.title)
    if convention.vote_opens_at is not None and convention.vote_opens_at > now:
        body = _l("Voting opens %(opens)s and closes %(closes)s; one vote per household.",
                 opens=_when(convention.vote_opens_at), closes=_when(convention.vote_closes_at))
    else:
        body = _l("One vote per household, until %(when)s.", when=_when(convention.vote_closes_at))
    return title, body


def _closed(convention, tally) -> tuple[str, str]:
    title = _l("Vote result: %(title)s", title=convention.title)
    counts = {"yes": tally.yes, "no": tally.no, "abstain": tally.abstain, "voted": tally.voted,
              "households": tally.households}
    if tally.adopted:
        body = _l("Adopted: %(yes)d agree, %(no)d disagree, %(abstain)d abstain; "
                 "%(voted)d of %(households)d households voted.", **counts)
    elif not tally.quorum_met:
        body = _l("Not adopted: too few households voted (%(voted)d of %(households)d).", **counts)
    else:
        body = _l("Not adopted: %(yes)d agree, %(no)d disagree, %(abstain)d abstain; "
                 "%(voted)d of %(households)d households voted.", **counts)
    return title, body


def _announce(session: Session, convention, key: str, now: datetime, words) -> None:
    """Tell the building's residents, each in their language, once per convention and `key`."""
    if not claim_once(session, key, convention.id, now=now):
        return
    people = sorted(residents(session, convention.building_id), key=lambda u: (u.locale or "", u.id))
    for locale, group in groupby(people, key=lambda u: u.locale or ""):
        with force_locale(locale or "zh_CN"):
            title, body = words()
            notify(session, list(group), "vote", title, body, f"/conventions/{convention.id}", now=now)


def vote_opened(session: Session, convention, *, now: datetime) -> None:
    """Tell the building's residents the vote is open (or when it opens), and until when."""
    _announce(session, convention, "vote.opened", now, lambda: _opened(convention, now))


def vote_closed(session: Session, convention, tally, *, now: datetime) -> None:
    """Tell the building's residents how the vote ended."""
    _announce(session, convention, "vote.closed", now, lambda: _closed(convention, tally))
