"""Times the scripts print read in Beijing time whatever zone the phone is set to (here New York)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.models import Role
from tests.browser.conftest import expect_synced_once, wait_for_service_worker
from tests.sync import mutations  # noqa: F401 — registers "test.note" in the live server (same process)

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def phone_timezone() -> str:
    """A phone whose clock is set to New York time (a relative abroad helping, or a phone never set up)."""
    return "America/New_York"


def just_now() -> list[datetime]:
    """This minute and the one before in Beijing: what a time printed moments ago may read."""
    now = datetime.now(SHANGHAI)
    return [now, now - timedelta(minutes=1)]


def test_last_sync_time_in_the_header_is_beijing_time(page, sign_in, make_building, make_user):
    head = make_user(Role.BUILDING_HEAD, make_building("6号楼"), name="孙楼长")
    sign_in(head.phone)
    wait_for_service_worker(page)
    expect_synced_once(page)
    shown = page.locator("[data-sync-last]").inner_text()
    # The phone's own clock reads 12 or 13 hours earlier.
    assert shown in {at.strftime("%H:%M") for at in just_now()}, shown


def test_a_refused_item_on_the_outbox_page_shows_when_it_was_written_in_beijing_time(
        page, sign_in, make_building, make_household, make_user):
    head = make_user(Role.BUILDING_HEAD, make_building("6号楼"), name="孙楼长")
    elsewhere = make_household(make_building("9号楼"), room="902")  # not theirs: the server refuses the item
    sign_in(head.phone)
    expect_synced_once(page)
    page.evaluate("""([id]) => import('/static/js/outbox.js').then((o) => o.enqueue('test.note',
        {household_id: id, text: '九号楼的事'}))""", [elsewhere.id])
    page.evaluate("() => import('/static/js/sync.js').then((s) => s.flush())")
    page.goto("/sync")
    title = page.locator("[data-sync-problems] li.card strong").first
    title.wait_for()
    shown = title.inner_text()
    assert any(f"{at.year}/{at.month}/{at.day} {at:%H:%M}" in shown for at in just_now()), shown
