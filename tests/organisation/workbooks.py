"""Organisation workbooks for tests: built with openpyxl (or as CSV), sheet by sheet."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook, load_workbook

HEADERS = {"社区": ["名称", "反馈时限小时"], "楼栋": ["社区", "楼栋", "地址", "物业"],
           "房间": ["社区", "楼栋", "单元", "楼层", "房号"], "部门": ["名称", "类型", "值班电话"]}


def small_street() -> dict[str, list[list]]:
    """Two communities, three buildings (2 units × 3 floors × 2 rooms each: 36 rooms), a property company."""
    rooms = [[c, b, unit, floor, f"{floor}0{n}"] for c, b in (("芳群园二区", "1号楼"), ("芳群园二区", "2号楼"),
                                                              ("芳群园三区", "24号楼"))
             for unit in ("1门", "2门") for floor in (1, 2, 3) for n in (1, 2)]
    return {
        "社区": [["芳群园二区", 12], ["芳群园三区", 24]],
        "楼栋": [["芳群园二区", "1号楼", "方庄芳群园二区1号楼", "方庄物业服务中心"],
                ["芳群园二区", "2号楼", "方庄芳群园二区2号楼", "方庄物业服务中心"],
                ["芳群园三区", "24号楼", "方庄芳群园三区24号楼", ""]],
        "房间": rooms,
        "部门": [["方庄物业服务中心", "物业", "010-67610001"]],
    }


def xlsx(sheets: dict[str, list[list]], template: bytes | None = None) -> bytes:
    """The sheets' rows under their headers, in a new workbook or in the downloaded template."""
    book = load_workbook(io.BytesIO(template)) if template else Workbook()
    if not template:
        book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book[name] if template else book.create_sheet(name)
        if not template:
            sheet.append(HEADERS[name])
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(name: str, rows: list[list]) -> bytes:
    """One sheet as a CSV file (UTF-8 with BOM, as Excel saves it)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS[name])
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
