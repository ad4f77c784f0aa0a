"""A street office opens its street in the browser: the template downloaded, filled, uploaded, previewed, saved."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Building, Role, Room, Street
from tests.browser.conftest import sign_in_on
from tests.organisation.workbooks import small_street, xlsx

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(browser, live):
    """A desk browser (1366 px wide, Chinese) that accepts downloads; JavaScript errors fail the test."""
    ctx = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 1366, "height": 768},
                              timezone_id="Asia/Shanghai", accept_downloads=True)
    ctx.set_default_timeout(30_000)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def counts_row(page, sheet: str) -> list[str]:
    """The preview's new / changed / unchanged / wrong counts of one sheet, once the preview is drawn.

    The preview answers the form's post: read at once, the page may still be the one the button was on
    (a fresh clone's PostgreSQL run read an empty row).
    """
    row = page.locator("#counts tr", has=page.get_by_role("rowheader", name=sheet, exact=True))
    row.wait_for()
    return row.locator("td").all_inner_texts()


def test_a_street_is_opened_from_the_downloaded_template(desk, make_user, tmp_path):
    """Two communities and three buildings with their rooms from the template: a wrong row first, then right, then again."""
    street = Street(name="方庄地区", district="丰台区")
    db.session.add(street)
    db.session.commit()
    office = make_user(Role.STREET, street, name="赵街道")
    page = desk
    sign_in_on(page, office.phone)
    page.get_by_role("link", name="组织设置").click()
    page.get_by_role("link", name="导入工作簿").first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="工作簿(.xlsx)").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    wrong = small_street()
    wrong["房间"][3][3] = "三楼"  # row 5 of 房间: a floor in words
    (tmp_path / "wrong.xlsx").write_bytes(xlsx(wrong, template=template.read_bytes()))
    page.get_by_label("工作簿(XLSX;或 CSV 文件,每个工作表一个)").set_input_files(str(tmp_path / "wrong.xlsx"))
    page.get_by_role("button", name="检查文件").click()
    error = page.locator("#errors tbody tr")
    error.first.wait_for()
    assert error.count() == 1 and error.locator("td").all_inner_texts() == ["房间", "5", "楼层", "请填写整数。"]
    assert page.get_by_role("button", name="全部保存").count() == 0
    page.get_by_role("link", name="重新上传").click()

    filled = tmp_path / "方庄地区.xlsx"
    filled.write_bytes(xlsx(small_street(), template=template.read_bytes()))
    page.get_by_label("工作簿(XLSX;或 CSV 文件,每个工作表一个)").set_input_files(str(filled))
    page.get_by_role("button", name="检查文件").click()
    assert counts_row(page, "社区") == ["2", "0", "0", "0"]
    assert counts_row(page, "楼栋") == ["3", "0", "0", "0"]
    assert counts_row(page, "房间") == ["36", "0", "0", "0"]
    assert page.locator("#preview-buildings").get_by_text("新增").count() == 3
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Building)) == 0  # the preview wrote nothing

    page.get_by_role("button", name="全部保存").click()
    page.get_by_text("导入完成:新增社区 2 个、楼栋 3 栋、房间 36 间").wait_for()
    page.locator("#communities").get_by_role("link", name="芳群园二区").click()
    buildings = page.locator("#buildings")
    assert buildings.get_by_role("link", name="1号楼").is_visible() and buildings.get_by_role("link", name="2号楼").is_visible()
    assert buildings.get_by_role("cell", name="方庄物业服务中心").count() == 2
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Room)) == 36

    page.goto(f"/organisation/import?street={street.id}")
    page.get_by_label("工作簿(XLSX;或 CSV 文件,每个工作表一个)").set_input_files(str(filled))
    page.get_by_role("button", name="检查文件").click()
    for sheet, rows in (("社区", 2), ("楼栋", 3), ("房间", 36), ("部门", 1)):
        assert counts_row(page, sheet) == ["0", "0", str(rows), "0"]
    assert page.locator("#preview-buildings").get_by_text("无变化").count() == 3
