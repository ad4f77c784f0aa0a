"""The page, the CSV, the XLSX and the JSON say the same numbers (issue 16: one computation, four renderings)."""
import csv
import io
import re

from openpyxl import load_workbook

from app.reports.figures import display
from tests.reports.test_routes import SEPTEMBER, shown_figures


def scope_of(world):
    return f"community:{world.community.id}"


def test_json_csv_xlsx_and_page_agree(client, login, report_world):
    login(report_world.staff)
    query = f"scope={scope_of(report_world)}&{SEPTEMBER}"
    answer = client.get(f"/api/v1/reports?{query}")
    assert answer.status_code == 200
    report = answer.get_json()
    assert (report["scope"], report["from"], report["to"]) == (scope_of(report_world), "2026-09-01", "2026-09-30")
    tables = {t["key"]: t for t in report["tables"]}
    assert [(r["numerator"], r["denominator"], r["rate"]) for r in tables["rates"]["rows"]] == [
        (4, 6, 0.6667), (3, 6, 0.5), (1, 2, 0.5)]
    assert report["definitions"] and all(d["text"] for d in report["definitions"])

    # The page: every linked figure shows what the JSON says.
    page = client.get(f"/reports/?{query}").get_data(as_text=True)
    expected = {}
    for table in report["tables"]:
        kinds = {c["key"]: c["kind"] for c in table["columns"]}
        for row, links in zip(table["rows"], table["links"], strict=True):
            for column, url in links.items():
                key = re.search(r"figure=([^&]+)", url).group(1).replace("%3A", ":")
                expected[key] = display(row[column], kinds[column])
    assert shown_figures(page) == expected

    # The CSV: each table under its title, header labels, the page's values.
    text = client.get(f"/reports/export.csv?{query}").get_data().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    for table in report["tables"]:
        at = lines.index([table["title"]])
        assert lines[at + 1] == [c["label"] for c in table["columns"]]
        for i, row in enumerate(table["rows"]):
            assert lines[at + 2 + i] == [str(row[c["key"]]) if c["kind"] == "text" else display(row[c["key"]], c["kind"])
                                         for c in table["columns"]]

    # The XLSX: one sheet per table, the labels as headers, the same numbers (rates as % formatted fractions).
    book = load_workbook(io.BytesIO(client.get(f"/reports/export.xlsx?{query}").get_data()))
    assert len(book.sheetnames) == len(report["tables"])
    for sheet, table in zip(book.worksheets, report["tables"], strict=True):
        values = list(sheet.iter_rows(values_only=True))
        assert list(values[0]) == [c["label"] for c in table["columns"]]
        assert [list(v) for v in values[1:]] == [[row[c["key"]] for c in table["columns"]] for row in table["rows"]]
        for index, column in enumerate(table["columns"], 1):
            if column["kind"] == "rate" and table["rows"]:
                assert sheet.cell(2, index).number_format == "0.00%"


def test_the_xlsx_headers_are_chinese(client, login, report_world):
    login(report_world.staff)
    book = load_workbook(io.BytesIO(client.get(f"/reports/export.xlsx?scope={scope_of(report_world)}&{SEPTEMBER}")
                                    .get_data()))
    assert "三率" in book.sheetnames
    assert [c.value for c in book["三率"][1]] == ["比率", "计入", "总数", "比率"]


def test_one_table_as_csv(client, login, report_world):
    login(report_world.staff)
    response = client.get(f"/reports/export.csv?scope={scope_of(report_world)}&{SEPTEMBER}&table=rates")
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"report-community-")
    lines = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len([line for line in lines if line]) == 1 + 1 + 1 + 3  # scope line, title, header, three rates
    assert client.get(f"/reports/export.csv?scope={scope_of(report_world)}&table=nope").status_code == 404


def test_the_api_refuses_in_its_error_shape(client, login, report_world):
    assert client.get("/api/v1/reports").status_code == 401
    login(report_world.staff)
    other = client.get(f"/api/v1/reports?scope=community:{report_world.other_community.id}")
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "forbidden"
    bad = client.get("/api/v1/reports?month=2026-13")
    assert bad.status_code == 400 and "YYYY-MM" in bad.get_json()["error"]["message"]
    assert client.get(f"/reports/export.xlsx?scope=community:{report_world.other_community.id}").status_code == 403
