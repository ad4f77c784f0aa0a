"""The building's directory 通讯录: the entries community staff type in (包楼居干, 法律服务专员, hotlines …).

The building heads and the property company's duty phone are not stored here: they are read live
from the role assignments and the building's property department (app/directory/queries.py).
"""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Building, User
from app.models.base import TimestampMixin, str_enum


class EntryKind(enum.StrEnum):
    """What a typed entry is; the role label shown when the entry has none of its own."""

    STAFF = "staff"  # 包楼居干: the community staff member in charge of the building
    LEGAL = "legal"  # 法律服务专员: the community's legal-service specialist
    HOTLINE = "hotline"  # 12345 北京市民热线 and other hotlines
    OTHER = "other"


class DirectoryEntry(TimestampMixin, db.Model):
    """One typed line of a building's directory: a name, a role label and a phone, in the staff's order.

    A 包楼居干 entry may name one of the community's staff accounts (`user_id`): its name and phone
    are then the account's, read when shown, so they follow the account.
    """

    __tablename__ = "directory_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, 10), default=EntryKind.OTHER)
    label: Mapped[str] = mapped_column(String(40), default="")  # e.g. 北京市民热线; empty: the kind's label
    name: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    building: Mapped[Building] = relationship()
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<DirectoryEntry {self.id} {self.building_id} {self.kind}>"
