"""The service worker shows a pushed notice and opens it when tapped (Chromium, push delivered via DevTools)."""
import json

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import Role
from app.notices.models import Urgency
from app.notices.schemas import NoticeIn
from app.notices.services import resolve_targets, send_notice
from tests.browser.conftest import wait_for_service_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def notice_for_resident(make_household, make_user):
    household = make_household()
    resident = make_user(Role.RESIDENT, household, name="李居民")
    staff = make_user(Role.STAFF, household.building.community)
    data = NoticeIn(title="紧急:车库起火", body="请勿进入地下车库。", urgency=Urgency.URGENT,
                    building_ids=[household.building_id])
    buildings, label = resolve_targets(db.session, data)
    notice = send_notice(db.session, staff, data, buildings, label, now=utcnow())
    db.session.commit()
    return resident, notice


# Wait (in the page) until the service worker has shown the notification, and describe it.
SHOWN = """async () => {
    const registration = await navigator.serviceWorker.ready;
    for (let i = 0; i < 100; i++) {
        const shown = await registration.getNotifications();
        if (shown.length) {
            const n = shown[0];
            return {count: shown.length, title: n.title, body: n.body, icon: n.icon,
                    requireInteraction: n.requireInteraction, data: n.data};
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return null;
}"""


def registration_id(cdp, page, origin: str) -> str:
    """The id DevTools gives the page's live service worker registration (scope = the site's root)."""
    found: dict[str, str] = {}

    def seen(event):
        for registration in event["registrations"]:
            if registration["scopeURL"] == f"{origin}/" and not registration.get("isDeleted"):
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", seen)
    cdp.send("ServiceWorker.enable")
    for _ in range(100):  # the registrations arrive as events right after enable
        if found:
            return found["id"]
        page.wait_for_timeout(50)
    raise AssertionError("no service worker registration reported by DevTools")


def test_a_pushed_notice_is_shown_and_opens_the_notice(page, context, live, sign_in, notice_for_resident):
    resident, notice = notice_for_resident
    context.grant_permissions(["notifications"], origin=live.url)
    sign_in(resident.phone)
    wait_for_service_worker(page)
    page.goto("/notices/")
    assert page.locator("[data-inbox-unread]").inner_text() == "1"

    cdp = context.new_cdp_session(page)
    payload = {"title": notice.title, "body": "请勿进入地下车库。", "url": f"/notices/{notice.id}", "urgent": True,
               "tag": f"notice-{notice.id}"}
    registration = registration_id(cdp, page, live.url)
    # Other work in this tree may change a static file mid-test, making the browser install a new
    # service worker version; a push that lands on the version being replaced is lost, as it would
    # be on a phone. So deliver once the registration is settled, and once more if nothing shows.
    shown = None
    for _attempt in range(2):
        page.evaluate("""async () => {
            const r = await navigator.serviceWorker.ready;
            while (r.installing || r.waiting) await new Promise((ok) => setTimeout(ok, 50));
        }""")
        cdp.send("ServiceWorker.deliverPushMessage", {"origin": live.url, "registrationId": registration,
                                                      "data": json.dumps(payload, ensure_ascii=False)})
        shown = page.evaluate(SHOWN)
        if shown:
            break
    assert shown == {"count": 1, "title": "紧急:车库起火", "body": "请勿进入地下车库。",
                     "icon": f"{live.url}/static/icons/icon-192.png", "requireInteraction": True,
                     "data": {"url": f"/notices/{notice.id}"}}

    # Headless Chromium has no notification tray to click, so the worker's own handler is given a
    # notificationclick for the real notification it showed; the handler then opens the notice.
    clicked = [worker.evaluate("""async () => {
        const [n] = await self.registration.getNotifications();
        if (!n || self.serviceWorker?.state === "redundant") return false;
        self.dispatchEvent(new NotificationEvent("notificationclick", {notification: n}));
        return true;
    }""") for worker in context.service_workers]
    assert clicked.count(True) == 1, clicked
    page.wait_for_url(f"**/notices/{notice.id}")
    assert page.get_by_role("heading", name="紧急:车库起火").is_visible()
    assert page.evaluate("async () => (await (await navigator.serviceWorker.ready).getNotifications()).length") == 0
