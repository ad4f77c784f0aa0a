"""Joining in real Chromium: scan the printed poster, join on a phone, the head approves offline and syncs; a decline says why."""
from __future__ import annotations

import base64

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.joining.models import JoinRequest, JoinStatus
from app.models import Role, Room
from tests.browser.conftest import expect_synced_once, expect_waiting, wait_for_service_worker
from tests.logincards.qr import decode_png

pytestmark = pytest.mark.browser
PASSWORD = "qiuyue-lane-27"


@pytest.fixture
def six(make_building, make_household, make_user):
    """6号楼 with its group rules, rooms 6门 201 and 302 (李建国、王秀英 on record in 302), and its head 孙楼长."""
    building = make_building("6号楼")
    building.group_rules = "实名入群;文明发言;不发广告。"
    for number, floor in (("201", 2), ("302", 3)):
        db.session.add(Room(building_id=building.id, unit="6门", number=number, floor=floor))
    db.session.commit()
    make_household(building, unit="6门", room="302", members="李建国、王秀英")
    return {"building": building, "head": make_user(Role.BUILDING_HEAD, building, name="孙楼长")}


def new_phone(browser, live):
    """A resident's phone that has never opened the app."""
    ctx = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 360, "height": 740},
                              timezone_id="Asia/Shanghai", service_workers="allow")
    ctx.set_default_timeout(30_000)
    return ctx


def poster_url(page, building) -> str:
    """Open the building's poster and read its QR code as a phone camera would."""
    page.goto(f"/joining/buildings/{building.id}/poster")
    page.wait_for_function("() => document.querySelector('img.join-poster-qr').naturalWidth > 0")
    assert page.get_by_role("heading", name=building.full_name).is_visible()
    assert page.get_by_role("button", name="打印").is_visible()
    src = page.locator("img.join-poster-qr").get_attribute("src")
    return decode_png(base64.b64decode(src.split(",", 1)[1]))


def join(phone, url: str, *, name: str, number: str, mobile: str, card: bool = False) -> None:
    """Fill the join page like a resident does, and send it."""
    phone.goto(url)
    assert phone.get_by_text("实名入群;文明发言;不发广告。").is_visible()
    phone.get_by_label("我已阅读并接受群规").check()
    phone.get_by_label("真实姓名").fill(name)
    phone.get_by_label("手机号", exact=True).fill(mobile)
    phone.get_by_label("单元和房间").select_option(label=f"6门 {number}")
    if card:
        phone.get_by_label("我不会用密码:请楼长为我打印登录卡").check()
        expect(phone.get_by_label("密码", exact=True)).to_be_hidden()
    else:
        phone.get_by_label("密码", exact=True).fill(PASSWORD)
        phone.get_by_label("再输一次密码").fill(PASSWORD)
    phone.get_by_role("button", name="提交给楼长").click()
    phone.get_by_role("heading", name="已提交,等待楼长审核").wait_for()


def test_scan_the_poster_join_and_the_head_approves_offline(page, sign_in, browser, live, network, six):
    sign_in(six["head"].phone)
    wait_for_service_worker(page)
    url = poster_url(page, six["building"])
    assert url == f"{live.url}/join/{six['building'].join_code}"

    phone_ctx = new_phone(browser, live)
    try:
        phone = phone_ctx.new_page()
        join(phone, url, name="王秀英", number="302", mobile="139 1234 0001")

        page.goto("/joining/")
        item = page.locator("[data-join-request]").filter(has_text="王秀英")
        expect(item).to_contain_text("名字在台账上")
        expect_synced_once(page)
        network.off()
        page.reload()  # the list as last seen, from the phone's own copy
        item.get_by_role("button", name="通过").click()
        expect(item.get_by_text("已存在手机上,有信号时自动上传。")).to_be_visible()
        expect_waiting(page, 1)
        db.session.rollback()
        assert db.session.query(JoinRequest).one().status == JoinStatus.PENDING
        network.on()
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect_waiting(page, 0, timeout=20_000)
        db.session.rollback()
        request = db.session.query(JoinRequest).one()
        assert request.status == JoinStatus.APPROVED and request.decided_by_id == six["head"].id

        phone.reload()
        expect(phone.get_by_role("heading", name="已通过,欢迎入群!")).to_be_visible()
        phone.get_by_role("link", name="用手机号和密码登录").click()
        phone.get_by_label("手机号").fill("13912340001")
        phone.get_by_label("密码").fill(PASSWORD)
        phone.get_by_role("button", name="登录").click()
        phone.wait_for_url("**/")
        expect(phone.locator("main")).to_contain_text("6号楼 6门 302")
    finally:
        phone_ctx.close()


def test_a_declined_person_reads_why(page, sign_in, browser, live, six):
    sign_in(six["head"].phone)
    url = poster_url(page, six["building"])
    phone_ctx = new_phone(browser, live)
    try:
        phone = phone_ctx.new_page()
        join(phone, url, name="赵新人", number="201", mobile="13912340002", card=True)
        page.goto("/joining/")
        item = page.locator("[data-join-request]").filter(has_text="赵新人")
        expect(item).to_contain_text("台账上这个房间还没有住户")
        expect(item).to_contain_text("需要打印登录卡")
        item.get_by_label("或自己写原因").fill("201室登记的不是您家,请来居委会当面核对。")
        item.get_by_role("button", name="拒绝").click()
        expect(page.get_by_text("已拒绝。赵新人 会看到原因。")).to_be_visible()

        phone.reload()
        expect(phone.get_by_role("heading", name="没有通过")).to_be_visible()
        expect(phone.get_by_text("201室登记的不是您家,请来居委会当面核对。")).to_be_visible()
        phone.goto(url)  # the join page leads back to the answer
        phone.get_by_role("link", name="你已从这部手机提交过申请:查看结果").click()
        expect(phone.get_by_role("heading", name="没有通过")).to_be_visible()
    finally:
        phone_ctx.close()
