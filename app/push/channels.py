"""Delivery channels: how one message reaches one device. Web Push now; SMS or WeChat later.

A channel only sends; the worker decides retries and bookkeeping from each Result, so a new
channel (an SMS gateway, a WeChat template message) is one class and no change to notices.
"""
from __future__ import annotations

import asyncio
import json
import ssl
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from multidict import CIMultiDict
from pywebpush import WebPusher

from app.push import transport

TTL_SECONDS = 24 * 3600  # a real TTL: the library's default of 0 drops messages for sleeping phones
URGENCY = {True: "high", False: "normal"}  # RFC 8030 §5.3


@dataclass
class Result:
    """What happened: sent, retry later, the device is gone for good, or a permanent failure."""

    outcome: str  # "sent" | "retry" | "gone" | "failed"
    error: str = ""
    retry_after: float | None = None


Job = tuple[dict, dict]  # (payload, subscription info {"endpoint", "keys": {"p256dh", "auth"}})


class Channel(Protocol):
    """Sends a batch of messages in parallel and says what happened to each, in order."""

    name: str

    def send_batch(self, jobs: list[Job]) -> list[Result]:
        """Send every (payload, subscription) and return one Result per job."""
        ...

    def close(self) -> None:
        """Release connections and threads."""
        ...


class ThreadedChannel:
    """Base for blocking senders (an SMS gateway's HTTP API): one `send` per job on a thread pool."""

    name = "threaded"

    def __init__(self, threads: int = 16):
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=f"push-{self.name}")

    def send(self, payload: dict, subscription: dict) -> Result:
        """Send one message (subclasses implement this)."""
        raise NotImplementedError

    def send_batch(self, jobs: list[Job]) -> list[Result]:
        """Run `send` for every job in parallel; an exception becomes a retry."""
        futures = [self.pool.submit(self.send, payload, info) for payload, info in jobs]
        results = []
        for future in futures:
            try:
                results.append(future.result())
            except Exception as exc:
                results.append(Result("retry", f"{type(exc).__name__}: {exc}"[:500]))
        return results

    def close(self) -> None:
        """Stop the thread pool."""
        self.pool.shutdown(wait=True)


def classify(status: int | None, error: str, retry_after: str | None = None) -> Result:
    """404/410: the subscription is gone; 429, 5xx and no answer: retry; other 4xx: give up."""
    if status in (404, 410):
        return Result("gone", f"{status} subscription expired")
    if status is None or status == 429 or status >= 500:
        delay = float(retry_after) if retry_after and retry_after.isdigit() else None
        return Result("retry", error[:500], delay)
    return Result("failed", error[:500])


@dataclass
class _Batch:
    """One send_batch call in flight: its results by position, how many are still out, and its future."""

    results: list[Result]
    remaining: int
    done: asyncio.Future
    texts: dict[int, bytes] = field(default_factory=dict)  # payload serialised once per batch


