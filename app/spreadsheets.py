"""Spreadsheets people upload (CSV or XLSX), read into rows, and previews waiting for confirmation.

Shared by the imports that check every row first and write only once the person has seen the
preview and confirmed it: the household ledger (app/visits/ledger_import.py) and the organisation
workbook (app/organisation/workbook.py). Nothing here writes to the database.
"""
from __future__ import annotations

import csv
import io
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import abort, current_app
from flask_babel import gettext as _
from openpyxl import load_workbook

PREVIEW_TTL = 24 * 3600  # seconds a preview waits for its confirmation


@dataclass
class RowError:
    """A problem in one cell, shown in the preview: its sheet (when the file has several), row and column."""

    row: int
    column: str
    message: str
    sheet: str = ""


def is_xlsx(filename: str) -> bool:
    """True for an Excel workbook's file name."""
    return filename.lower().endswith(".xlsx")


def read_workbook(data: bytes) -> dict[str, list[tuple]]:
    """Every sheet of an XLSX workbook by name, as rows of cell values (ValueError when unreadable)."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ValueError(_("This is not an Excel (.xlsx) file we can read.")) from None
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}
    finally:
        book.close()


def read_csv(data: bytes) -> list[list[str]]:
    """A CSV file's rows, in UTF-8 (with or without BOM) or GB18030 as Chinese Excel saves it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise ValueError(_("This file is neither a CSV nor an Excel file.")) from None
    return list(csv.reader(io.StringIO(text)))


def read_table(filename: str, data: bytes) -> list:
    """The rows of a CSV file, or of an XLSX workbook's first sheet (ValueError when unreadable)."""
    if is_xlsx(filename):
        sheets = read_workbook(data)
        return [list(r) for r in next(iter(sheets.values()), [])]
    return read_csv(data)


def without_blank_rows(rows: list) -> list[tuple[int, list]]:
    """(row number as the spreadsheet shows it, cells) of every row with something in it."""
    return [(number, list(cells)) for number, cells in enumerate(rows, start=1)
            if any(c not in (None, "") and str(c).strip() for c in cells)]


def cell_text(value: Any) -> str:
    """A cell as text: Excel's 101.0 is "101", blanks are "", surrounding spaces dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# -- previews waiting for confirmation -----------------------------------------------------


def _preview_dir() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _drop_old_previews(folder: Path) -> None:
    """Previews nobody confirmed within a day are removed (they may hold names and phone numbers)."""
    limit = time.time() - PREVIEW_TTL
    for old in folder.glob("*.json"):
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)


def store_preview(payload: dict) -> str:
    """Keep a checked file's rows until the person confirms; the token that names them."""
    folder = _preview_dir()
    _drop_old_previews(folder)
    token = secrets.token_urlsafe(16)
    (folder / f"{token}.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return token


def load_preview(token: str) -> dict | None:
    """The payload kept under `token`, or None when it is unknown, malformed or expired."""
    if not token.replace("-", "").replace("_", "").isalnum():
        return None
    path = _preview_dir() / f"{token}.json"
    if not path.exists() or path.stat().st_mtime < time.time() - PREVIEW_TTL:
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def owned_preview(token: str, user_id: int) -> dict | None:
    """The payload kept under `token` for this person (None when gone); someone else's preview is a 403."""
    kept = load_preview(token)
    if kept is not None and kept["user_id"] != user_id:
        abort(403)
    return kept


def drop_preview(token: str) -> None:
    """Forget a preview (written, or refused for good)."""
    if token.replace("-", "").replace("_", "").isalnum():
        (_preview_dir() / f"{token}.json").unlink(missing_ok=True)
