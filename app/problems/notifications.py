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
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from app.clock import to_local
from app.models import Department, Role, RoleAssignment, User
from app.notifications.services import notify

# Public steps worth a push to the person who reported the problem.
REPORTER_KINDS = ("response", "escalated", "dispatched", "dispatch_progress", "dispatch_done", "resolved", "closed")


def _title(kind: str) -> str:
    titles = {
        "response": _("Reply to the problem you reported"),
        "escalated": _("Your problem was passed up for help"),
        "dispatched": _("A department was called in for your problem"),
        "dispatch_progress": _("Progress on the problem you reported"),
        "dispatch_done": _("A department finished its part of your problem"),
        "resolved": _("Your problem is resolved: please confirm"),
        "closed": _("Your problem is closed"),
    }
    return titles.get(kind, _("Update on the problem you reported"))


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
            notify(session, [reporter], "issue.update", _title(kind), event.text or problem.text, url, now=event.at)
    if kind == "dispatched":
        names = (event.data or {}).get("departments") or []
        people = session.scalars(
            select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
            .join(Department, Department.id == RoleAssignment.department_id)
            .where(RoleAssignment.role == Role.DEPARTMENT, Department.name.in_(names), User.active.is_(True))
            .distinct()).all()
        for person in people:
            with force_locale(person.locale):
                notify(session, [person], "issue.dispatch", _("New work order: %(text)s", text=problem.text[:40]),
                       event.text or problem.text, url, now=event.at)


def _deadline_title(problem, overdue: bool) -> str:
    text = " ".join(problem.text.split())[:30] or problem.building.name
    if overdue:
        return _("Overdue, no reply yet: %(text)s", text=text)
    return _("Reply by %(time)s: %(text)s", time=to_local(problem.feedback_due_at).strftime("%H:%M"), text=text)


def remind_owners(session: Session, problem, people: list[User], *, overdue: bool, now: datetime) -> None:
    """Tell the problem's owners its feedback deadline is near (or has passed) with no public reply yet."""
    body = f"{problem.building.full_name} · {problem.text}"
    people = sorted(people, key=lambda u: (u.locale or "", u.id))
    for locale, group in groupby(people, key=lambda u: u.locale or ""):
        with force_locale(locale or "zh_CN"):
            notify(session, list(group), "issue.deadline", _deadline_title(problem, overdue), body,
                   f"/issues/{problem.id}", now=now)