class WebPushChannel:
    """Web Push (RFC 8030/8291/8292): pywebpush encrypts each message, aiohttp posts it (app/push/transport.py).

    Encryption (aes128gcm with a fresh ECDH key per message) is pywebpush's `WebPusher.encode`, the
    very call bench/push.py measures alone as the ceiling. The VAPID token (a signed JWT for the push
    service's origin) is reused for that origin until an hour before it expires, as RFC 8292 allows,
    instead of being signed again for each of 40,000 messages; the request's headers are built once
    per origin and urgency with it. Requests run on `pool_size` lanes of one event loop (kept in its
    own thread for the life of the channel): a lane takes the next job, encrypts it, posts it on a
    keep-alive connection and waits for the answer, so at most `pool_size` requests and connections
    are open at once without a task or semaphore per message. Batches sent from several threads at
    once share the lanes, oldest batch first.
    """

    VAPID_LIFETIME = 12 * 3600
    VAPID_RENEW_BEFORE = 3600  # sign a new token this long before the cached one expires

    name = "webpush"

    def __init__(self, vapid_key, subject: str, *, pool_size: int = 64, timeout: float = 10.0,
                 ssl_context: ssl.SSLContext | None = None, public_only: bool = False):
        self.vapid_key, self.subject, self.pool_size = vapid_key, subject, pool_size
        self.clock = time.time  # tests move it to see the token renewed
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="push-webpush", daemon=True)
        self.thread.start()
        self.transport = self._call(self._open(pool_size, timeout, ssl_context, public_only))
        self._vapid: dict[str, tuple[dict, float, dict[bool, CIMultiDict]]] = {}
        self._work: deque[tuple[_Batch, int, Job]] = deque()  # jobs waiting for a lane, oldest batch first
        self._lanes = 0
        self._tasks: set[asyncio.Task] = set()

    @staticmethod
    async def _open(pool_size, timeout, ssl_context, public_only) -> transport.Transport:
        return transport.Transport(limit=pool_size, timeout=timeout, ssl_context=ssl_context, public_only=public_only)

    def _call(self, coro, timeout: float | None = None):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def _vapid_entry(self, origin: str) -> tuple[dict, float, dict[bool, CIMultiDict]]:
        cached = self._vapid.get(origin)
        now = self.clock()
        if cached is None or cached[1] - now < self.VAPID_RENEW_BEFORE:
            exp = int(now) + self.VAPID_LIFETIME
            headers = self.vapid_key.sign({"sub": self.subject, "aud": origin, "exp": exp})
            # the whole set of request headers, per urgency: aiohttp copies it into each request
            request_headers = {urgent: CIMultiDict({
                **headers, "TTL": str(TTL_SECONDS), "Urgency": URGENCY[urgent], "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream"}) for urgent in (False, True)}
            cached = self._vapid[origin] = (headers, exp, request_headers)
        return cached

    def vapid_headers(self, endpoint: str) -> dict:
        """The Authorization header for the endpoint's origin (aud); its token is signed again an hour before expiry."""
        return dict(self._vapid_entry("/".join(endpoint.split("/", 3)[:3]))[0])

    async def _send(self, payload: dict, info: dict, texts: dict[int, bytes]) -> Result:
        data = texts.get(id(payload))
        if data is None:  # the same payload object is serialised once per batch
            data = texts[id(payload)] = json.dumps(payload, ensure_ascii=False).encode()
        endpoint = info["endpoint"]
        try:
            origin = transport.origin_of(endpoint)
        except transport.Refused as exc:
            return Result("failed", str(exc)[:500])
        body = WebPusher(info).encode(data, "aes128gcm")["body"]
        headers = self._vapid_entry(origin.base)[2][bool(payload.get("urgent"))]
        try:
            response = await self.transport.post(origin, endpoint, headers, body)
        except transport.Refused as exc:  # a private address stays private: no retry
            return Result("failed", str(exc)[:500])
        except transport.TransportError as exc:  # refused, reset, timed out, unreadable answer: try again later
            return Result("retry", f"connection: {exc}"[:500])
        if response.status > 202:  # a redirect too: not followed (it would lead past the address check)
            return classify(response.status, f"{response.status} {response.reason}", response.headers.get("retry-after"))
        return Result("sent")

    async def _lane(self) -> None:
        """Take the oldest waiting job, send it, repeat; end when no job waits."""
        try:
            while self._work:
                state, index, (payload, info) = self._work.popleft()
                try:
                    result = await self._send(payload, info, state.texts)
                except Exception as exc:  # e.g. keys pywebpush cannot use: this job is retried, the lane goes on
                    result = Result("retry", f"{type(exc).__name__}: {exc}"[:500])
                state.results[index] = result
                state.remaining -= 1
                if not state.remaining:
                    state.done.set_result(state.results)
        finally:
            self._lanes -= 1

    async def _batch(self, jobs: list[Job]) -> list[Result]:
        if not jobs:
            return []
        state = _Batch([Result("retry", "not sent")] * len(jobs), len(jobs), self.loop.create_future())
        self._work.extend((state, index, job) for index, job in enumerate(jobs))
        # Lanes are shared by every batch in flight (at most pool_size): a batch added while another
        # is finishing fills the lanes its last answers leave idle, so the loop never waits for a tail.
        for _ in range(min(self.pool_size - self._lanes, len(jobs))):
            self._lanes += 1
            lane = self.loop.create_task(self._lane())
            self._tasks.add(lane)  # a reference, or the task may be collected mid-flight
            lane.add_done_callback(self._tasks.discard)
        return await state.done

    def send_batch(self, jobs: list[Job]) -> list[Result]:
        """Encrypt, sign and POST every job; classify each push service answer."""
        return self._call(self._batch(jobs))

    def send(self, payload: dict, subscription: dict) -> Result:
        """One message (convenience for callers outside the worker)."""
        return self.send_batch([(payload, subscription)])[0]

    def close(self) -> None:
        """Close the pooled connections and stop the loop."""
        self._call(self.transport.close(), timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()
