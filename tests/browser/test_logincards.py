"""Login cards in real Chromium: a head prints 潘大爷's card, a new phone scans it and signs in; revoked, it is refused."""
from __future__ import annotations

import base64

import pytest

from app.models import Role
from tests.browser.test_a11y import MEASURE_TARGETS, WCAG_TAGS, axe
from tests.logincards.qr import decode_png

pytestmark = pytest.mark.browser


@pytest.fixture
def six(make_building, make_household, make_user):
    """6号楼 with its head 孙楼长 and 潘大爷 of 7门 101, who has no care mode yet."""
    building = make_building("6号楼")
    home = make_household(building, unit="7门", room="101")
    return {
        "home": home,
        "pan": make_user(Role.RESIDENT, home, name="潘大爷"),
        "head": make_user(Role.BUILDING_HEAD, building, name="孙楼长"),
    }


def accessibility_problems(page, *, care: bool) -> list[str]:
    """What the accessibility gate (tests/browser/test_a11y.py) would find on this page."""
    found = axe(page, {"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    if care:
        found += axe(page, {"runOnly": {"type": "rule", "values": ["color-contrast-enhanced"]}})
    return found + [f"target size: {line}" for line in page.evaluate(MEASURE_TARGETS, [64 if care else 44, care])]


def new_phone(browser, live):
    """A phone that has never opened the app: its own browser profile, no cookies."""
    ctx = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 360, "height": 740},
                              timezone_id="Asia/Shanghai", service_workers="allow")
    ctx.set_default_timeout(30_000)
    return ctx


def test_head_prints_a_card_a_phone_scans_it_then_the_card_is_revoked(page, sign_in, browser, live, six):
    sign_in(six["head"].phone)
    page.goto(f"/visits/households/{six['home'].id}")
    page.get_by_role("link", name="为 潘大爷 打印登录卡").click()
    assert page.get_by_label("登录后打开关怀模式(大字大按钮)").is_checked()
    page.get_by_role("button", name="打印登录卡").click()

    page.get_by_text("用手机相机扫描二维码即可登录").wait_for()
    assert page.get_by_role("heading", name="潘大爷").is_visible()
    assert page.get_by_text("6号楼 7门 101").is_visible()
    page.wait_for_function("() => document.querySelector('img.logincard-qr').naturalWidth > 0")  # the CSP lets it show
    assert page.get_by_role("button", name="打印").is_visible()  # the print button's module ran
    src = page.locator("img.logincard-qr").get_attribute("src")
    url = decode_png(base64.b64decode(src.split(",", 1)[1]))
    assert url.startswith(f"{live.url}/card/")
    assert accessibility_problems(page, care=False) == []

    phone_ctx = new_phone(browser, live)
    try:
        phone = phone_ctx.new_page()
        errors: list[str] = []
        phone.on("pageerror", lambda exc: errors.append(str(exc)))
        phone.goto(url)
        assert phone.get_by_role("heading", name="以 潘大爷 的身份登录?").is_visible()
        assert accessibility_problems(phone, care=True) == []
        phone.get_by_role("button", name="是的,登录").click()
        phone.wait_for_function("() => !location.pathname.startsWith('/card/')")
        assert "/auth/login" not in phone.url
        assert "care" in phone.locator("body").get_attribute("class").split()
        # signed in, in care mode: no sign-out in the header (one stray tap away), it waits on the care settings page
        assert phone.get_by_role("button", name="退出登录").count() == 0
        phone.goto("/care/settings")
        assert phone.locator("summary", has_text="退出登录").is_visible()
        assert "remember_token" in {c["name"] for c in phone_ctx.cookies()}

        page.goto(f"/logincards/users/{six['pan'].id}")
        assert page.get_by_role("cell", name="已登录").is_visible()  # the head sees the sign-in in the log
        page.get_by_role("link", name="作废这张卡").click()
        page.get_by_role("button", name="确定作废").click()
        page.get_by_text("登录卡已作废,不能再用它登录。").wait_for()

        phone.goto(url)
        assert phone.get_by_role("heading", name="这张登录卡已经作废,请找楼长重新打印。").is_visible()
        assert phone.get_by_role("button", name="是的,登录").count() == 0
        assert accessibility_problems(phone, care=True) == []
        phone.goto("/")
        phone.wait_for_url("**/auth/login**")  # the phone the card opened is signed out too
        assert not errors, f"JavaScript errors on the phone: {errors}"
    finally:
        phone_ctx.close()
