"""S6 / S11 in Chromium: an urgent notice, its reach, and the building head's door-to-door list marked offline."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Role
from app.notices.models import Notice, NoticeReceipt
from tests.browser.conftest import expect_waiting, wait_for_service_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def garage_fire(make_building, make_household, make_user):
    """芳群园三区 in miniature: one building of 6 households, a resident, one without a smartphone, staff and the head."""
    building = make_building("24号楼")
    households = [make_household(building, unit="1门", room=f"10{n}") for n in range(1, 7)]
    households[5].no_smartphone = True
    db.session.commit()
    resident = make_user(Role.RESIDENT, households[0], name="李居民")
    staff = make_user(Role.STAFF, building.community, name="王社工")
    head = make_user(Role.BUILDING_HEAD, building, name="郑楼长")
    return building, households, resident, staff, head


def receipts():
    db.session.rollback()  # a fresh snapshot of what the server committed
    return {r.household_id: r for r in db.session.scalars(select(NoticeReceipt))}


def test_urgent_notice_reach_and_door_to_door_offline(page, network, sign_in, garage_fire):
    building, households, resident, staff, head = garage_fire

    # 5 a.m.: staff write the urgent notice to the whole community, preview its reach, send it.
    sign_in(staff.phone)
    page.goto("/notices/new")
    page.get_by_label("标题").fill("紧急:地下车库车辆起火")
    page.get_by_label("通知内容").fill("消防正在处置,请勿进入车库。")
    page.get_by_label("紧急程度").select_option("urgent")
    page.get_by_label(f"{building.community.name} 全部楼").check()
    page.get_by_role("button", name="先看能通知到多少户").click()
    page.get_by_text("共 1 栋楼、6 户").wait_for()
    page.get_by_role("button", name="发送").click()
    page.get_by_role("heading", name="通知到了谁").wait_for()
    assert page.locator('[data-count="households"]').inner_text() == "6"
    assert page.locator('[data-count="not_reached"]').inner_text() == "6"
    db.session.rollback()
    notice = db.session.scalar(select(Notice))
    assert notice.unread_after_hours == 0.5

    # The resident opens it from the inbox: the household's read receipt is sent from the page.
    page.context.clear_cookies()
    sign_in(resident.phone)
    page.locator("[data-inbox-link]").click()
    page.get_by_role("link", name="紧急 未读 紧急:地下车库车辆起火").click()
    page.get_by_role("heading", name="紧急:地下车库车辆起火").wait_for()
    expect_waiting(page, 0)
    for _ in range(50):
        if households[0].id in receipts():
            break
        page.wait_for_timeout(100)
    assert receipts()[households[0].id].read_at is not None

    # The head's list: the five households not reached (no app, or no smartphone), opened with signal.
    page.context.clear_cookies()
    sign_in(head.phone)
    wait_for_service_worker(page)
    page.goto(f"/notices/{notice.id}/door")
    rows = page.locator("[data-door-list] [data-household]")
    assert rows.count() == 5
    assert "没有智能手机" in page.locator(f'[data-household="{households[5].id}"]').inner_text()

    # In the stairwell without signal: knock, tap, knock, tap.
    network.off()
    for household in households[1:3]:
        row = page.locator(f'[data-household="{household.id}"]')
        row.get_by_role("button", name="已当面告知").click()
        row.locator("[data-done]").wait_for()
    page.get_by_text("已存在手机上,有信号时自动上传。").wait_for()
    expect_waiting(page, 2)
    assert set(receipts()) == {households[0].id}

    network.on()
    expect_waiting(page, 0, timeout=20_000)
    saved = receipts()
    assert {households[1].id, households[2].id} <= set(saved)
    assert saved[households[1].id].informed_by_id == head.id

    page.goto(f"/notices/{notice.id}/reach")
    assert page.locator('[data-count="read"]').inner_text() == "1"
    assert page.locator('[data-count="informed"]').inner_text() == "2"
    assert page.locator('[data-count="not_reached"]').inner_text() == "3"
    page.goto(f"/notices/{notice.id}/door")
    assert page.locator("[data-door-list] [data-household]").count() == 3

    page.goto(f"/notices/{notice.id}/print")
    assert page.get_by_role("heading", name="紧急:地下车库车辆起火").is_visible()
    assert building.full_name in page.locator(".blackboard-place").inner_text()
