"""A building head records visits in a stairwell with no signal; they reach the server once, all of them."""

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role
from app.uploads.models import Attachment
from app.visits.models import Visit
from tests.browser.conftest import expect_synced_once, expect_waiting, wait_for_service_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def stairwell(make_building, make_household, make_user):
    """A building of 20 households and its building head."""
    building = make_building("6号楼")
    households = [make_household(building, unit="6门", room=f"{floor}0{n}") for floor in range(1, 11) for n in (1, 2)]
    head = make_user(Role.BUILDING_HEAD, building, name="孙楼长")
    return building, households, head


def photo_file(tmp_path):
    path = tmp_path / "door.jpg"
    Image.new("RGB", (640, 480), (180, 40, 30)).save(path, "JPEG")
    return path


def waiting_count(page) -> str:
    return page.locator("[data-sync-count]").inner_text()


def server_visits():
    db.session.rollback()  # a fresh snapshot of what the server committed
    return db.session.scalar(select(func.count()).select_from(Visit))


def test_twenty_visits_offline_then_synced_exactly_once(page, network, sign_in, stairwell, tmp_path):
    building, households, head = stairwell
    sign_in(head.phone)
    wait_for_service_worker(page)
    page.goto(f"/visits/new?building={building.id}")  # opened once with signal: kept for offline use
    expect_synced_once(page)

    network.off()
    page.reload()
    assert page.get_by_role("heading", name="入户走访").is_visible()
    for index, household in enumerate(households):
        page.get_by_label("住户").select_option(str(household.id))
        page.get_by_label("备注").fill(f"第{index + 1}户,一切正常")
        if index == 0:
            page.get_by_label("照片(可不拍)").set_input_files(str(photo_file(tmp_path)))
        page.get_by_role("button", name="保存走访").click()
        expect_text = f"{household.label} 的走访已保存在手机上"
        page.get_by_text(expect_text).wait_for()
    expect_waiting(page, 20)

    page.reload()  # still offline: the outbox survives a reload
    expect_waiting(page, 20)
    assert server_visits() == 0

    network.on()
    page.evaluate("window.dispatchEvent(new Event('online'))")  # Chromium fires it only for real network changes
    expect_waiting(page, 0, timeout=30_000)
    assert server_visits() == 20
    notes = set(db.session.scalars(select(Visit.notes)))
    assert notes == {f"第{i}户,一切正常" for i in range(1, 21)}
    photos = db.session.scalars(select(Attachment).where(Attachment.subject_type == "visit")).all()
    assert len(photos) == 1 and photos[0].kind == "image"
    first = db.session.scalar(select(Visit).where(Visit.household_id == households[0].id))
    assert photos[0].subject_id == first.id


def test_lost_response_is_retried_without_duplicates(page, context, sign_in, stairwell):
    """The server applies a batch but the connection drops before the answer: the retry doubles nothing."""
    building, households, head = stairwell
    sign_in(head.phone)
    page.goto(f"/visits/new?building={building.id}")
    expect_synced_once(page)
    dropped = []

    def drop_after_applying(route):
        if not dropped:
            route.fetch()  # the server really applies the batch …
            dropped.append(True)
            route.abort("connectionreset")  # … and the phone never hears back
        else:
            route.continue_()

    def handle(route):
        if route.request.method == "POST":
            drop_after_applying(route)
        else:
            route.continue_()

    context.route("**/api/v1/sync", handle)
    for household in households[:5]:
        page.get_by_label("住户").select_option(str(household.id))
        page.get_by_role("button", name="保存走访").click()
        page.get_by_text(f"{household.label} 的走访已保存在手机上").wait_for()
    page.evaluate("import('/static/js/sync.js').then((s) => s.flush())")
    expect_waiting(page, 0, timeout=30_000)
    assert dropped
    assert server_visits() == 5


def test_two_tabs_flushing_at_once_send_nothing_twice(context, sign_in, page, stairwell):
    building, households, head = stairwell
    sign_in(head.phone)
    page.goto(f"/visits/new?building={building.id}")
    expect_synced_once(page)
    context.set_offline(True)  # queue without sending
    for household in households[:8]:
        page.evaluate(
            """(id) => import('/static/js/outbox.js').then((o) => o.enqueue('visit.add',
                 {household_id: id, visited_at: new Date().toISOString(), kind: 'routine'}))""", household.id)
    context.set_offline(False)
    second = context.new_page()
    second.goto(f"/visits/new?building={building.id}")
    both = "() => import('/static/js/sync.js').then((s) => s.flush())"
    page.evaluate(f"window.__a = ({both})()")
    second.evaluate(f"window.__b = ({both})()")
    page.evaluate("window.__a")
    second.evaluate("window.__b")
    expect_waiting(page, 0, timeout=30_000)
    assert server_visits() == 8
