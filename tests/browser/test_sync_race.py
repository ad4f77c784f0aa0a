"""Two flushers at once (engine alone, "test.note" mutations): a refused photo's note is never lost.

Tabs and the service worker take turns through the Web Locks API; a browser without it (Safari
before 15.4, on iPhones that no longer update) lets two of them send the same outbox at once.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.test_sync_outbox import head, notes, synced_once  # noqa: F401 — the head fixture
from tests.sync import mutations  # noqa: F401 — registers "test.note" in the live server (same process)

pytestmark = pytest.mark.browser

# An item with a file the server will refuse, put in the outbox as enqueue() does but without its
# immediate send, so the test decides when each flusher runs.
QUEUE_WITH_A_BAD_PHOTO = """async ([id, user]) => {
    const { tx } = await import('/static/js/db.js');
    const mutation = { id: crypto.randomUUID(), type: 'test.note', user,
        payload: { household_id: id, text: '带照片的记录', attachments: ['photo-1'] },
        client_time: new Date().toISOString(), attempts: 0, status: 'waiting', last_error: null, created: Date.now() };
    await tx(['outbox', 'files'], 'readwrite', (s) => {
        s.outbox.put(mutation);
        s.files.put({ uuid: 'photo-1', blob: new Blob(['this is not a picture'], { type: 'image/jpeg' }),
                      name: 'photo.jpg', status: 'waiting', mutation: mutation.id });
    });
    return mutation.id;
}"""

STORED = "(id) => import('/static/js/db.js').then((db) => db.getOne('outbox', id))"


def test_a_refused_photo_note_survives_two_flushers_at_once(page, context, sign_in, head):  # noqa: F811
    user, household = head
    sign_in(user.phone)
    synced_once(page)
    item = page.evaluate(QUEUE_WITH_A_BAD_PHOTO, [household.id, str(user.id)])

    # The second flusher to ask for a CSRF token waits until the first has sent the item and kept
    # the note: it read the outbox before the photo was refused, the worst moment to go on.
    asked, held = [], []

    def hold_the_second(route):
        asked.append(route.request.url)
        if len(asked) == 2:
            held.append(route)
        else:
            route.continue_()

    context.route("**/api/v1/csrf", hold_the_second)
    page.evaluate("""() => {
        Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
        window.__both = Promise.all([0, 1].map(() => import('/static/js/sync.js').then((s) => s.flush())));
    }""")
    for _ in range(300):
        stored = page.evaluate(STORED, item)
        if held and stored and stored["status"] == "rejected":
            break
        page.wait_for_timeout(100)
    assert held and stored["applied"], stored
    held[0].continue_()
    page.evaluate("window.__both")

    assert notes(household.id) == ["带照片的记录"]  # applied once
    page.goto("/sync")
    note = page.locator("[data-sync-problems] li.card")
    expect(note).to_contain_text("photo.jpg: ")  # the server's reason follows the name
    expect(note).to_contain_text("带照片的记录")
