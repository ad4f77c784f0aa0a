"""A report's tables as CSV and XLSX: the same Report the page renders, iterated table by table.

CSV: the tables one after another, each under its title, values as the page prints them (so a
rate reads 66.67% there too), UTF-8 with a byte-order mark so spreadsheet programs read the Chinese.
XLSX (openpyxl): one sheet per table, the labels as headers, rates as numbers formatted as percentages.
"""
from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from app.reports.figures import Report, Table, display

# Number formats of the XLSX by column kind (rates are stored as fractions: 0.6667 shows 66.67%).
FORMATS = {"rate": "0.00%", "change": "+0.00%;-0.00%;0.00%", "hours": "0.0", "count": "0"}
SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def filename(report: Report, extension: str) -> str:
    """report-community-3-2026-09-01-2026-09-30.csv: ASCII, so every browser keeps it."""
    return f"report-{report.scope.kind}-{report.scope.id}-{report.period.first}-{report.period.last}.{extension}"


def _rows(table: Table) -> list[list[str]]:
    return [[display(row[c.key], c.kind) if c.kind != "text" else str(row[c.key]) for c in table.columns]
            for row in table.rows]


def to_csv(report: Report, tables: list[Table] | None = None) -> bytes:
    """The tables (all of the report's by default) as one CSV: a title line, a header, the rows, a blank line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([report.scope.name, f"{report.period.first} – {report.period.last}"])
    for table in tables if tables is not None else report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([c.label for c in table.columns])
        writer.writerows(_rows(table))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = SHEET_NAME.sub(" ", title)[:28].strip() or "表"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:26]} {n}", n + 1
    taken.add(name)
    return name


def to_xlsx(report: Report) -> bytes:
    """The report as a workbook: one sheet per table, its labels as the header row, numbers as numbers."""
    book = Workbook()
    book.remove(book.active)
    book.properties.title = f"{report.scope.name} {report.period.first} – {report.period.last}"
    taken: set[str] = set()
    for table in report.tables:
        sheet = book.create_sheet(_sheet_title(table.title, taken))
        sheet.append([c.label for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([row[c.key] if c.kind != "text" else str(row[c.key]) for c in table.columns])
        for index, column in enumerate(table.columns, 1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(10, len(column.label) * 2 + 2)
            if column.kind in FORMATS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = FORMATS[column.kind]
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()
