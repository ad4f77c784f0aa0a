"""Importing the household ledger 台账 from the CSV or XLSX sheets staff already keep.

Parsing and checking happen first, for a preview; nothing is written unless every row is valid.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api import field_messages
from app.models import Building, Household, Room
from app.spreadsheets import RowError, read_table
from app.visits.schemas import HouseholdFields

# Column headers as staff write them, and the field each fills.
HEADERS = {
    "单元": "unit", "房号": "room", "楼层": "floor", "成员": "members", "人数": "member_count",
    "联系电话": "contact_phone", "空巢": "empty_nest", "独居": "lives_alone", "行动不便": "limited_mobility",
    "无智能手机": "no_smartphone", "联系方式": "preferred_contact",
}
COLUMN_NAMES = {v: k for k, v in HEADERS.items()}
YES = {"是", "有", "1", "y", "yes", "true", "√", "✓"}
NO = {"", "否", "无", "0", "n", "no", "false"}
CONTACT = {"推送": "push", "手机推送": "push", "电话": "phone", "上门": "door", "push": "push", "phone": "phone", "door": "door"}
SHOWN_CONTACT = {"push": "推送", "phone": "电话", "door": "上门"}
MAX_ROWS = 5000


class LedgerRowIn(HouseholdFields):
    """One household row of an imported ledger."""

    unit: str = Field(default="", max_length=20)
    room: str = Field(min_length=1, max_length=20)
    floor: int | None = None

    @field_validator("empty_nest", "lives_alone", "limited_mobility", "no_smartphone", mode="before")
    @classmethod
    def _yes_no(cls, value):
        """是/否 as staff write them."""
        text = str(value).strip().lower() if value is not None else ""
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(_l("Write 是 or 否."))

    @field_validator("preferred_contact", mode="before")
    @classmethod
    def _contact(cls, value):
        """推送 / 电话 / 上门."""
        text = str(value).strip() if value is not None else ""
        if not text:
            return "push"
        if text.lower() in CONTACT or text in CONTACT:
            return CONTACT.get(text, CONTACT.get(text.lower()))
        raise ValueError(_l("Write 推送, 电话 or 上门."))

    @field_validator("floor", "member_count", mode="before")
    @classmethod
    def _blank_number(cls, value, info):
        """Empty cells mean unknown floor or one member; anything else must be a whole number."""
        if value is None or str(value).strip() == "":
            return None if info.field_name == "floor" else 1
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) or (isinstance(value, str) and value.strip().lstrip("-").isdigit()):
            return int(value)
        # Said in the words of the sheet, not pydantic's "wrong type of value".
        raise ValueError(_l("Write a number here (for example 3), not \"%(value)s\".", value=str(value)[:20]))


class LedgerImportIn(BaseModel):
    """Payload of `ledger.import`: a previewed sheet's rows for one building."""

    building_id: int
    rows: list[LedgerRowIn] = Field(min_length=1, max_length=MAX_ROWS)


