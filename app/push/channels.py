"""Delivery channels: how one message reaches one device. Web Push now; SMS or WeChat later.

A channel only sends; the worker decides retries and bookkeeping from each Result, so a new
channel (an SMS gateway, a WeChat template message) is one class and no change to notices.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from pywebpush import WebPusher

from app.push import transport

log = logging.getLogger(__name__)

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
    done: Future
    texts: dict[int, bytes] = field(default_factory=dict)  # payload serialised once per batch


class WebPushChannel:
    """Web Push (RFC 8030/8291/8292): pywebpush encrypts each message, libcurl posts it (app/push/transport.py).

    Encryption (aes128gcm with a fresh ECDH key per message) is pywebpush's `WebPusher.encode`, the
    very call bench/push.py measures alone as the ceiling. The VAPID token (a signed JWT for the push
    service's origin) is reused for that origin until an hour before it expires, as RFC 8292 allows,
    instead of being signed again for each of 40,000 messages; the request's header lines are built
    once per origin and urgency with it.

    One thread, kept for the life of the channel, runs `pool_size` lanes: a free lane takes the next
    job, encrypts it and starts its POST on a keep-alive connection, and the lanes' transfers move
    on together while the thread waits for the network (GIL released). So at most `pool_size`
    requests and connections are open at once. Batches sent from several threads at once share the
    lanes, oldest batch first: a batch added while another is finishing fills the lanes its last
    answers leave idle, so the sender never waits for a tail.
    """

    VAPID_LIFETIME = 12 * 3600
    VAPID_RENEW_BEFORE = 3600  # sign a new token this long before the cached one expires
    IDLE_POLL = 0.01  # s: how long the thread waits on the network before looking for new jobs for idle lanes

    name = "webpush"

    def __init__(self, vapid_key, subject: str, *, pool_size: int = 64, timeout: float = 10.0,
                 ca_file: str | None = None, public_only: bool = False):
        self.vapid_key, self.subject, self.pool_size = vapid_key, subject, pool_size
        self.clock = time.time  # tests move it to see the token renewed
        self.transport = transport.Transport(limit=pool_size, timeout=timeout, ca_file=ca_file,
                                             public_only=public_only)
        self._vapid: dict[str, tuple[dict, float, dict[bool, list[str]]]] = {}
        self._work: deque[tuple[_Batch, int, Job]] = deque()  # jobs waiting for a lane, oldest batch first
        self._calls: deque[tuple[Future, object]] = deque()  # functions to run in the thread (run_in_thread)
        self._wake = threading.Condition()
        self._closing = False
        self.thread = threading.Thread(target=self._run, name="push-webpush", daemon=True)
        self.thread.start()

    def _vapid_entry(self, origin: str) -> tuple[dict, float, dict[bool, list[str]]]:
        cached = self._vapid.get(origin)
        now = self.clock()
        if cached is None or cached[1] - now < self.VAPID_RENEW_BEFORE:
            exp = int(now) + self.VAPID_LIFETIME
            headers = self.vapid_key.sign({"sub": self.subject, "aud": origin, "exp": exp})
            lines = {urgent: [*(f"{name}: {value}" for name, value in headers.items()), f"TTL: {TTL_SECONDS}",
                              f"Urgency: {URGENCY[urgent]}", "Content-Encoding: aes128gcm",
                              "Content-Type: application/octet-stream", *transport.NO_DEFAULT_HEADERS]
                     for urgent in (False, True)}
            cached = self._vapid[origin] = (headers, exp, lines)
        return cached

    def vapid_headers(self, endpoint: str) -> dict:
        """The Authorization header for the endpoint's origin (aud); its token is signed again an hour before expiry."""
        return dict(self._vapid_entry("/".join(endpoint.split("/", 3)[:3]))[0])

    def _start(self, state: _Batch, index: int, payload: dict, info: dict) -> Result | None:
        """Encrypt one job and start its POST; a Result when it ends before any request (nothing to send)."""
        data = state.texts.get(id(payload))
        if data is None:  # the same payload object is serialised once per batch
            data = state.texts[id(payload)] = json.dumps(payload, ensure_ascii=False).encode()
        endpoint = info["endpoint"]
        try:
            origin = transport.origin_of(endpoint)
        except transport.Refused as exc:
            return Result("failed", str(exc)[:500])
        body = WebPusher(info).encode(data, "aes128gcm")["body"]
        headers = self._vapid_entry(origin.base)[2][bool(payload.get("urgent"))]
        self.transport.start((state, index), endpoint, headers, body)
        return None

    @staticmethod
    def _result(answer: transport.Response | transport.TransportError | Result) -> Result:
        if isinstance(answer, Result):
            return answer
        if isinstance(answer, transport.Refused):  # a private address stays private: no retry
            return Result("failed", str(answer)[:500])
        if isinstance(answer, transport.TransportError):  # refused, reset, timed out, unreadable: try again later
            return Result("retry", f"connection: {answer}"[:500])
        if answer.status > 202:  # a redirect too: not followed (it would lead past the address check)
            return classify(answer.status, f"{answer.status} {answer.reason}", answer.headers.get("retry-after"))
        return Result("sent")

    @staticmethod
    def _settle(state: _Batch, index: int, result: Result) -> None:
        state.results[index] = result
        state.remaining -= 1
        if not state.remaining:
            state.done.set_result(state.results)

    def _run(self) -> None:
        """The lanes' thread: start jobs on free lanes, move the transfers on, settle what finished."""
        lanes = self.transport
        while True:
            while self._calls:
                future, function = self._calls.popleft()
                try:
                    future.set_result(function())
                except Exception as exc:
                    future.set_exception(exc)
            while lanes.free and self._work:
                state, index, (payload, info) = self._work.popleft()
                try:
                    result = self._start(state, index, payload, info)
                except Exception as exc:  # e.g. keys pywebpush cannot use: this job is retried, the lanes go on
                    result = Result("retry", f"{type(exc).__name__}: {exc}"[:500])
                if result is not None:
                    self._settle(state, index, result)
            if not lanes.busy:
                with self._wake:
                    if not self._work and not self._calls:
                        if self._closing:
                            break
                        self._wake.wait()
                continue
            try:
                finished = lanes.poll(self.IDLE_POLL if lanes.free else 1.0)
            except Exception as exc:  # libcurl itself failed: what is in flight is tried again later
                log.exception("push transport failed")
                failed = Result("retry", f"transport: {type(exc).__name__}: {exc}"[:500])
                finished = [(key, failed) for key in lanes.abandon()]
            for (state, index), answer in finished:
                self._settle(state, index, self._result(answer))
        lanes.close()

    def _submit(self) -> None:
        with self._wake:
            self._wake.notify()

    def send_batch(self, jobs: list[Job]) -> list[Result]:
        """Encrypt, sign and POST every job; classify each push service answer."""
        if not jobs:
            return []
        if self._closing:
            raise RuntimeError("the push channel is closed")
        state = _Batch([Result("retry", "not sent")] * len(jobs), len(jobs), Future())
        self._work.extend((state, index, job) for index, job in enumerate(jobs))
        self._submit()
        return state.done.result()

    def send(self, payload: dict, subscription: dict) -> Result:
        """One message (convenience for callers outside the worker)."""
        return self.send_batch([(payload, subscription)])[0]

    def run_in_thread(self, function):
        """Call `function` in the channel's thread, between transfers, and return its result (bench/push.py's profiler)."""
        future = Future()
        self._calls.append((future, function))
        self._submit()
        return future.result(timeout=10)

    def close(self) -> None:
        """Finish the jobs already given, close the connections and stop the thread."""
        with self._wake:
            self._closing = True
            self._wake.notify()
        self.thread.join(timeout=30)
