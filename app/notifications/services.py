"""The notifications core 消息: the in-app inbox, `notify()`/`post()`, muted kinds and send-once markers.

Every feature may import this module; it imports no feature and no channel. A feature writes its
own texts (app/problems/notifications.py, app/conventions/notifications.py, …) and calls `notify()`
for a few people or `post()` for a SELECT of many, in its own transaction: the inbox items are
written there, and each registered channel (app/notifications/channels.py; Web Push is one) writes
its outbox rows in the same transaction. Nothing here sends.
"""
from __future__ import annotations

from datetime import datetime
from functools import cache

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Integer,
    ScalarSelect,
    Select,
    String,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.database import plain_rows, request_only_reads
from app.models import User
from app.models.base import UTCDateTime
from app.notifications.channels import Notification, channels
from app.notifications.models import InboxItem, MutedKind, SentOnce

# Kinds of message a person may turn off (urgent notices can never be turned off).
EVENT_KINDS = ("notice", "issue.update", "issue.deadline", "issue.dispatch", "vote")

KIND_LABELS = {
    "notice": _l("Normal notices (urgent ones always come)"),
    "issue.update": _l("Updates on problems I reported"),
    "issue.deadline": _l("Deadline reminders for problems I handle"),
    "issue.dispatch": _l("New dispatches to my department"),
    "vote": _l("Votes opening and closing"),
}


def _unmuted(recipients: Select, kind: str) -> Select:
    """The (user_id, household_id) rows of `recipients` whose user has not turned `kind` off."""
    r = recipients.subquery()
    return select(r.c[0], r.c[1]).where(r.c[0].not_in(select(MutedKind.user_id).where(MutedKind.kind == kind)))


def message_of(**texts: str | LazyString) -> dict | None:
    """{"title": [msgid, params], …} for the texts written with lazy_gettext, to translate when shown.

    A plain string (a staff-written notice) is kept only as sent. Parameters are the reader's data
    (a problem's words, a building's name); anything not JSON is stored as its text in the
    sender's language.
    """
    stored = {}
    for part, text in texts.items():
        if isinstance(text, LazyString) and text._args:
            params = {k: v if isinstance(v, (str, int, float)) else str(v) for k, v in text._kwargs.items()}
            stored[part] = [str(text._args[0]), params]
    return stored or None


def _add_to_inbox(session: Session, recipients: Select, note: Notification, *, subject: str | None = None,
                  message: dict | None = None) -> int:
    """One inbox item per distinct recipient user: the in-app copy every notice and event gets.

    With a `subject`, a recipient's unread item of the same kind and subject is raised instead (its
    texts become this step's, it moves to the top, updates + 1): one unread item per problem.
    """
    r = recipients.subquery()
    written = 0
    fresh = select(r.c[0]).distinct()  # the users once; PostgreSQL cannot DISTINCT the JSON column below
    if subject is not None:
        unread = (InboxItem.subject == subject, InboxItem.kind == note.kind, InboxItem.read_at.is_(None))
        raised = session.execute(
            update(InboxItem).where(*unread, InboxItem.user_id.in_(select(r.c[0])))
            .values(title=note.title[:120], body=note.body, url=note.url, urgent=note.urgent, message=message,
                    created_at=note.at, updated_at=note.at, updates=InboxItem.updates + 1)
            .execution_options(synchronize_session=False))
        written += max(raised.rowcount or 0, 0)
        fresh = fresh.where(r.c[0].not_in(select(InboxItem.user_id).where(*unread)))
    query = select(fresh.subquery().c[0], literal(note.kind), literal(note.title[:120]), literal(note.body),
                   literal(note.url), literal(note.urgent, Boolean), cast(literal(note.notice_id), Integer),
                   literal(note.at, UTCDateTime), literal(note.at, UTCDateTime),
                   cast(literal(subject), String), literal(message, JSON))
    columns = ["user_id", "kind", "title", "body", "url", "urgent", "notice_id", "created_at", "updated_at",
               "subject", "message"]
    result = session.execute(insert(InboxItem).from_select(columns, query))
    return written + (result.rowcount if result.rowcount is not None and result.rowcount >= 0 else 0)


def post(session: Session, recipients: Select, note: Notification, *, mute_inbox: bool = True,
         subject: str | None = None, message: dict | None = None) -> int:
    """Tell everyone in `recipients` (a SELECT of user_id, household_id): inbox items, then every channel.

    People who turned `note.kind` off get nothing, unless it is urgent; with `mute_inbox=False`
    they still get the inbox item and only the channels stay quiet (a notice stays on the notice
    board). `subject` groups a subject's items (see _add_to_inbox); `message` (message_of) lets the
    inbox show the texts in the reader's language. Runs in the caller's transaction; returns how
    many inbox items were written or raised.
    """
    audience = recipients if note.urgent else _unmuted(recipients, note.kind)
    written = _add_to_inbox(session, audience if mute_inbox else recipients, note, subject=subject, message=message)
    for channel in channels():
        channel(session, note, audience)
    return written


