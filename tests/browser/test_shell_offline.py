"""The installable app shell keeps working with the network off."""
import threading

import pytest

from app.models import Role
from tests.browser.conftest import wait_for_service_worker

pytestmark = pytest.mark.browser


def test_signed_in_home_survives_going_offline(page, context, network, sign_in, make_household, make_user):
    household = make_household(room="302")
    user = make_user(Role.RESIDENT, household, name="李居民")
    sign_in(user.phone)
    assert page.get_by_role("heading", name="您好,李居民").is_visible()

    wait_for_service_worker(page)
    page.reload()  # the home page is now fetched through the service worker and kept

    network.off()
    page.reload()
    assert page.get_by_role("heading", name="您好,李居民").is_visible()
    assert page.locator("[data-offline-banner]").is_visible()

    page.goto("/a/page/never/opened")
    assert page.get_by_role("heading", name="现在没有网络").is_visible()

    network.on()
    page.goto("/")
    assert page.locator("[data-offline-banner]").is_hidden()


def test_the_app_is_installable(playwright_instance, live, tmp_path, make_user):
    """Chromium's own installability check passes (in a normal profile: incognito never installs)."""
    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path

    user = make_user()
    ctx = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True,
        base_url=live.url, locale="zh-CN",
    )
    try:
        page = ctx.new_page()
        page.goto("/auth/login")
        page.get_by_label("手机号").fill(user.phone)
        page.get_by_label("密码").fill("correct-horse-9")
        page.get_by_role("button", name="登录").click()
        wait_for_service_worker(page)
        session = ctx.new_cdp_session(page)
        assert session.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = session.send("Page.getAppManifest")
        assert not manifest.get("errors")
    finally:
        ctx.close()


def test_login_form_errors_are_read_out_with_the_field(page, sign_in, make_user):
    page.goto("/auth/login")
    page.get_by_label("手机号").fill("123")
    page.get_by_label("密码").fill("x")
    page.get_by_role("button", name="登录").click()
    phone = page.get_by_label("手机号")
    assert phone.get_attribute("aria-invalid") == "true"
    described = phone.get_attribute("aria-describedby")
    assert "手机号是以1开头的11位数字" in page.locator(f"#{described.split()[-1]}").inner_text()


def test_no_store_pages_are_never_kept_by_the_service_worker(page, sign_in, make_household, make_user):
    """A login card's sign-in page opened on a phone with the app: not left in the phone's page cache."""
    from app.clock import utcnow
    from app.extensions import db
    from app.logincards.services import issue_card

    household = make_household(room="101")
    elder = make_user(Role.RESIDENT, household, name="潘大爷")
    head = make_user(Role.BUILDING_HEAD, household.building, name="孙楼长")
    _, token = issue_card(db.session, elder, head, now=utcnow())
    db.session.commit()
    sign_in(head.phone)
    wait_for_service_worker(page)
    page.goto("/")  # an ordinary page, through the worker
    page.goto(f"/card/{token}")
    assert page.get_by_role("button").filter(has_text="登录").count() >= 1
    kept = page.evaluate("""async (path) => {
        const cache = await caches.open('pages-v1');
        return [!!(await cache.match(path)), !!(await cache.match('/'))]; }""", f"/card/{token}")
    assert kept == [False, True]  # the card page is not kept; ordinary pages are


def test_signing_in_while_the_worker_installs_keeps_the_person_signed_in(page, live, monkeypatch, make_household,
                                                                         make_user):
    """The worker's copy of the offline page, answered just after the sign-in, does not sign the person out.

    The worker installs on the sign-in page and asks for the offline page at once; here the server
    holds that answer until the person has signed in, as a slow stairwell connection does.
    """
    household = make_household(room="302")
    user = make_user(Role.RESIDENT, household, name="李居民")
    asked, signed_in = threading.Event(), threading.Event()
    inner = live.app.wsgi_app

    def slow_offline_page(environ, start_response):
        if environ["PATH_INFO"] == "/offline" and not signed_in.is_set():
            asked.set()
            signed_in.wait(30)
        return inner(environ, start_response)

    monkeypatch.setattr(live.app, "wsgi_app", slow_offline_page)
    page.goto("/auth/login")
    assert asked.wait(30)  # the worker is installing, its request for the offline page sent
    page.get_by_label("手机号").fill(user.phone)
    page.get_by_label("密码").fill("correct-horse-9")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="您好,李居民").is_visible()
    signed_in.set()  # the offline page's answer arrives now
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    assert page.evaluate("() => caches.match('/offline').then(Boolean)")
    page.reload()
    assert page.get_by_role("heading", name="您好,李居民").is_visible()
