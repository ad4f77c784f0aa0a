"""The organisation workbook: template, preview with every row's status, errors by sheet/row/column, confirm, re-import."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import Building, Community, Department, Room
from tests.organisation.conftest import snapshot
from tests.organisation.workbooks import csv_file, small_street, xlsx


def upload(client, token: str, street_id: int, *files: tuple[bytes, str]):
    """Post the import form with these files; the preview page."""
    return client.post("/organisation/import", content_type="multipart/form-data", data={
        "csrf_token": token, "street_id": str(street_id), "files": [(io.BytesIO(data), name) for data, name in files]})


def counts(page: str) -> dict[str, tuple[int, int, int]]:
    """The preview's counts table: sheet -> (new, changed, unchanged)."""
    table = page.split('id="counts"', 1)[1].split("</table>", 1)[0]
    cell = r'<td class="num">(\d+)</td>'
    rows = re.findall(r'<th scope="row">(\S+)</th>' + cell * 3, table)
    return {name: (int(a), int(b), int(c)) for name, a, b, c in rows}


def confirm(client, token: str, page: str):
    """Press 保存 on a preview."""
    action = re.search(r'action="(/organisation/import/[^"]+)"', page).group(1)
    return client.post(action, data={"csrf_token": token})


def total(model) -> int:
    """How many rows `model` has."""
    return db.session.scalar(select(func.count()).select_from(model))


