"""The outbox in Chromium with the engine alone ("test.note" mutations): kept offline, sent once, never lost."""

import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Household, Role
from app.sync.models import SyncMutation
from tests.browser.conftest import expect_synced_once, wait_for_service_worker
from tests.sync import mutations  # noqa: F401 — registers "test.note" in the live server (same process)

pytestmark = pytest.mark.browser

ENQUEUE = """([id, text]) => import('/static/js/outbox.js').then((o) => o.enqueue('test.note',
    {household_id: id, text}))"""
FLUSH = "() => import('/static/js/sync.js').then((s) => s.flush())"


@pytest.fixture
def head(make_building, make_household, make_user):
    """A building head and one household of their building."""
    building = make_building("6号楼")
    household = make_household(building, room="101")
    return make_user(Role.BUILDING_HEAD, building, name="孙楼长"), household


def notes(household_id: int) -> list[str]:
    """Lines of the household's notes as the server committed them."""
    db.session.rollback()
    text = db.session.get(Household, household_id).notes
    return text.split("\n") if text else []


def wait_count(page, n: int) -> None:
    """Wait until this device's outbox and the header both say `n` items are waiting."""
    for _ in range(300):
        outbox = page.evaluate("() => import('/static/js/outbox.js').then((o) => o.count())")
        header = page.locator("[data-sync-count]").inner_text()
        if outbox == n and header == str(n):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"waiting: outbox {outbox}, header {header}; expected {n}")


def synced_once(page) -> None:
    """Wait for the first successful sync of this page (the header shows its time)."""
    expect_synced_once(page)


def test_offline_items_survive_a_reload_and_are_sent_once_online(page, network, sign_in, head):
    user, household = head
    sign_in(user.phone)
    wait_for_service_worker(page)
    synced_once(page)
    network.off()
    for n in range(3):
        page.evaluate(ENQUEUE, [household.id, f"楼道里记的第{n}条"])
    wait_count(page, 3)
    page.reload()  # offline: the page comes from the service worker, the outbox from IndexedDB
    wait_count(page, 3)
    assert notes(household.id) == []
    network.on()
    page.evaluate("window.dispatchEvent(new Event('online'))")  # Chromium fires it only for real changes
    wait_count(page, 0)
    assert notes(household.id) == [f"楼道里记的第{n}条" for n in range(3)]
    page.evaluate(FLUSH)  # nothing left to send twice
    assert notes(household.id) == [f"楼道里记的第{n}条" for n in range(3)]


def test_server_failing_half_way_then_retry_sends_nothing_twice(page, context, sign_in, head):
    """The first POST reaches the server with only 3 of 6 items applied, then answers 500."""
    user, household = head
    sign_in(user.phone)
    synced_once(page)
    failed = []

    def half_then_500(route):
        if route.request.method == "POST" and not failed:
            body = route.request.post_data_json
            body["mutations"] = body["mutations"][:3]
            route.fetch(post_data=body)  # the server applies the first three …
            failed.append(True)
            route.fulfill(status=500, content_type="application/json",
                          body='{"error": {"code": "server_error", "message": "boom"}}')  # … then fails
        else:
            route.continue_()

    context.route("**/api/v1/sync", half_then_500)
    context.route("**/api/v1/csrf", lambda route: route.continue_())
    page.evaluate("() => { window.__hold = true; }")
    # Queue all six before any flush can run: hold the flush lock while enqueueing.
    page.evaluate("""async ([id]) => {
        const o = await import('/static/js/outbox.js');
        await navigator.locks.request('siheyuan-flush', async () => {
            for (let n = 0; n < 6; n++) await o.enqueue('test.note', {household_id: id, text: `第${n}条`});
        });
    }""", [household.id])
    page.evaluate(FLUSH)
    assert failed
    page.evaluate(FLUSH)
    wait_count(page, 0)
    assert notes(household.id) == [f"第{n}条" for n in range(6)]


def test_signed_out_session_keeps_the_outbox_and_asks_to_sign_in_again(page, context, sign_in, head):
    user, household = head
    sign_in(user.phone)
    synced_once(page)
    context.clear_cookies()  # the session expired while the phone was in a pocket
    page.evaluate(ENQUEUE, [household.id, "过期后记的"])
    page.evaluate(FLUSH)
    banner = page.get_by_text("请重新登录,以便发送手机上等待的记录。内容没有丢失。")
    banner.wait_for()
    wait_count(page, 1)
    assert notes(household.id) == []
    sign_in(user.phone)
    wait_count(page, 0)
    assert notes(household.id) == ["过期后记的"]
    assert banner.is_hidden()


