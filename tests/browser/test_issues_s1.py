"""S1 in real Chromium: the bent tree, reported with a photo, answered within the 12 hours, thanked."""
import pytest
from PIL import Image

from app.extensions import db
from app.models import Role
from app.problems.models import Problem
from app.uploads.models import Attachment
from tests.browser.conftest import (
    expect_pictures_and_scripts_kept,
    expect_synced_once,
    expect_waiting,
    sign_in_on,
    wait_for_service_worker,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def s1(make_building, make_household, make_user):
    building = make_building("6号楼")
    home = make_household(building, unit="6门", room="302")
    return {
        "resident": make_user(Role.RESIDENT, home, name="李居民"),
        "staff": make_user(Role.STAFF, building.community, name="钱书记"),
    }


def photo(tmp_path):
    path = tmp_path / "tree.jpg"
    Image.new("RGB", (800, 600), (30, 120, 30)).save(path, "JPEG")
    return str(path)


sign_in_as = sign_in_on  # several people sign in on their own pages in these tests


def test_s1_bent_tree(browser, live, page, s1, tmp_path):
    sign_in_as(page, s1["resident"].phone)
    page.goto("/issues/new")
    page.locator(".choice").get_by_text("绿化", exact=True).click()
    page.get_by_label("什么问题").fill("连续下雨,6号楼6门、7门前的树枝压得快到地面了")
    page.get_by_label("在楼里什么位置").fill("6门、7门门前")
    page.get_by_label("照片(最多6张)").set_input_files(photo(tmp_path))
    page.get_by_role("button", name="发送").click()
    page.get_by_text("已保存在手机上").wait_for()
    expect_waiting(page, 0, timeout=20_000)
    db.session.rollback()
    problem = db.session.query(Problem).one()
    assert problem.category.value == "greenery"
    assert db.session.query(Attachment).filter_by(subject_type="problem", subject_id=problem.id).count() == 1

    staff_ctx = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 360, "height": 740})
    staff = staff_ctx.new_page()
    sign_in_as(staff, s1["staff"].phone)
    staff.goto("/issues/queue")
    # the card's link (the desk table beside it is hidden at a phone's width)
    staff.get_by_role("link", name="树枝压得快到地面了").click()
    staff.get_by_label("进展").fill("收到,我们马上联系物业。")
    staff.get_by_role("button", name="发布").click()
    staff.get_by_text("收到,我们马上联系物业。").wait_for()
    staff.get_by_label("进展").fill("@6号楼 6门 302 我们看过了,先做了初步清理。")
    staff.get_by_role("button", name="发布").click()
    staff.get_by_text("先做了初步清理").wait_for()
    assert staff.get_by_text("已于").first.is_visible()  # the 12-hour clock is met
    staff.get_by_text("标记已解决").first.click()
    staff.get_by_label("做了什么").fill("绿化队已经把树枝修剪好了。")
    staff.get_by_role("button", name="标记已解决").click()
    staff.get_by_text("已标记为解决。").wait_for()
    staff_ctx.close()

    page.goto(f"/issues/{problem.id}")
    assert page.get_by_text("绿化队已经把树枝修剪好了。").is_visible()
    page.get_by_label("点赞致谢").check()
    page.get_by_label("想说的话(可不填)").fill("雷厉风行的好作风,点赞啦!")
    page.get_by_role("button", name="确认已解决").click()
    page.get_by_text("谢谢您的确认。").wait_for()
    timeline = page.locator(".timeline").inner_text()
    for step in ("反映问题", "答复", "标记解决", "确认解决", "雷厉风行的好作风"):
        assert step in timeline
    db.session.rollback()
    problem = db.session.get(Problem, problem.id)
    assert problem.status.value == "confirmed" and problem.thanked and problem.rating == 5
    assert problem.first_response_at < problem.feedback_due_at


def test_offline_report_with_a_photo_syncs_later(page, network, s1, tmp_path):
    sign_in_as(page, s1["resident"].phone)
    wait_for_service_worker(page)
    page.goto("/issues/new")
    expect_synced_once(page)
    network.off()
    page.reload()
    expect_pictures_and_scripts_kept(page)  # the category pictures, kept when the form was first opened
    page.locator(".choice").get_by_text("设施维修", exact=True).click()
    page.get_by_label("什么问题").fill("单元门门禁锁坏了")
    page.get_by_label("照片(最多6张)").set_input_files(photo(tmp_path))
    page.get_by_role("button", name="发送").click()
    expect_waiting(page, 1)
    db.session.rollback()
    assert db.session.query(Problem).count() == 0
    network.on()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect_waiting(page, 0, timeout=20_000)
    db.session.rollback()
    problem = db.session.query(Problem).one()
    assert problem.text == "单元门门禁锁坏了"
    assert db.session.query(Attachment).filter_by(subject_type="problem", subject_id=problem.id).count() == 1
