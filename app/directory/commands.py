"""What is done with a building's directory 通讯录, one command each (app/commands.py): add, edit, remove, move."""
from __future__ import annotations

import re
from typing import Literal

from flask_babel import gettext as _
from pydantic import BaseModel, Field

from app.auth.permissions import require
from app.commands import Context, Refused, command, get_or_refuse
from app.directory import services
from app.directory.models import DirectoryEntry, EntryKind
from app.directory.queries import staff_accounts
from app.models import Building

# Digits, with spaces or hyphens between them and an optional leading +: 12345, 010-6761 0001, +86 139…
PHONE = re.compile(r"\+?[0-9](?:[0-9 \-]*[0-9])?")


class EntryFields(BaseModel):
    """What an entry says: its kind, an optional role label, and a name and phone or a staff account."""

    kind: EntryKind = EntryKind.OTHER
    label: str = Field("", max_length=40)
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    user_id: int | None = None  # a 包楼居干 picked from the community's staff accounts


class AddIn(EntryFields):
    """A new entry for this building."""

    building_id: int


class EditIn(EntryFields):
    """The entry, as now typed."""

    entry_id: int


class EntryIn(BaseModel):
    """Which entry."""

    entry_id: int


class MoveIn(EntryIn):
    """Which entry, and up or down the list."""

    direction: Literal["up", "down"]


def _checked(ctx: Context, building: Building, data: EntryFields) -> dict:
    """The entry's values, or Refused on the field that is wrong."""
    user = None
    if data.user_id is not None:
        user = next((u for u in staff_accounts(ctx.session, building) if u.id == data.user_id), None)
        if user is None:
            raise Refused(_("Pick one of this community's staff."), "invalid", field="user_id")
    name, phone, label = data.name.strip(), data.phone.strip(), data.label.strip()
    if user is None:
        fields = {}
        if not name:
            fields["name"] = _("Give a name, or pick a staff account.")
        if not PHONE.fullmatch(phone) or len(re.sub(r"\D", "", phone)) < 3:
            fields["phone"] = _("Give a phone number: digits, e.g. 12345 or 010-67610001.")
        if fields:
            raise Refused(next(iter(fields.values())), "invalid", fields=fields)
    return {"kind": data.kind, "label": label, "name": name if user is None else "",
            "phone": phone if user is None else "", "user": user}


def _answer(entry: DirectoryEntry) -> dict:
    return {"entry_id": entry.id, "building_id": entry.building_id}


@command("directory.add", AddIn)
def add(ctx: Context, data: AddIn) -> dict:
    """Add a typed entry (包楼居干, 法律服务专员, a hotline …) at the end of the building's directory."""
    building = get_or_refuse(ctx.session, Building, data.building_id, _("This building does not exist."))
    require(ctx.user, "directory.edit", building)
    return _answer(services.add_entry(ctx.session, building, **_checked(ctx, building, data)))


def _entry(ctx: Context, entry_id: int) -> DirectoryEntry:
    """The entry, once the person may edit its building's directory."""
    entry = get_or_refuse(ctx.session, DirectoryEntry, entry_id, _("This entry does not exist."))
    require(ctx.user, "directory.edit", entry.building)
    return entry


@command("directory.edit", EditIn)
def edit(ctx: Context, data: EditIn) -> dict:
    """Change a typed entry."""
    entry = _entry(ctx, data.entry_id)
    return _answer(services.update_entry(ctx.session, entry, **_checked(ctx, entry.building, data)))


@command("directory.remove", EntryIn)
def remove(ctx: Context, data: EntryIn) -> dict:
    """Take a typed entry off the directory."""
    entry = _entry(ctx, data.entry_id)
    answer = _answer(entry)
    services.remove_entry(ctx.session, entry)
    return answer


@command("directory.move", MoveIn)
def move(ctx: Context, data: MoveIn) -> dict:
    """Move a typed entry one place up or down."""
    entry = _entry(ctx, data.entry_id)
    return {**_answer(entry), "moved": services.move_entry(ctx.session, entry, -1 if data.direction == "up" else 1)}