def test_bad_files_are_refused_but_the_item_still_applies_and_the_reason_stays_visible(page, sign_in, head):
    user, household = head
    sign_in(user.phone)
    synced_once(page)
    page.evaluate("""async ([id]) => {
        const o = await import('/static/js/outbox.js');
        const big = new Uint8Array(11 * 1024 * 1024); big.set([0xff, 0xd8, 0xff, 0xe0]);
        const wav = new TextEncoder().encode('RIFF\\0\\0\\0\\0WAVEfmt ');
        await navigator.locks.request('siheyuan-flush', () => o.enqueue('test.note', {household_id: id, text: '带附件'}, [
            new File(['this is not a picture'], 'photo.jpg', {type: 'image/jpeg'}),
            new File([big], 'huge.jpg', {type: 'image/jpeg'}),
            new File([wav], 'voice.wav', {type: 'audio/wav'}),
        ]));
    }""", [household.id])
    page.evaluate(FLUSH)
    wait_count(page, 0)
    assert notes(household.id) == ["带附件"]
    record = db.session.scalar(select(SyncMutation).where(SyncMutation.type == "test.note"))
    assert record.result["entity"]["attachments"] == []
    page.goto("/sync")
    problem = page.locator("[data-sync-problems] li")
    problem.first.wait_for()
    text = problem.first.inner_text()
    assert "photo.jpg: 这个文件不是可以识别的照片" in text
    assert "huge.jpg: 照片不能超过 10 MB" in text
    assert "voice.wav:" in text
    assert "带附件" in text and "household_id" not in text  # in the person's words, not as JSON
    assert page.get_by_role("button", name="重新发送").count() == 0  # it applied: nothing to send again


def test_conflict_shows_both_versions_and_discard_asks_first(page, sign_in, head):
    user, household = head
    household.notes = "服务器上的说法"
    db.session.commit()
    sign_in(user.phone)
    synced_once(page)
    page.evaluate("""([id]) => import('/static/js/outbox.js').then((o) =>
        o.enqueue('test.clash', {household_id: id, mine: '手机上的说法'}))""", [household.id])
    page.evaluate(FLUSH)
    page.goto("/sync")
    item = page.locator("[data-sync-problems] li.card")
    item.wait_for()
    assert "手机上的说法" in item.inner_text()  # the device's version …
    assert "服务器上的记录" in item.inner_text() and "服务器上的说法" in item.inner_text()  # … and the server's
    # Sending it again could only clash again: the one way out is the server's record, asked first.
    assert item.get_by_role("button").all_inner_texts() == ["以服务器上的为准"]
    item.get_by_role("button", name="以服务器上的为准").click()
    dialog = page.get_by_role("dialog")
    assert dialog.get_by_text("删除这条记录吗?").is_visible()
    dialog.get_by_role("button", name="保留").click()
    assert item.count() == 1
    item.get_by_role("button", name="以服务器上的为准").click()
    dialog.get_by_role("button", name="删除").click()
    page.locator("[data-sync-problems] li.card").wait_for(state="detached")
    assert page.evaluate("() => import('/static/js/outbox.js').then((o) => o.pending()).then((p) => p.length)") == 0


def test_signing_out_with_items_waiting_asks_first(page, context, sign_in, head):
    user, household = head
    sign_in(user.phone)
    synced_once(page)
    context.route("**/api/v1/sync", lambda route: route.abort("internetdisconnected"))
    page.evaluate(ENQUEUE, [household.id, "还没发出"])
    wait_count(page, 1)
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="退出登录").click()
    for _ in range(100):
        if asked:
            break
        page.wait_for_timeout(100)
    assert asked and "1" in asked[0] and "退出" in asked[0]
    assert page.get_by_role("button", name="退出登录").is_visible()  # cancelled: still signed in
    wait_count(page, 1)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/auth/login**")
    assert db.session.scalar(select(func.count()).select_from(SyncMutation)) == 0


def test_background_sync_in_the_service_worker_sends_the_outbox_with_no_page_open(page, context, sign_in, head):
    """An item put straight into IndexedDB (no page flushes it) is sent by the service worker's `sync` event."""
    user, household = head
    sign_in(user.phone)
    wait_for_service_worker(page)
    synced_once(page)
    page.evaluate("""async ([id, user]) => {
        const db = await import('/static/js/db.js');
        await db.put('outbox', {id: crypto.randomUUID(), type: 'test.note', user,
            payload: {household_id: id, text: '后台发送', attachments: []}, client_time: new Date().toISOString(),
            attempts: 0, status: 'waiting', last_error: null, created: Date.now()});
        const registration = await navigator.serviceWorker.ready;
        await registration.sync.register('outbox');
    }""", [household.id, str(user.id)])
    page.close()  # no page is left to send it
    deadline = time.monotonic() + 15
    while not notes(household.id) and time.monotonic() < deadline:
        time.sleep(0.1)  # polling the database, not timing anything
    assert notes(household.id) == ["后台发送"]
