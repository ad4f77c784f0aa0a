"""The "receive notices on this phone" switch in Chromium, which here has no push service to subscribe to."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role
from app.push.models import PushSubscription

pytestmark = pytest.mark.browser


def test_the_switch_says_plainly_when_the_phone_cannot_subscribe(page, context, live, sign_in, make_household, make_user):
    resident = make_user(Role.RESIDENT, make_household(), name="李居民")
    context.grant_permissions(["notifications"], origin=live.url)
    sign_in(resident.phone)
    page.goto("/push/")
    switch = page.get_by_label("在这部手机上接收通知")
    page.get_by_text("这部手机还没开通知提醒。").wait_for()
    assert switch.is_enabled() and not switch.is_checked()
    key = page.locator("[data-push-switch]").get_attribute("data-public-key")
    assert key == page.request.get("/api/v1/push/key").json()["public_key"]

    switch.click()  # not .check(): the switch may already be back off when Playwright looks
    # Headless Chromium has no push service (as many phones in mainland China): the person is told,
    # the switch goes back off, and nothing is stored.
    page.get_by_text("没能打开提醒,请过会儿再试。").wait_for()
    assert not switch.is_checked()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0
