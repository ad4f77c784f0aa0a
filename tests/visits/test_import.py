"""Importing the ledger from CSV and XLSX: a preview first, nothing written unless every row is valid."""
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Household, Role, Room
from tests.conftest import csrf_from

HEADER = ["单元", "房号", "楼层", "成员", "人数", "联系电话", "空巢", "独居", "行动不便", "无智能手机", "联系方式"]
GOOD = [["1门", "101", "1", "张桂兰", "1", "13900000001", "是", "是", "否", "是", "上门"],
        ["1门", "102", "1", "刘志强、刘淑珍", "2", "", "否", "否", "否", "否", "推送"]]


def csv_bytes(rows):
    return ("\ufeff" + "\n".join(",".join(r) for r in [HEADER, *rows])).encode("utf-8")


def xlsx_bytes(rows):
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append([int(c) if c.isdigit() and len(c) < 4 else c for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def staff(client, login, make_building, make_user, make_household):
    building = make_building("8号楼")
    make_household(building, unit="1门", room="102", members="旧名字")
    login(make_user(Role.STAFF, building.community))
    return building


def upload(client, building, data, name):
    page = client.get("/visits/import").get_data(as_text=True)
    return client.post("/visits/import", data={"csrf_token": csrf_from(page), "building_id": building.id,
                                               "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize(("maker", "name"), [(csv_bytes, "台账.csv"), (xlsx_bytes, "台账.xlsx")])
def test_valid_sheet_previews_then_imports(client, staff, maker, name):
    preview = upload(client, staff, maker(GOOD), name)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "共 2 行可以导入" in page
    assert db.session.scalar(select(Household).where(Household.room == "101")) is None  # not yet
    token = page.split("/visits/import/")[1].split('"')[0]
    response = client.post(f"/visits/import/{token}", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    rows = {h.room: h for h in db.session.scalars(select(Household).where(Household.building_id == staff.id))}
    assert set(rows) == {"101", "102"}
    assert rows["101"].lives_alone and rows["101"].no_smartphone and rows["101"].preferred_contact.value == "door"
    assert rows["102"].members == "刘志强、刘淑珍"  # updated, not duplicated
    rooms = db.session.scalars(select(Room).where(Room.building_id == staff.id)).all()
    assert sorted((r.unit, r.number, r.floor) for r in rooms) == [("1门", "101", 1), ("1门", "102", 1)]  # the layout too


def test_one_bad_row_writes_nothing_and_says_where(client, staff):
    bad = [*GOOD, ["1门", "", "2", "", "1", "", "也许", "否", "否", "否", "短信"]]
    response = upload(client, staff, csv_bytes(bad), "台账.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "没有保存任何数据" in page
    assert "请填写“是”或“否”。" in page and "请填写“推送”“电话”或“上门”。" in page and "这一项必须填写。" in page
    assert "<td>4</td>" in page  # the row number as staff see it in their sheet
    assert db.session.scalar(select(Household).where(Household.room == "101")) is None


def test_not_a_spreadsheet(client, staff):
    response = upload(client, staff, b"\x00\x01garbage", "台账.xlsx")
    assert response.status_code == 400 and "无法读取这个 Excel" in response.get_data(as_text=True)


def test_building_heads_cannot_import(client, login, make_user, staff):
    login(make_user(Role.BUILDING_HEAD, staff))
    assert client.get("/visits/import").status_code == 403


def test_the_excel_template_imports_as_it_is(client, staff):
    template = client.get("/visits/import/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    page = upload(client, staff, template.data, "模板.xlsx").get_data(as_text=True)
    assert "共 1 行可以导入" in page and "王建国、李秀英" in page and "新增" in page


def test_preview_says_which_rooms_are_updated(client, staff):
    page = upload(client, staff, csv_bytes(GOOD), "台账.csv").get_data(as_text=True)
    assert page.count("<td>新增</td>") == 1 and page.count('<td class="import-changes">更新') == 1


def row_of(page: str, room: str) -> str:
    """The preview's table row of one room."""
    return page.split(f'data-room="{room}"')[1].split("</tr>")[0]


def test_preview_shows_old_and_new_for_every_changed_field_and_what_update_replaces(client, staff):
    household = db.session.scalar(select(Household).where(Household.room == "102"))
    household.contact_phone, household.member_count, household.lives_alone = "010-62345678", 2, True
    db.session.commit()
    page = upload(client, staff, csv_bytes(GOOD), "台账.csv").get_data(as_text=True)
    row = row_of(page, "1门 102")
    assert "成员: <del>旧名字</del> → <ins>刘志强、刘淑珍</ins>" in row
    assert "联系电话: <del>010-62345678</del> → <ins>(空)</ins>" in row  # the phone column too
    assert "独居: <del>是</del> → <ins>否</ins>" in row
    assert "人数" not in row.split("<ul>")[1]  # 2 → 2: unchanged fields are not listed
    assert "<td>13900000001</td>" in row_of(page, "1门 101")  # the phone column is in the preview
    assert "更新会用表格里的内容替换台账里 1 户的登记" in page  # 更新 says what it replaces
    assert "保存:新增 1 户,替换 1 户的登记" in page


def test_an_unchanged_row_says_so(client, staff):
    household = db.session.scalar(select(Household).where(Household.room == "102"))
    household.members, household.member_count, household.floor = "刘志强、刘淑珍", 2, 1
    db.session.commit()
    page = upload(client, staff, csv_bytes(GOOD), "台账.csv").get_data(as_text=True)
    assert "<td>无变化</td>" in row_of(page, "1门 102") and "保存 2 户" in page


@pytest.mark.parametrize(("phone", "why"), [
    ("abc", "需要填数字"),
    ("123", "手机号是 1 开头的 11 位数字,123 只有 3 位"),
    ("1390000000", "只有 10 位"),
    ("62-34", "座机号"),
])
def test_wrong_phone_numbers_are_refused_and_the_preview_says_why(client, staff, phone, why):
    rows = [[*GOOD[0][:5], phone, *GOOD[0][6:]]]
    response = upload(client, staff, csv_bytes(rows), "台账.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "没有保存任何数据" in page
    assert "<td>联系电话</td>" in page and why in page
    assert db.session.scalar(select(Household).where(Household.room == "101")) is None


@pytest.mark.parametrize("phone", ["13912345678", "010-62345678", "01062345678", "62345678", "0755-1234567",
                                   "139 1234 5678"])
def test_mobile_and_landline_numbers_are_accepted(client, staff, phone):
    rows = [[*GOOD[0][:5], phone, *GOOD[0][6:]]]
    page = upload(client, staff, csv_bytes(rows), "台账.csv").get_data(as_text=True)
    assert "共 1 行可以导入" in page and f"<td>{phone.replace(' ', '')}</td>" in page


def test_a_number_column_says_it_needs_a_number(client, staff):
    rows = [[*GOOD[0][:4], "两个", *GOOD[0][5:]]]
    page = upload(client, staff, csv_bytes(rows), "台账.csv").get_data(as_text=True)
    assert "这里需要填数字" in page and "两个" in page and "填写的内容类型不对" not in page


def test_an_old_preview_cannot_be_confirmed(client, staff, app):
    import os
    from pathlib import Path

    page = upload(client, staff, csv_bytes(GOOD), "台账.csv").get_data(as_text=True)
    token = page.split("/visits/import/")[1].split('"')[0]
    path = Path(app.instance_path) / "imports" / f"{token}.json"
    os.utime(path, (0, 0))  # written long ago
    response = client.post(f"/visits/import/{token}", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "预览已过期" in response.get_data(as_text=True) or "重新上传" in response.get_data(as_text=True)
    assert db.session.scalar(select(Household).where(Household.room == "101")) is None


def test_someone_elses_preview_cannot_be_confirmed(client, staff, login, make_user):
    page = upload(client, staff, csv_bytes(GOOD), "台账.csv").get_data(as_text=True)
    token = page.split("/visits/import/")[1].split('"')[0]
    other = login(make_user(Role.STAFF, staff.community))
    assert client.post(f"/visits/import/{token}", data={"csrf_token": other}).status_code == 403
    assert db.session.scalar(select(Household).where(Household.room == "101")) is None
