"""Care mode's header is the app's name and 消息 only; language and sign-out live on the care settings page,
sign-out asking first (issue 17, point 14)."""
import pytest
from playwright.sync_api import expect

from tests.browser.test_care import elder  # noqa: F401 — 潘大爷 in care mode, his building head and staff

pytestmark = pytest.mark.browser


def test_the_care_header_is_short_and_holds_nothing_to_tap_by_mistake(page, sign_in, elder):  # noqa: F811
    sign_in(elder["resident"].phone)
    page.goto("/care/")
    header = page.locator("header.app-header")
    height = header.evaluate("h => h.getBoundingClientRect().height")
    assert height <= 100, f"the care header is {height}px tall on a 360×740 screen"
    assert header.get_by_role("link").all_inner_texts() == ["掌上四合院", "消息"]
    assert header.get_by_role("button").count() == 0  # no language switch, no sign-out
    expect(header.locator("[data-sync-status]")).to_have_count(0)


def test_language_and_sign_out_are_on_the_care_settings_page_and_sign_out_asks_first(page, sign_in, elder):  # noqa: F811
    sign_in(elder["resident"].phone)
    page.goto("/care/")
    page.get_by_role("link", name="设置:语言、退出登录").click()
    expect(page.get_by_role("heading", name="语言")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()

    sign_out = page.get_by_text("退出登录", exact=True).last
    expect(page.get_by_role("button", name="确定退出")).to_be_hidden()  # the first tap only asks
    sign_out.click()
    expect(page.get_by_text("退出以后,要用登录卡或密码才能再进来。现在退出吗?")).to_be_visible()
    page.get_by_role("button", name="确定退出").click()
    page.wait_for_url("**/auth/login**")

    sign_in(elder["resident"].phone)
    page.goto("/care/settings")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Language")).to_be_visible()  # back on the same page, in English


def test_people_not_in_care_mode_keep_the_full_header(page, sign_in, elder):  # noqa: F811
    sign_in(elder["head"].phone)
    header = page.locator("header.app-header")
    expect(header.get_by_role("button", name="English")).to_be_visible()
    expect(header.get_by_role("button", name="退出登录")).to_be_visible()
    expect(header.locator("[data-sync-status]")).to_be_visible()