def test_template_has_one_sheet_per_level_with_chinese_headers(org, people, client, login):
    """The downloaded workbook: 社区, 楼栋, 房间, 部门 with their headers, and no example row to import by mistake."""
    login(people["street"])
    response = client.get("/organisation/import/template.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:4] == ["社区", "楼栋", "房间", "部门"]
    assert [c.value for c in book["房间"][1]] == ["社区", "楼栋", "单元", "楼层", "房号"]
    assert book["楼栋"].max_row == 1
    csv_page = client.get("/organisation/import/template-2.csv")
    assert csv_page.get_data(as_text=True).lstrip("\ufeff").startswith("社区,楼栋,单元,楼层,房号")


def test_preview_then_confirm_then_the_same_file_changes_nothing(org, people, client, login):
    """Preview counts every row as new and writes nothing; confirming writes it all; the same file again: all unchanged."""
    token = login(people["street"])
    data = xlsx(small_street())
    before = snapshot()
    preview = upload(client, token, org.street.id, (data, "方庄.xlsx"))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[:2000]
    # 方庄物业服务中心 exists already (the fixture's): unchanged but for its phone
    assert counts(page) == {"社区": (2, 0, 0), "楼栋": (3, 0, 0), "房间": (36, 0, 0), "部门": (0, 1, 0)}
    assert snapshot() == before  # nothing written by the preview
    done = confirm(client, token, page)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/organisation/streets/{org.street.id}")
    assert total(Community) == 4 and total(Building) == 4 and total(Room) == 6 + 36
    company = db.session.scalar(select(Department).where(Department.name == "方庄物业服务中心"))
    assert company.duty_phone == "010-67610001"
    one = db.session.scalar(select(Building).where(Building.name == "1号楼"))
    assert one.property_department_id == company.id and one.address == "方庄芳群园二区1号楼"
    street_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "芳群园二区" in street_page and "芳群园三区" in street_page
    written = snapshot()

    again = upload(client, token, org.street.id, (data, "方庄.xlsx")).get_data(as_text=True)
    assert counts(again) == {"社区": (0, 0, 2), "楼栋": (0, 0, 3), "房间": (0, 0, 36), "部门": (0, 0, 1)}
    confirm(client, token, again)
    assert snapshot() == written


def test_a_changed_row_is_shown_as_changed_and_written(org, people, client, login):
    """6号楼 with a new address and 1门 101 on floor 2: two changed rows, and only those."""
    token = login(people["staff"]) and login(people["admin"])
    data = xlsx({"楼栋": [["芳群园一区", "6号楼", "方庄路6号", ""]], "房间": [["芳群园一区", "6号楼", "1门", 2, "101"],
                                                                         ["芳群园一区", "6号楼", "1门", 1, "102"]]})
    page = upload(client, token, org.street.id, (data, "x.xlsx")).get_data(as_text=True)
    assert counts(page)["楼栋"] == (0, 1, 0) and counts(page)["房间"] == (0, 1, 1)
    confirm(client, token, page)
    assert db.session.get(Building, org.building.id).address == "方庄路6号"
    assert db.session.get(Building, org.building.id).property_department_id is None  # an empty cell changes nothing
    floors = dict(db.session.execute(select(Room.number, Room.floor).where(Room.building_id == org.building.id,
                                                                           Room.unit == "1门")).all())
    assert floors["101"] == 2 and floors["102"] == 1


def test_wrong_rows_are_named_by_sheet_row_and_column_and_nothing_is_written(org, people, client, login):
    """A floor written in words, a building of an unknown community, a room twice, a kind nobody knows: all named."""
    token = login(people["street"])
    sheets = small_street()
    sheets["房间"][3][3] = "三楼"                      # 房间 row 5, 楼层
    sheets["房间"].append(list(sheets["房间"][0]))     # 房间 row 38, 房号: the same room again
    sheets["楼栋"].append(["芳群园九区", "9号楼", "", ""])  # 楼栋 row 5, 社区
    sheets["部门"].append(["园林绿化队", "园林", ""])     # 部门 row 3, 类型
    before = snapshot()
    response = upload(client, token, org.street.id, (xlsx(sheets), "wrong.xlsx"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    errors = page.split('id="errors"', 1)[1].split("</table>", 1)[0]
    found = re.findall(r"<tr><td>(\S+)</td><td>(\d+)</td><td>(\S+)</td><td class=\"wrap\">([^<]+)</td></tr>", errors)
    named = {(sheet, int(row), column) for sheet, row, column, _message in found}
    assert named == {("房间", 5, "楼层"), ("房间", 38, "房号"), ("楼栋", 5, "社区"), ("部门", 3, "类型")}, found
    messages = {(s, int(r)): m for s, r, _c, m in found}
    assert "整数" in messages[("房间", 5)] and "第 2 行" in messages[("房间", 38)]
    assert "/organisation/import/" not in page.split('id="counts"')[1]  # no confirm button
    assert snapshot() == before


def test_the_same_names_in_csv_files(org, people, client, login):
    """One CSV per sheet (named after it, or recognised by its headers) does what the workbook does."""
    token = login(people["street"])
    sheets = small_street()
    files = [(csv_file("社区", sheets["社区"]), "社区.csv"), (csv_file("楼栋", sheets["楼栋"]), "buildings.csv"),
             (csv_file("房间", sheets["房间"]), "rooms.csv"), (csv_file("部门", sheets["部门"]), "部门.csv")]
    page = upload(client, token, org.street.id, *files).get_data(as_text=True)
    assert counts(page) == {"社区": (2, 0, 0), "楼栋": (3, 0, 0), "房间": (36, 0, 0), "部门": (0, 1, 0)}
    confirm(client, token, page)
    assert total(Room) == 42
    again = upload(client, token, org.street.id, *files).get_data(as_text=True)
    assert counts(again) == {"社区": (0, 0, 2), "楼栋": (0, 0, 3), "房间": (0, 0, 36), "部门": (0, 0, 1)}


def test_a_preview_is_confirmed_only_by_whoever_made_it(org, people, client, login):
    """Another account holding the token gets 403 and nothing is written."""
    token = login(people["street"])
    page = upload(client, token, org.street.id, (xlsx({"社区": [["芳群园二区", 12]]}), "x.xlsx")).get_data(as_text=True)
    action = re.search(r'action="(/organisation/import/[^"]+)"', page).group(1)
    other = login(people["admin"])
    before = snapshot()
    assert client.post(action, data={"csrf_token": other}).status_code == 403
    assert snapshot() == before


def test_a_property_company_serving_buildings_keeps_its_kind(org, people, client, login):
    """方庄物业服务中心 serves 6号楼: a workbook making it a 职能部门 is refused on 部门, 类型."""
    db.session.get(Building, org.building.id).property_department_id = org.company.id
    db.session.commit()
    token = login(people["street"])
    page = upload(client, token, org.street.id,
                  (xlsx({"部门": [["方庄物业服务中心", "职能部门", ""]]}), "x.xlsx")).get_data(as_text=True)
    assert re.search(r"<td>部门</td><td>2</td><td>类型</td>", page)


def test_a_department_of_another_street_cannot_be_taken_over(org, people, client, login):
    """A department name another street uses is an error on 部门, 名称."""
    token = login(people["other_street"])
    page = upload(client, token, org.other_street.id,
                  (xlsx({"部门": [["方庄物业服务中心", "物业", ""]]}), "x.xlsx")).get_data(as_text=True)
    assert re.search(r"<td>部门</td><td>2</td><td>名称</td>", page)


def test_the_rows_are_checked_again_when_confirmed(org, people, client, login):
    """Between preview and confirmation another street takes the new department's name: refused, nothing written."""
    token = login(people["street"])
    data = xlsx({"部门": [["城管执法队", "职能部门", ""]], "社区": [["芳群园二区", 12]]})
    page = upload(client, token, org.street.id, (data, "x.xlsx")).get_data(as_text=True)
    assert counts(page)["部门"] == (1, 0, 0)
    db.session.add(Department(name="城管执法队", kind="city", street_id=org.other_street.id))
    db.session.commit()
    before = snapshot()
    refused = confirm(client, token, page)
    assert refused.headers["Location"].endswith(f"/organisation/import?street={org.street.id}")
    assert "部门 表第 2 行“名称”列" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert snapshot() == before


def test_a_name_taken_at_the_same_moment_saves_nothing(org, people, client, login, monkeypatch):
    """Between the command's check and its writes a community of the same name appears: a conflict, nothing written."""
    from app.organisation import importer

    token = login(people["street"])
    page = upload(client, token, org.street.id, (xlsx(small_street()), "x.xlsx")).get_data(as_text=True)
    checked = importer.plan

    def plan_then_someone_else(session, street, data):
        result = checked(session, street, data)
        session.add(Community(street_id=street.id, name="芳群园二区"))  # as if committed by another request
        session.flush()
        return result

    monkeypatch.setattr(importer, "plan", plan_then_someone_else)
    before = snapshot()
    response = confirm(client, token, page)
    assert response.status_code == 302
    assert "没有保存任何数据" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert snapshot() == before
