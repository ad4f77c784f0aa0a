"""Print pages on a 360 px phone: the login card's QR fits, the blackboard copies have a print button and pass axe."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.clock import utcnow
from app.conventions.services import cast_vote, close_vote
from app.extensions import db
from app.models import Role
from app.notices.schemas import NoticeIn
from app.notices.services import resolve_targets, send_notice
from tests.browser.test_a11y import MEASURE_TARGETS, WCAG_TAGS, axe
from tests.conventions.conftest import s3  # noqa: F401 — the S3 building and its people

pytestmark = pytest.mark.browser

WIDTH = 360
OVERFLOW = "() => document.documentElement.scrollWidth"


def fits_the_phone(page) -> None:
    """Nothing sticks out past the 360 px screen: no sideways scrolling."""
    assert page.viewport_size["width"] == WIDTH
    assert page.evaluate(OVERFLOW) <= WIDTH


def prints(page) -> bool:
    """The page's print button opens the browser's print dialog (window.print, recorded instead of a dialog)."""
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")
    page.get_by_role("button", name="打印", exact=True).click()
    return page.evaluate("() => window.printed === true")


def problems(page) -> list[str]:
    """What the accessibility gate would find (axe and 44 px targets)."""
    return axe(page, {"runOnly": {"type": "tag", "values": WCAG_TAGS}}) + page.evaluate(MEASURE_TARGETS, [44, False])


def test_the_login_card_fits_a_360_px_phone(page, sign_in, make_building, make_household, make_user):
    home = make_household(make_building("6号楼"), unit="7门", room="101")
    pan = make_user(Role.RESIDENT, home, name="潘大爷")
    head = make_user(Role.BUILDING_HEAD, home.building, name="孙楼长")
    sign_in(head.phone)
    page.goto(f"/logincards/users/{pan.id}")
    page.get_by_role("button", name="打印登录卡").click()
    qr = page.locator("img.logincard-qr")
    qr.wait_for()
    box = qr.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH  # the QR's right edge is on the screen
    assert box["width"] == pytest.approx(box["height"], abs=1) and box["width"] >= 250  # still square and big
    fits_the_phone(page)
    assert prints(page)


def test_the_notice_blackboard_copy_has_a_print_button(page, sign_in, make_building, make_user):
    building = make_building("28号楼")
    staff = make_user(Role.STAFF, building.community, name="社工")
    data = NoticeIn(title="粉刷楼道", body="9月23日粉刷,请把楼道里的杂物搬回家。", building_ids=[building.id])
    buildings, label = resolve_targets(db.session, data)
    notice = send_notice(db.session, staff, data, buildings, label, now=utcnow())
    db.session.commit()
    sign_in(staff.phone)
    page.goto(f"/notices/{notice.id}/print")
    page.get_by_role("heading", name="粉刷楼道").wait_for()
    fits_the_phone(page)
    assert prints(page)
    assert problems(page) == []


def test_an_adopted_convention_prints_its_result_and_its_board_copy(page, sign_in, s3):  # noqa: F811
    now = utcnow()
    for i in range(4):
        cast_vote(db.session, s3.residents[i], s3.households[i], s3.convention, "yes", channel="online", now=now)
    cast_vote(db.session, s3.head, s3.households[5], s3.convention, "no", channel="door_to_door", now=now)
    s3.clock.set(s3.closes_at + timedelta(minutes=1))
    close_vote(db.session, s3.convention, now=utcnow())
    db.session.commit()

    sign_in(s3.residents[0].phone)
    page.goto(f"/conventions/{s3.convention.id}/result")
    page.get_by_role("link", name="打印结果").click()
    page.get_by_text("已通过:同意 4 户,不同意 1 户,弃权 0 户。").wait_for()
    assert page.locator('tr[data-channel="online"]').inner_text().split() == ["网上投票", "4", "0", "0", "4"]
    assert page.locator('tr[data-channel="door_to_door"]').inner_text().split() == ["上门登记", "0", "1", "0", "1"]
    assert "不高空抛物" in page.locator(".blackboard-body").inner_text()
    fits_the_phone(page)
    assert prints(page)
    assert problems(page) == []

    page.goto(f"/conventions/{s3.convention.id}")
    page.get_by_role("link", name="楼道小黑板版").click()
    page.get_by_role("heading", name="24号楼楼门公约").wait_for()
    assert "经各户投票通过(第 1 版)" in page.locator(".blackboard-sign").inner_text()
    fits_the_phone(page)
    assert prints(page)
    assert problems(page) == []
