"""The care home page's weight on the wire: its first load in a fresh browser, and a reload.

Lighthouse always loads cold and never lets the service worker install, so this is measured with
Playwright and headless Chromium (a phone-sized window, zh-CN) against the demo street served by
gunicorn, signed in as 潘大爷 (care mode), whose home page is the care home page.

- first load: everything that crossed the network from opening the page until the network is idle
  after the service worker is ready — the page's own requests *and* the worker's precache downloads
  while it installs (the precache is part of what the first visit costs the phone).
- reload: the same page loaded again once the service worker controls it.

Bytes are counted by a TCP relay between Chromium and gunicorn (HTTP/1.1, no compression of
headers): response headers and bodies exactly as sent, and nothing for what came from the browser's
HTTP cache or the service worker's cache. The per-request list beside it (from Playwright) shows
which responses came over the network; its figures are headers + bodies as Chromium reports them
(the service worker's own script and the modules it imports show only their headers there).
Targets (issue #7): first load ≤ 60 KB, reload ≤ 5 KB. The ceiling beside them: the page's HTML.

Run: .venv/bin/python bench/page_weight.py   (CHROME_PATH overrides /usr/lib/chromium/chromium;
bench/lighthouse.py runs this too, after its Lighthouse scores)
"""
from __future__ import annotations

import asyncio
import os
import sys
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from _common import Gunicorn, free_port

CHROME = os.environ.get("CHROME_PATH", "/usr/lib/chromium/chromium")
CARE = "13800000009"  # 潘大爷 (care mode) in the demo street
TARGET_FIRST, TARGET_AGAIN = 60 * 1024, 5 * 1024


class WireCounter:
    """A TCP relay on its own port in front of `target_port`, counting the bytes each way."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.down = 0  # server → browser: response headers and bodies
        self.up = 0    # browser → server: requests
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> tuple[int, int]:
        """(down, up) since the last reset; the counts start again from zero."""
        counts = (self.down, self.up)
        self.down = self.up = 0
        return counts

    def __enter__(self):
        self._thread.start()
        self._started.wait(10)
        return self

    def __exit__(self, *exc):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(asyncio.start_server(self._relay, "127.0.0.1", self.port))
        self._started.set()
        self._loop.run_forever()

    async def _relay(self, browser_reader, browser_writer) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def pipe(reader, writer, downstream: bool) -> None:
            try:
                while chunk := await reader.read(65536):
                    if downstream:
                        self.down += len(chunk)
                    else:
                        self.up += len(chunk)
                    writer.write(chunk)
                    await writer.drain()
            except ConnectionError:
                pass
            finally:
                writer.close()

        await asyncio.gather(pipe(browser_reader, server_writer, False), pipe(server_reader, browser_writer, True))


@dataclass
class Load:
    """One load of the page: bytes on the wire and the responses that came over the network."""

    down: int
    up: int
    fetched: list[tuple[str, str, int]] = field(default_factory=list)  # (by, path, bytes)

    def print(self, label: str, target: int) -> None:
        """The figure beside its target, then what was fetched over the network."""
        met = "met" if self.down <= target else "NOT met"
        print(f"{label}: {self.down / 1024:.1f} KB received ({self.up / 1024:.1f} KB sent); "
              f"target ≤ {target / 1024:.0f} KB, {met}")
        for by in ("page", "service worker"):
            rows = [(path, size) for who, path, size in self.fetched if who == by]
            if rows:
                print(f"    by the {by}: {len(rows)} responses, {sum(s for _, s in rows) / 1024:.1f} KB")
            for path, size in rows:
                print(f"        {size:>6} B  {path}")


def measure(base: str, cookie: str) -> tuple[Load, Load, int]:
    """(first load, reload under the service worker, bytes of the page's HTML at the reload) through the relay."""
    from playwright.sync_api import sync_playwright

    target_port = int(base.rsplit(":", 1)[1])
    with WireCounter(target_port) as wire, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROME, headless=True, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 360, "height": 740}, service_workers="allow", locale="zh-CN")
        context.add_cookies([{"name": "session", "value": cookie, "url": wire.base}])
        seen = []
        context.on("requestfinished", lambda request: seen.append(request))
        page = context.new_page()
        page.goto(wire.base + "/", wait_until="load")
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_load_state("networkidle")  # the worker's precache downloads belong to the first load
        first = Load(*wire.reset(), _fetched(seen, wire.base))
        seen.clear()
        page.reload(wait_until="load")
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.wait_for_load_state("networkidle")
        again = Load(*wire.reset(), _fetched(seen, wire.base))
        html = sum(size for _, path, size in again.fetched if path == urlsplit(page.url).path)
        browser.close()
    return first, again, html


def _fetched(requests_seen, base: str) -> list[tuple[str, str, int]]:
    """The responses that came over the network (not from a cache), with headers + body sizes."""
    rows = []
    for request in requests_seen:
        response = request.response()
        if response is None or response.from_service_worker:
            continue  # answered by the service worker itself
        sizes = request.sizes()
        # From the HTTP cache Chromium reports the body as minus the headers (nothing was received);
        # a 304 revalidation has headers and no body; the worker's own script shows no body here.
        size = sizes["responseHeadersSize"] + sizes["responseBodySize"]
        if size <= 0:
            continue
        rows.append(("service worker" if request.service_worker else "page", request.url.removeprefix(base), size))
    return rows


def report(base: str, cookie: str) -> bool:
    """Measure and print the care home page's weight; whether both targets are met."""
    first, again, html = measure(base, cookie)
    first.print("care home page, first load (page + service worker install)", TARGET_FIRST)
    again.print("care home page, reload under the service worker", TARGET_AGAIN)
    print(f"ceiling: the page's HTML alone, {html / 1024:.1f} KB")
    return first.down <= TARGET_FIRST and again.down <= TARGET_AGAIN


def main() -> int:
    from lighthouse import demo_app, session_cookie

    url, instance, _ = demo_app()
    with Gunicorn(url, instance, workers=2) as server:
        met = report(server.base, session_cookie(server.base, CARE))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
