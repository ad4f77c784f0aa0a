"""S4 in a browser: a party member comments in phase 1, a resident in phase 2, staff publish the outcome."""
from datetime import timedelta

import pytest

from tests.consultations.test_consultations import s4  # noqa: F401 — the pocket park and its people

pytestmark = pytest.mark.browser


def test_s4_phases_and_outcome(page, sign_in, s4):  # noqa: F811
    url = f"/consultations/{s4.consultation.id}"
    sign_in(s4.engineer.phone)
    page.goto(url)
    page.get_by_label("您的意见").fill("垃圾站旁边多种能吸附异味的植物。")
    page.get_by_role("button", name="发表意见").click()
    page.get_by_text("谢谢,您的意见已发表。").wait_for()
    page.context.clear_cookies()

    s4.clock.set(s4.now + timedelta(days=9))
    sign_in(s4.resident.phone)
    page.goto(url)
    assert page.get_by_text("第二轮:全体居民").first.is_visible()
    page.get_by_label("长椅").check()
    page.get_by_role("button", name="提交我的选择").click()
    page.get_by_text("谢谢,您的选择已记下。").wait_for()
    page.context.clear_cookies()

    sign_in(s4.staff.phone)
    page.goto(url)
    page.get_by_role("button", name="采纳进方案").first.click()
    page.get_by_label("因为大家的意见改了什么").fill("方案加种了侧柏和桂花。")
    # Phase 2 has 6 more days: the page asks first, and the browser will not send the form until asked.
    warning = page.locator("#close-warning").inner_text()
    assert "第二轮还在进行" in warning and "还有 6 天" in warning
    page.get_by_role("button", name="公布并告诉所有参与的人").click()
    tick = page.get_by_label("现在结束第二轮并公布")
    assert tick.evaluate("box => box.validity.valueMissing") and page.locator(".consultation-outcome").count() == 0
    tick.check()
    page.get_by_role("button", name="公布并告诉所有参与的人").click()
    page.get_by_text("结果已公布,已告诉 2 位参与的居民。").wait_for()
    assert page.get_by_text("方案加种了侧柏和桂花。").is_visible()
    assert page.locator(".consultation-outcome li").inner_text() == "垃圾站旁边多种能吸附异味的植物。"
