"""The notifications core's tables: the in-app inbox 消息, muted kinds and send-once markers.

The table names keep the `push_` prefix they were created with (push_muted_kind, push_sent_once):
renaming them would need a migration and buys nothing.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime


class InboxItem(TimestampMixin, db.Model):
    """One message in a user's in-app inbox 消息 — a notice or an event; push is only a copy of it."""

    __tablename__ = "inbox_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # "notice", "issue.update", …
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(300), default="/")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # The notice it copies (one item per user and notice); named by table, so the core imports no feature.
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What it is about ("problem:12"): a new step on the same subject and kind raises the person's
    # unread item (updates + 1) instead of adding another one.
    subject: Mapped[str | None] = mapped_column(String(40), index=True)
    updates: Mapped[int] = mapped_column(Integer, default=1, server_default="1", nullable=False)
    # App-written texts as {"title": [msgid, params], "body": [...]}, translated when shown so the
    # reader sees their language of the day; title/body are the texts as sent (notices, old rows).
    message: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("user_id", "notice_id"),)

    def __repr__(self) -> str:
        return f"<InboxItem {self.id} user={self.user_id} {self.kind}>"

    def _shown(self, part: str, sent: str) -> str:
        msgid, params = (self.message or {}).get(part) or (None, None)
        if not msgid:
            return sent
        try:
            return gettext(msgid, **params)
        except (KeyError, TypeError, ValueError):  # a msgid whose placeholders changed since it was stored
            return sent

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (app-written) or as sent (a notice, a row from before)."""
        return self._shown("title", self.title)

    @property
    def shown_body(self) -> str:
        """The body in the reader's language (app-written) or as sent."""
        return self._shown("body", self.body)


class MutedKind(db.Model):
    """A kind of message a user has turned off: it reaches neither their inbox nor a channel (never urgent ones)."""

    __tablename__ = "push_muted_kind"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)

    def __repr__(self) -> str:
        return f"<MutedKind {self.user_id} {self.kind}>"


class SentOnce(db.Model):
    """A notification that must go out once per subject (a deadline reminder, a vote opening or closing).

    The primary key is the guarantee: whichever job or request inserts the row first sends the
    notification; a concurrent one hits the key (PostgreSQL makes it wait for the first to commit)
    and sends nothing.
    """

    __tablename__ = "push_sent_once"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)  # "issue.deadline.soon", "vote.closed", …
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the problem's or convention's id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SentOnce {self.key} {self.subject_id}>"
