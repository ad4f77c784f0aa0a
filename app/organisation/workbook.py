"""The organisation workbook: one sheet per level, Chinese headers; its template and how it is read.

社区 (名称, 反馈时限小时) · 楼栋 (社区, 楼栋, 地址, 物业) · 房间 (社区, 楼栋, 单元, 楼层, 房号) ·
部门 (名称, 类型, 值班电话). An XLSX workbook holds the four sheets; as CSV, each sheet is a file of
its own (named after its sheet, or recognised by its headers). Reading checks each row on its own
(app/organisation/importer.py then checks them against each other and the database); it never writes.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import PurePath

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.api import field_messages
from app.models import DepartmentKind
from app.spreadsheets import RowError, cell_text, is_xlsx, read_csv, read_workbook, without_blank_rows

MAX_ROOMS = 100_000


class _Row(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    row: int  # the row number as the spreadsheet shows it, for messages


def _number(value, info):
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise ValueError(_l("Write a whole number.")) from None


class CommunityRow(_Row):
    """社区: a community of the street; an empty 反馈时限小时 keeps what it has (12 for a new one)."""

    name: str = Field(min_length=1, max_length=80)
    feedback_hours: int | None = Field(default=None, ge=1, le=720)

    _hours = field_validator("feedback_hours", mode="before")(_number)


class BuildingRow(_Row):
    """楼栋: a building of a community; an empty 地址 or 物业 keeps what it has."""

    community: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=80)
    address: str = Field(default="", max_length=200)
    property: str = Field(default="", max_length=80)


class RoomRow(_Row):
    """房间: a room of a building."""

    community: str = Field(min_length=1, max_length=80)
    building: str = Field(min_length=1, max_length=80)
    unit: str = Field(default="", max_length=20)
    floor: int | None = Field(default=None, ge=-9, le=200)
    number: str = Field(min_length=1, max_length=20)

    _floor = field_validator("floor", mode="before")(_number)


KINDS = {"物业": "property", "物业公司": "property", "property": "property",
         "职能部门": "city", "部门": "city", "城市部门": "city", "city": "city"}
KIND_NAMES = {DepartmentKind.PROPERTY: "物业", DepartmentKind.CITY: "职能部门"}


class DepartmentRow(_Row):
    """部门: a city department 职能部门 or a property company 物业 of the street."""

    name: str = Field(min_length=1, max_length=80)
    kind: DepartmentKind
    duty_phone: str = Field(default="", max_length=20)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value):
        """物业 or 职能部门, as the template says."""
        kind = KINDS.get(str(value or "").strip())
        if kind is None:
            raise ValueError(_l("Write 物业 or 职能部门."))
        return kind


class WorkbookIn(BaseModel):
    """Payload of `organisation.import`: a checked workbook's rows, for one street."""

    street_id: int
    communities: list[CommunityRow] = Field(default_factory=list, max_length=1000)
    buildings: list[BuildingRow] = Field(default_factory=list, max_length=10_000)
    rooms: list[RoomRow] = Field(default_factory=list, max_length=MAX_ROOMS)
    departments: list[DepartmentRow] = Field(default_factory=list, max_length=1000)


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook: its name, the payload list it fills, its columns and the required ones."""

    name: str
    key: str
    columns: dict[str, str]  # header -> field
    required: tuple[str, ...]
    model: type[_Row]
    example: tuple[tuple, ...]


SHEETS = (
    Sheet("社区", "communities", {"名称": "name", "反馈时限小时": "feedback_hours"}, ("名称",), CommunityRow,
          (("芳群园一区", 12), ("芳群园二区", 24))),
    Sheet("楼栋", "buildings", {"社区": "community", "楼栋": "name", "地址": "address", "物业": "property"},
          ("社区", "楼栋"), BuildingRow,
          (("芳群园一区", "6号楼", "北京市丰台区方庄芳群园一区6号楼", "方庄物业服务中心"),)),
    Sheet("房间", "rooms", {"社区": "community", "楼栋": "building", "单元": "unit", "楼层": "floor", "房号": "number"},
          ("社区", "楼栋", "房号"), RoomRow,
          (("芳群园一区", "6号楼", "1门", 1, "101"), ("芳群园一区", "6号楼", "1门", 1, "102"))),
    Sheet("部门", "departments", {"名称": "name", "类型": "kind", "值班电话": "duty_phone"}, ("名称", "类型"),
          DepartmentRow, (("方庄物业服务中心", "物业", "010-67610001"), ("城管执法队", "职能部门", "010-67610002"))),
)
SHEET_BY_NAME = {s.name: s for s in SHEETS}
SHEET_BY_KEY = {s.key: s for s in SHEETS}
NOTES_SHEET = "说明"


@dataclass
class ParsedWorkbook:
    """The rows of an uploaded workbook by payload list, and everything wrong with them."""

    rows: dict[str, list[dict]] = field(default_factory=lambda: {s.key: [] for s in SHEETS})
    errors: list[RowError] = field(default_factory=list)

    def payload(self, street_id: int) -> dict:
        """The `organisation.import` payload of these rows."""
        return {"street_id": street_id, **self.rows}


def _read_sheet(sheet: Sheet, table: list, parsed: ParsedWorkbook) -> None:
    rows = without_blank_rows(table)
    if not rows:
        return
    header_row, header = rows[0][0], [cell_text(c) for c in rows[0][1]]
    for name in header:
        if name and name not in sheet.columns:
            parsed.errors.append(RowError(header_row, name, _("Unknown column. Use the template's column names."), sheet.name))
    missing = [name for name in sheet.required if name not in header]
    for name in missing:
        parsed.errors.append(RowError(header_row, name, _("This column is missing."), sheet.name))
    if missing:
        return
    positions = [(i, sheet.columns[name]) for i, name in enumerate(header) if name in sheet.columns]
    columns = {v: k for k, v in sheet.columns.items()}
    model, found = sheet.model, parsed.rows[sheet.key]
    for number, cells in rows[1:]:
        raw = {"row": number}
        for i, name in positions:
            raw[name] = cell_text(cells[i]) if i < len(cells) else ""
        try:
            found.append(model.model_validate(raw).model_dump(mode="json"))
        except ValidationError as exc:
            for name, message in field_messages(exc).items():
                parsed.errors.append(RowError(number, columns.get(name, name), message, sheet.name))


def _sheet_of_csv(filename: str, header: list[str]) -> Sheet | None:
    stem = PurePath(filename).stem.strip()
    if stem in SHEET_BY_NAME:
        return SHEET_BY_NAME[stem]
    fitting = [s for s in SHEETS if set(s.required) <= set(header) and set(header) <= set(s.columns) | {""}]
    return fitting[0] if len(fitting) == 1 else None


def parse_workbook(files: list[tuple[str, bytes]]) -> ParsedWorkbook:
    """Read an XLSX workbook, or one CSV file per sheet; check every row on its own. Never writes."""
    parsed = ParsedWorkbook()
    for filename, data in files:
        try:
            if is_xlsx(filename):
                for title, table in read_workbook(data).items():
                    sheet = SHEET_BY_NAME.get(title.strip())
                    if sheet is not None:
                        _read_sheet(sheet, table, parsed)
                    elif title.strip() != NOTES_SHEET and without_blank_rows(table):
                        parsed.errors.append(RowError(0, "", _("Unknown sheet. Use the template's sheets: %(names)s.",
                                                               names="、".join(SHEET_BY_NAME)), title))
                continue
            table = read_csv(data)
        except ValueError as exc:
            parsed.errors.append(RowError(0, "", str(exc), filename))
            continue
        rows = without_blank_rows(table)
        sheet = _sheet_of_csv(filename, [cell_text(c) for c in rows[0][1]] if rows else [])
        if sheet is None:
            parsed.errors.append(RowError(1, "", _("Name the file after its sheet (%(names)s) or use its headers.",
                                                   names="、".join(SHEET_BY_NAME)), filename))
            continue
        _read_sheet(sheet, table, parsed)
    if not parsed.errors and not any(parsed.rows.values()):
        parsed.errors.append(RowError(0, "", _("The file is empty.")))
    if len(parsed.rows["rooms"]) > MAX_ROOMS:
        parsed.errors.append(RowError(0, "", _("At most %(n)s rows at a time.", n=MAX_ROOMS), "房间"))
    return parsed


NOTES = (
    "每个工作表一个层级;第一行是列名,不要改动。",
    "社区:名称必填;反馈时限小时留空则为 12 小时(已有社区保持不变)。",
    "楼栋:社区须在“社区”表中或已建立;物业须在“部门”表中(类型为物业)或已建立。",
    "房间:每行一户房间;单元可留空;楼层填数字。",
    "部门:类型填“物业”或“职能部门”。",
    "留空的格子不改变已有的内容;同一文件重复导入不会改变任何内容。",
)


def template_xlsx() -> bytes:
    """The workbook template: the four sheets with their headers, and a sheet of notes and examples."""
    book = Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append(list(sheet.columns))
    notes = book.create_sheet(NOTES_SHEET)
    for line in NOTES:
        notes.append([line])
    notes.append([])
    notes.append(["示例"])
    for sheet in SHEETS:  # examples here, not on the sheets: a forgotten example row would be imported
        for example in sheet.example:
            notes.append([sheet.name, *example])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_csv(sheet: Sheet) -> str:
    """One sheet of the template as CSV, its headers only (UTF-8 with BOM, which Excel opens correctly)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(sheet.columns))
    return "\ufeff" + out.getvalue()
