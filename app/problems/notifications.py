"""The problem loop's 诉求闭环 notifications: what it tells whom, in their language.

The reporter hears of public updates, a department's people of a dispatch, the owners of a
feedback deadline near or passed. The services call on_timeline_step() after every step, in the
same transaction; deadline reminders come from the periodic job in app/problems/reminders.py, which
decides who and when and calls remind_owners() for the words. Delivery (inbox, push) is the
notifications core's (app/notifications): this module only says what to tell whom.
"""
from __future__ import annotations

from datetime import datetime
from itertools import groupby

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from app.clock import to_local
from app.models import Department, Role, RoleAssignment, User
from app.notifications.services import notify

# Public steps worth a push to the person who reported the problem.
REPORTER_KINDS = ("response", "escalated", "dispatched", "dispatch_progress", "dispatch_done", "resolved", "closed")


def about(problem) -> str:
    """The problem in a few of its own words, for a title ("楼道灯不亮"); a voice-only report by its category."""
    from app.problems.models import CATEGORY_LABELS

    words = " ".join((problem.text or "").split())
    if not words:
        return str(CATEGORY_LABELS.get(problem.category, problem.category))
    return words if len(words) <= 16 else words[:15] + "…"


def subject(problem) -> str:
    """What a problem's inbox items group by: one unread item per problem and kind."""
    return f"problem:{problem.id}"


def _title(kind: str, problem):
    """The reporter's title for a step, naming the problem; translated again when the inbox shows it."""
    name = about(problem)
    titles = {
        "response": _l("Reply to “%(problem)s”, which you reported", problem=name),
        "escalated": _l("“%(problem)s”, which you reported, was passed up for help", problem=name),
        "dispatched": _l("A department was called in for “%(problem)s”, which you reported", problem=name),
        "dispatch_progress": _l("Progress on “%(problem)s”, which you reported", problem=name),
        "dispatch_done": _l("A department finished its part of “%(problem)s”", problem=name),
        "resolved": _l("“%(problem)s” is resolved: please confirm", problem=name),
        "closed": _l("“%(problem)s”, which you reported, is closed", problem=name),
    }
    return titles.get(kind, _l("Update on “%(problem)s”, which you reported", problem=name))


def on_timeline_step(problem, event) -> None:
    """Notify the reporter of public updates and each newly dispatched department's people."""
    session = object_session(problem)
    if session is None:
        return
    kind = getattr(event.kind, "value", str(event.kind))
    url = f"/issues/{problem.id}"
    reporter = problem.reporter
    if (event.public and kind in REPORTER_KINDS and reporter is not None and reporter.active
            and event.actor_id != reporter.id):
        with force_locale(reporter.locale):
            notify(session, [reporter], "issue.update", _title(kind, problem), event.text or problem.text, url,
                   now=event.at, subject=subject(problem))
    if kind == "dispatched":
        names = (event.data or {}).get("departments") or []
        people = session.scalars(
            select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
            .join(Department, Department.id == RoleAssignment.department_id)
            .where(RoleAssignment.role == Role.DEPARTMENT, Department.name.in_(names), User.active.is_(True))
            .distinct()).all()
        for person in people:
            with force_locale(person.locale):
                notify(session, [person], "issue.dispatch", _l("New work order: %(text)s", text=problem.text[:40]),
                       event.text or problem.text, url, now=event.at, subject=subject(problem))


def tell_followers(problem, event, followers: list[User]) -> None:
    """The reporters of duplicates merged into `problem` hear of its public steps as its own reporter does."""
    session = object_session(problem)
    kind = getattr(event.kind, "value", str(event.kind))
    for follower in followers:
        with force_locale(follower.locale):
            notify(session, [follower], "issue.update", _title(kind, problem), event.text or problem.text,
                   f"/issues/{problem.id}", now=event.at, subject=subject(problem))


def on_merged(duplicate, keep, reporter: User, *, now: datetime) -> None:
    """Tell the duplicate's reporter which problem their report is followed as from now on."""
    with force_locale(reporter.locale):
        notify(object_session(duplicate), [reporter], "issue.update",
               _l("“%(problem)s”, which you reported, is now followed as problem #%(id)s",
                  problem=about(duplicate), id=keep.id),
               _l("It is followed as problem #%(id)s: %(text)s", id=keep.id, text=keep.text[:60]),
               f"/issues/{keep.id}", now=now, subject=subject(keep))


def _deadline_title(problem, overdue: bool):
    text = " ".join(problem.text.split())[:30] or problem.building.name
    if overdue:
        return _l("Overdue, no reply yet: %(text)s", text=text)
    return _l("Reply by %(time)s: %(text)s", time=to_local(problem.feedback_due_at).strftime("%H:%M"), text=text)


def remind_owners(session: Session, problem, people: list[User], *, overdue: bool, now: datetime) -> None:
    """Tell the problem's owners its feedback deadline is near (or has passed) with no public reply yet."""
    body = f"{problem.building.full_name} · {problem.text}"
    people = sorted(people, key=lambda u: (u.locale or "", u.id))
    for locale, group in groupby(people, key=lambda u: u.locale or ""):
        with force_locale(locale or "zh_CN"):
            notify(session, list(group), "issue.deadline", _deadline_title(problem, overdue), body,
                   f"/issues/{problem.id}", now=now)