def notify(session: Session, users: list[User], kind: str, title: str | LazyString, body: str | LazyString,
           url: str, *, urgent: bool = False, now: datetime, subject: str | None = None) -> Notification:
    """Tell `users` about an event: an inbox item each, and a copy by each channel (a push to their devices).

    People who turned `kind` off get neither (the problem or convention page still shows it);
    urgent messages reach everyone. Texts written with lazy_gettext are shown in the inbox in the
    reader's language of the moment; the channels get them in the language in force now (the
    callers force each recipient's). Items with the same `subject` ("problem:12") and kind group
    into one unread item.
    """
    message = message_of(title=title, body=body)
    note = Notification(kind=kind, title=str(title)[:120], body=str(body), url=url, at=now, urgent=urgent)
    ids = sorted({u.id for u in users}) or [-1]
    recipients = select(User.id, cast(literal(None), Integer).label("household_id")).where(User.id.in_(ids))
    post(session, recipients, note, subject=subject, message=message)
    return note


def claim_once(session: Session, key: str, subject_id: int, *, now: datetime) -> bool:
    """Record that `key` is being sent about `subject_id`; False when it already was (by anyone).

    Call it before notify() in the same transaction. The marker's primary key decides between two
    jobs or requests racing: on PostgreSQL the second insert waits for the first transaction and
    then fails; SQLite writers take the write lock in turn. A failed claim rolls back only itself.
    """
    session.flush()  # the caller's pending rows must not ride in (and roll back with) the savepoint
    try:
        with session.begin_nested():
            session.add(SentOnce(key=key, subject_id=subject_id, created_at=now))
    except IntegrityError:
        return False
    return True


def was_sent(key: str, subject_id) -> Select:
    """An EXISTS-able SELECT of the marker, for jobs that skip what was already sent."""
    return select(SentOnce.subject_id).where(SentOnce.key == key, SentOnce.subject_id == subject_id)


def unread_of(user_id: ColumnElement[int]) -> ScalarSelect[int]:
    """How many inbox items the user `user_id` names has not opened, as a column.

    app/auth/services.py reads it beside the signed-in person (every page's header shows it), so the
    badge costs no statement of its own; unread_count() runs it alone.
    """
    table = InboxItem.__table__
    return select(func.count()).where(table.c.user_id == user_id, table.c.read_at.is_(None)).scalar_subquery()


@cache
def _unread_count() -> Select:
    # Built once: building the statement cost more than running it.
    return select(unread_of(bindparam("user_id")))


def unread_count(session: Session, user: User) -> int:
    """How many inbox items the user has not opened (the header's badge).

    Inside a GET request, what was read with the signed-in person (User.unread_at_load) is still
    true, since a GET writes nothing: no statement then.
    """
    if user.unread_at_load is not None and request_only_reads():
        return user.unread_at_load
    return plain_rows(session, _unread_count(), {"user_id": user.id}).scalar() or 0


def inbox(session: Session, user: User, limit: int = 100) -> list[InboxItem]:
    """The user's inbox, newest first."""
    return list(session.scalars(select(InboxItem).where(InboxItem.user_id == user.id)
                                .order_by(InboxItem.created_at.desc(), InboxItem.id.desc()).limit(limit)))


def mark_read(session: Session, user: User, *, now: datetime, notice_id: int | None = None,
              item_id: int | None = None) -> None:
    """Mark the user's inbox item (by id or by notice) read."""
    query = update(InboxItem).where(InboxItem.user_id == user.id, InboxItem.read_at.is_(None))
    query = query.where(InboxItem.notice_id == notice_id) if notice_id is not None else query.where(InboxItem.id == item_id)
    session.execute(query.values(read_at=now))


def mark_all_read(session: Session, user: User, *, now: datetime) -> int:
    """Mark every unread inbox item of the user read; how many there were."""
    result = session.execute(update(InboxItem).where(InboxItem.user_id == user.id, InboxItem.read_at.is_(None))
                             .values(read_at=now, updated_at=now).execution_options(synchronize_session=False))
    return max(result.rowcount or 0, 0)


def set_muted(session: Session, user: User, kinds: set[str]) -> None:
    """Turn the given event kinds off for the user (the others on)."""
    session.execute(delete(MutedKind).where(MutedKind.user_id == user.id))
    for kind in sorted(kinds & set(EVENT_KINDS)):
        session.add(MutedKind(user_id=user.id, kind=kind))
    session.flush()


def muted_kinds(session: Session, user: User) -> set[str]:
    """The kinds the user turned off."""
    return set(session.scalars(select(MutedKind.kind).where(MutedKind.user_id == user.id)))


def muting_choices(session: Session, user: User) -> dict:
    """What the "what to notify me about" form shows (templates/notifications/_kinds.html)."""
    return {"kinds": EVENT_KINDS, "kind_labels": KIND_LABELS, "muted": muted_kinds(session, user)}
