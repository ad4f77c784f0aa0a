"""Times the scripts print read in Beijing time whatever zone the phone is set to (here New York)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests.browser.conftest import expect_synced_once, wait_for_service_worker

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def context(browser, live):
    """A phone whose clock is set to New York time (a relative abroad helping, or a phone never set up)."""
    ctx = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 360, "height": 740},
                              timezone_id="America/New_York", service_workers="allow")
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


def test_last_sync_time_in_the_header_is_beijing_time(page, sign_in, make_building, make_user):
    head = make_user(Role.BUILDING_HEAD, make_building("6号楼"), name="孙楼长")
    sign_in(head.phone)
    wait_for_service_worker(page)
    expect_synced_once(page)
    shown = page.locator("[data-sync-last]").inner_text()
    now = datetime.now(SHANGHAI)
    # The sync happened in the last minute; the phone's own clock reads 12 or 13 hours earlier.
    assert shown in {now.strftime("%H:%M"), (now - timedelta(minutes=1)).strftime("%H:%M")}, shown


def test_outbox_page_dates_are_beijing_time(page, sign_in, make_building, make_user):
    head = make_user(Role.BUILDING_HEAD, make_building("6号楼"), name="孙楼长")
    sign_in(head.phone)
    page.goto("/sync")
    expect(page.locator("h1")).to_be_visible()
    # 22:05 on 1 Dec in UTC is 17:05 in New York and 06:05 on 2 Dec in Beijing.
    shown = page.evaluate("() => import('/static/js/times.js').then((t) => t.dateTime('2026-12-01T22:05:00Z'))")
    assert shown == "2026/12/2 06:05"
