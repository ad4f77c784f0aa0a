"""Real Chromium (Playwright) against the app served on a local port.

`network.off()` cuts the network the way a stairwell does: the page goes offline *and* the
server stops answering, so the service worker's own fetches fail too (Chromium's offline
emulation does not reach service workers). `network.on()` brings both back.
"""
from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


def chromium_path() -> str | None:
    """Debian's Chromium, or CHROMIUM_PATH; None means use Playwright's own build."""
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The app on 127.0.0.1:<port> in a thread, which can be stopped and started again."""

    def __init__(self, app):
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None
        self._thread = None

    def start(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # keep request lines out of failures
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    @property
    def running(self) -> bool:
        return self._server is not None


@pytest.fixture(scope="session")
def live_server_session(app):
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live(live_server_session):
    """The running server (restarted if a test left it stopped)."""
    if not live_server_session.running:
        live_server_session.start()
    yield live_server_session
    if not live_server_session.running:
        live_server_session.start()


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance):
    """One headless Chromium for the run."""
    browser = playwright_instance.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def phone_timezone() -> str:
    """The time zone the phone's clock is set to (a test module overrides it to try another)."""
    return "Asia/Shanghai"


@pytest.fixture
def context(browser, live, phone_timezone):
    """A fresh browser profile (no cookies, no service worker) per test, Chinese, phone-sized."""
    ctx = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 360, "height": 740},
                              timezone_id=phone_timezone, service_workers="allow")
    ctx.set_default_timeout(30_000)  # generous: CI machines are small and may be busy
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    """A page whose console errors fail the test (a broken script is a broken app)."""
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    assert not errors, f"JavaScript errors on the page: {errors}"


class Network:
    """Switch the network off and on for a browser context and the server together."""

    def __init__(self, context, server: LiveServer):
        self.context, self.server = context, server

    def off(self) -> None:
        self.context.set_offline(True)
        self.server.stop()

    def on(self) -> None:
        self.server.start()
        self.context.set_offline(False)


@pytest.fixture
def network(context, live):
    """Control the network of this test's browser context."""
    return Network(context, live)


def sign_in_on(pg, phone: str, password: str = "correct-horse-9") -> None:
    """Sign in on the page `pg` through the login page, like a person does."""
    pg.goto("/auth/login")
    pg.get_by_label("手机号").fill(phone)
    pg.get_by_label("密码").fill(password)
    pg.get_by_role("button", name="登录").click()
    pg.wait_for_url("**/")


@pytest.fixture
def sign_in(page):
    """Sign in on this test's page."""

    def do(phone: str, password: str = "correct-horse-9") -> None:
        sign_in_on(page, phone, password)

    return do


def wait_for_service_worker(page) -> None:
    """Wait until the service worker controls `page` and has served it, as for every page after the first.

    A worker that activates while a navigation is in flight (signing in redirects home) may not
    claim that page in Chromium, though `clients.claim()` ran; and a page it claimed after loading
    was fetched without it, so the worker never kept a copy for offline use. A person's next page
    load goes through the worker: so wait for the active worker, then load this page again.
    """
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def expect_waiting(page, count: int, timeout: float = 30_000) -> None:
    """The status bar on `page` says `count` items are waiting to be sent, and this phone's outbox agrees.

    Playwright finds the element again on every poll, so a reload or a navigation while waiting is
    no error (a `querySelector` in `wait_for_function` can find nothing between two pages). The bar
    is refreshed a moment after each change, so just after an item is queued it may still show the
    count from before: the outbox itself is read too (the same count the bar shows, once refreshed).
    """
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout / 1000
    status = page.locator("[data-sync-count]")
    expect(status).to_have_text(str(count), timeout=timeout)
    queued = None
    while queued != count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{queued} items waiting in the outbox, expected {count}")
        try:
            queued = page.evaluate("() => import('/static/js/outbox.js').then((o) => o.count())")
        except Error:  # the page was navigating: read it again
            queued = None
        if queued != count:
            page.wait_for_timeout(100)
    expect(status).to_have_text(str(count), timeout=max(deadline - time.monotonic(), 1) * 1000)


def expect_synced_once(page, timeout: float = 30_000) -> None:
    """The status bar on `page` shows a last successful sync (it says "—" before the first)."""
    expect(page.locator("[data-sync-last]")).not_to_have_text("—", timeout=timeout)


def expect_pictures_and_scripts_kept(page) -> None:
    """Every picture on `page` is shown, and it and the page's scripts come from the service worker's caches.

    A picture or script the browser still has in its HTTP cache would show offline too, for a while:
    the worker's own copy is what lasts, so it is checked itself.
    """
    pictures = page.locator("img")
    assert pictures.count() > 0
    for n in range(pictures.count()):
        expect(pictures.nth(n)).to_have_js_property("complete", True)
        assert pictures.nth(n).evaluate("(img) => img.naturalWidth") > 0, pictures.nth(n).get_attribute("src")
    missing = page.evaluate("""async () => {
        const urls = [...document.images].map((img) => img.currentSrc)
            .concat([...document.querySelectorAll('script[src]')].map((script) => script.src));
        const kept = await Promise.all(urls.map((url) => caches.match(url)));
        return urls.filter((url, n) => !kept[n]);
    }""")
    assert missing == []
