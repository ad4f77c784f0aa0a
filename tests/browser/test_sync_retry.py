"""Retrying a refused item after things are fixed, and batches over the byte limit (Chromium, engine alone)."""

import pytest

from app.extensions import db
from app.models import Household, Role
from tests.browser.test_sync_outbox import ENQUEUE, FLUSH, notes, synced_once
from tests.sync import mutations  # noqa: F401 — registers "test.note" in the live server (same process)

pytestmark = pytest.mark.browser



@pytest.fixture
def head(make_building, make_household, make_user):
    """A building head and one household of their building."""
    building = make_building("6号楼")
    household = make_household(building, room="101")
    return make_user(Role.BUILDING_HEAD, building, name="孙楼长"), household


PENDING = "() => import('/static/js/outbox.js').then((o) => o.pending())"


def test_retry_after_the_household_is_moved_into_my_building_applies_once(page, sign_in, head, make_building,
                                                                        make_household):
    """A refusal is kept per id on the server; retry sends the item as a new one, so it can now apply."""
    user, household = head
    elsewhere = make_household(make_building("9号楼"), room="902")
    sign_in(user.phone)
    synced_once(page)
    page.evaluate(ENQUEUE, [elsewhere.id, "九号楼的事"])
    page.evaluate(FLUSH)
    page.goto("/sync")
    item = page.locator("[data-sync-problems] li.card")
    item.wait_for()
    assert notes(elsewhere.id) == []
    db.session.get(Household, elsewhere.id).building_id = household.building_id  # staff fix the ledger
    db.session.commit()
    item.get_by_role("button", name="重新发送").click()
    item.wait_for(state="detached")
    for _ in range(100):  # the retried item leaves the outbox once the server applied it
        if not page.evaluate(PENDING):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(PENDING) == []
    assert notes(elsewhere.id) == ["九号楼的事"]


def test_a_batch_over_the_byte_limit_is_sent_in_halves_and_a_lone_oversized_item_is_refused(page, sign_in, head):
    """413 never blocks the outbox: halves go through, one item too big alone is refused with the limit."""
    user, household = head
    sign_in(user.phone)
    synced_once(page)
    hold = {"on": True}  # keep the four queued until all are in the outbox, then send them in one flush
    page.route("**/api/v1/sync", lambda route: route.abort("internetdisconnected")
               if route.request.method == "POST" and hold["on"] else route.continue_())
    for n, size in enumerate([900_000, 900_000, 900_000, 2_500_000]):
        page.evaluate("""([id, text, size]) => import('/static/js/outbox.js').then((o) =>
            o.enqueue('test.note', {household_id: id, text, padding: 'x'.repeat(size)}))""",
                      [household.id, f"第{n}条", size])
    hold["on"] = False
    page.evaluate(FLUSH)
    assert sorted(notes(household.id)) == ["第0条", "第1条", "第2条"]
    left = page.evaluate(PENDING)
    assert len(left) == 1 and left[0]["status"] == "rejected"
    assert left[0]["last_error"]["message"] == "一次最多发送 2 MB,请分批发送。"