@dataclass
class ParsedLedger:
    """The rows of an uploaded sheet and everything wrong with them."""

    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the sheet can be imported as it is."""
        return bool(self.rows) and not self.errors


def parse_ledger(filename: str, data: bytes) -> ParsedLedger:
    """Read a CSV or XLSX ledger; check every row; never writes."""
    parsed = ParsedLedger()
    try:
        table = read_table(filename, data)
    except ValueError as exc:
        parsed.errors.append(RowError(0, "", str(exc)))
        return parsed
    table = [r for r in table if any(c not in (None, "") for c in r)]
    if not table:
        parsed.errors.append(RowError(0, "", _("The file is empty.")))
        return parsed
    header = [str(c or "").strip() for c in table[0]]
    if "房号" not in header:
        parsed.errors.append(RowError(1, "房号", _("The first row must hold the column names; 房号 is required.")))
        return parsed
    unknown = [h for h in header if h and h not in HEADERS]
    for name in unknown:
        parsed.errors.append(RowError(1, name, _("Unknown column. Use the template's column names.")))
    if len(table) - 1 > MAX_ROWS:
        parsed.errors.append(RowError(0, "", _("At most %(n)s rows at a time.", n=MAX_ROWS)))
        return parsed
    seen: dict[tuple[str, str], int] = {}
    for number, cells in enumerate(table[1:], start=2):
        raw = {HEADERS[h]: (cells[i] if i < len(cells) else None) for i, h in enumerate(header) if h in HEADERS}
        raw = {k: (str(v).strip() if isinstance(v, str) else v) for k, v in raw.items()}
        for key in ("unit", "room", "members", "contact_phone"):
            if raw.get(key) is not None and not isinstance(raw[key], str):
                raw[key] = str(int(raw[key]) if isinstance(raw[key], float) and raw[key].is_integer() else raw[key])
            raw.setdefault(key, "")
            raw[key] = raw[key] or ""
        try:
            row = LedgerRowIn.model_validate(raw)
        except ValidationError as exc:
            for name, message in field_messages(exc).items():
                parsed.errors.append(RowError(number, COLUMN_NAMES.get(name, name), message))
            continue
        key = (row.unit, row.room)
        if key in seen:
            parsed.errors.append(RowError(number, "房号", _("The same room appears again (row %(row)s).", row=seen[key])))
            continue
        seen[key] = number
        parsed.rows.append(row.model_dump(mode="json"))
    return parsed


def import_ledger(session: Session, building: Building, rows: list[LedgerRowIn]) -> tuple[int, int]:
    """Create or update the building's households from checked rows; returns (created, updated)."""
    existing = {(h.unit, h.room): h for h in session.scalars(select(Household).where(Household.building_id == building.id))}
    rooms = {tuple(r) for r in session.execute(select(Room.unit, Room.number).where(Room.building_id == building.id))}
    created = updated = 0
    for row in rows:
        household = existing.get((row.unit, row.room))
        if (row.unit, row.room) not in rooms:  # a room the building's layout did not have yet
            session.add(Room(building_id=building.id, unit=row.unit, floor=row.floor, number=row.room))
            rooms.add((row.unit, row.room))
        if household is None:
            household = Household(building_id=building.id, unit=row.unit, room=row.room)
            session.add(household)
            created += 1
        else:
            updated += 1
        for name, value in row.model_dump().items():
            setattr(household, name, value)
        household.is_deleted = False
    session.flush()
    return created, updated


EXAMPLE_ROW = ["1门", "302", "3", "王建国、李秀英", "2", "13900000000", "是", "否", "否", "是", "上门"]


class Change(NamedTuple):
    """One field an imported row changes in the ledger, as the preview shows it: column, old → new."""

    column: str
    old: str
    new: str


def _shown(name: str, value) -> str:
    """A field's value as the sheet writes it (是/否, 推送/电话/上门)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "preferred_contact":
        return SHOWN_CONTACT.get(str(getattr(value, "value", value)), str(value))
    return "" if value is None else str(value)


def changes(session: Session, building: Building, rows: list[dict]) -> dict[tuple[str, str], list[Change]]:
    """For each row that updates a household already in the ledger (by unit and room), what it changes.

    Rows for new rooms are not in the answer; an existing room whose row changes nothing maps to [].
    """
    existing = {(h.unit, h.room): h for h in session.scalars(select(Household).where(Household.building_id == building.id))}
    found: dict[tuple[str, str], list[Change]] = {}
    for row in rows:
        household = existing.get((row["unit"], row["room"]))
        if household is None:
            continue
        found[(row["unit"], row["room"])] = [
            Change(COLUMN_NAMES[name], _shown(name, getattr(household, name)), _shown(name, row[name]))
            for name in HEADERS.values() if name in row and name not in ("unit", "room")
            and _shown(name, getattr(household, name)) != _shown(name, row[name])]
    return found


def template_xlsx() -> bytes:
    """An Excel template with the column names and one example row."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(list(HEADERS))
    sheet.append(EXAMPLE_ROW)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv() -> str:
    """A CSV with the column names and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(HEADERS))
    writer.writerow(EXAMPLE_ROW)
    return "\ufeff" + out.getvalue()
