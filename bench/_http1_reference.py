"""THE MEASURING REFERENCE, not used by the app: the hand-written HTTP/1.1 client the push worker used
until Dec 2026 (app/push/http1.py at commit c074d70), kept here only so that bench/push.py can
measure it beside the library that replaced it (libcurl through pycurl, app/push/transport.py) in
the same run: `bench/push.py` sends each round with both and prints what the library costs. Do not
import it from app/; do not fix it: it is the yardstick. Its channel (`HandWrittenChannel`, at the
end) is that commit's WebPushChannel, unchanged but for its name: asyncio lanes on one event loop.

The old module's docstring follows.

A lean HTTP/1.1 client for push services: keep-alive connections per origin, one request at a time on each.

Why not aiohttp: a push is one small POST whose answer is a status and an empty body, and aiohttp
spends more Python per request (URL objects, header multidicts, a task, a response object with its
stream) than the message's own encryption costs, which made the HTTP client, not the cryptography,
the worker's bottleneck. This client writes the request in one buffer and parses the status line,
the headers and a Content-Length or chunked body itself. It does what a push needs and nothing
else: no redirects (push services answer, they do not redirect), no cookies, no proxies, no HTTP/2.

The caller bounds concurrency (the channel runs a fixed number of lanes, each holding at most one
connection), so the pool only keeps idle connections per origin.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

IDLE_SECONDS = 15.0  # drop idle connections before a server's keep-alive timeout (often 30–120 s) closes them
MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024


class HTTPError(OSError):
    """The connection failed, timed out or the answer was not HTTP/1.1 we can read (the push is retried)."""


class Refused(HTTPError):
    """The push service's name leads into a private network: never sent (and not worth retrying)."""


class _Stale(HTTPError):
    """A reused keep-alive connection was closed before any answer: safe to send again on a new one."""


@dataclass(frozen=True)
class Origin:
    """Where to connect: scheme, host, port, the Host header, and "scheme://netloc" (a VAPID token's aud)."""

    scheme: str
    host: str
    port: int
    netloc: str
    base: str


_origins: dict[str, Origin] = {}  # "https://host:port" -> Origin; a worker meets a handful of push services


def split(url: str) -> tuple[Origin, str]:
    """(origin, path with query) of an absolute http(s) URL; each origin is parsed once (urlsplit is slow)."""
    scheme, _, rest = url.partition("://")
    netloc, _, path = rest.partition("/")
    key = f"{scheme}://{netloc}"
    origin = _origins.get(key)
    if origin is None:
        parts = urlsplit(key)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            port = 0
        if (parts.scheme not in ("http", "https") or not parts.hostname or not port or parts.username
                or parts.password or parts.path or parts.query or parts.fragment):
            raise HTTPError(f"not an http(s) URL: {url[:100]}")
        origin = Origin(parts.scheme, parts.hostname, port, parts.netloc, key)
        if len(_origins) < 1000:
            _origins[key] = origin
    path = "/" + path.partition("#")[0]
    if not (path.isascii() and path.isprintable()) or " " in path:  # it goes into the request line as it is
        raise HTTPError(f"URL path must be printable ASCII: {url[:100]}")
    return origin, path


@dataclass
class Response:
    """A push service's answer."""

    status: int
    reason: str
    headers: dict[str, str]  # lower-case names
    body: bytes


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection; `roundtrip` sends a request and waits for its whole response."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.closed = False
        self.eof = False
        self.used = 0  # requests answered on this connection
        self.idle_since = time.monotonic()

    # asyncio.Protocol
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._wake()

    def eof_received(self):
        self.eof = True
        self._wake()
        return False  # close the transport

    def connection_lost(self, exc) -> None:
        self.closed = self.eof = True
        self._wake(exc)

    def _wake(self, exc: BaseException | None = None) -> None:
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        try:
            response = _parse(self.buffer, self.eof)
        except HTTPError as error:
            waiter.set_exception(error)
            return
        if response is not None:
            waiter.set_result(response)
        elif self.eof:
            lost = f"connection closed: {exc}" if exc else "connection closed"
            waiter.set_exception(_Stale(lost) if self.used and not self.buffer else HTTPError(lost))

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    async def roundtrip(self, request: bytes) -> tuple[Response, bool]:
        """Send `request`, return (response, whether the connection may be reused); the pool times it out."""
        if self.closed:
            raise _Stale("connection closed")
        self.waiter = self.loop.create_future()
        self.transport.write(request)
        try:
            response, keep_alive = await self.waiter
        finally:
            self.waiter = None
        self.used += 1
        self.idle_since = time.monotonic()
        return response, keep_alive

    def time_out(self) -> None:
        """Give up on the request in flight (its answer may still come: the connection is closed)."""
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(HTTPError("timed out waiting for the push service"))
        self.close()


def _parse(buffer: bytearray, eof: bool) -> tuple[Response, bool] | None:
    """Take one whole response off the front of `buffer`; None while it is incomplete."""
    while True:
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > MAX_HEAD:
                raise HTTPError("response head too large")
            return None
        lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
        version, _, rest = lines[0].partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise HTTPError(f"not an HTTP/1.x response: {lines[0][:80]!r}")
        status = int(code)
        if 100 <= status < 200:  # an interim answer (100 Continue): the real one follows
            del buffer[:end + 4]
            continue
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        break
    start = end + 4
    keep_alive = version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body, stop = _chunked(buffer, start)
        if stop is None:
            return None
    elif "content-length" in headers:
        length = int(headers["content-length"]) if headers["content-length"].isdigit() else -1
        if not 0 <= length <= MAX_BODY:
            raise HTTPError("bad Content-Length")
        if len(buffer) < start + length:
            return None
        body, stop = bytes(buffer[start:start + length]), start + length
    elif status in (204, 304):
        body, stop = b"", start
    else:  # no framing: the body runs to the end of the connection
        if not eof:
            return None
        body, stop, keep_alive = bytes(buffer[start:]), len(buffer), False
    del buffer[:stop]
    return Response(status, reason, headers, body), keep_alive


def _chunked(buffer: bytearray, pos: int) -> tuple[bytes, int | None]:
    """A chunked body from `pos`: (body, where the response ends), or (b"", None) while incomplete."""
    body = bytearray()
    while True:
        line_end = buffer.find(b"\r\n", pos)
        if line_end < 0:
            return b"", None
        size_text = bytes(buffer[pos:line_end]).split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise HTTPError("bad chunk size") from None
        pos = line_end + 2
        if size == 0:  # trailers (usually none) end with an empty line
            if buffer[pos:pos + 2] == b"\r\n":
                return bytes(body), pos + 2
            trailers_end = buffer.find(b"\r\n\r\n", pos)
            return (bytes(body), trailers_end + 4) if trailers_end >= 0 else (b"", None)
        if len(buffer) < pos + size + 2:
            return b"", None
        body += buffer[pos:pos + size]
        if len(body) > MAX_BODY:
            raise HTTPError("response body too large")
        pos += size + 2


class Pool:
    """Idle keep-alive connections per origin; opens new ones on demand (the caller bounds how many)."""

    def __init__(self, *, timeout: float = 10.0, ssl_context: ssl.SSLContext | None = None,
                 public_only: bool = False):
        self.timeout = timeout
        self.ssl_context = ssl_context
        # Subscriptions come from browsers, so anyone signed in chooses where the worker connects:
        # with public_only, a name that resolves to a loopback, private or link-local address is
        # refused, and the connection goes to the very address checked (no second lookup to rebind).
        self.public_only = public_only
        self.idle: dict[Origin, deque[_Connection]] = {}
        # Requests in flight and when each times out. One watchdog checks them a few times per
        # timeout, instead of a timer per request (each a heap push and a cancel in the event loop).
        self.deadlines: dict[_Connection, float] = {}
        self.watchdog: asyncio.TimerHandle | None = None

    def _watch(self) -> None:
        now = asyncio.get_running_loop().time()
        for connection, deadline in list(self.deadlines.items()):
            if deadline <= now:
                connection.time_out()
        self.watchdog = None
        if self.deadlines:
            self._arm()

    def _arm(self) -> None:
        if self.watchdog is None:
            self.watchdog = asyncio.get_running_loop().call_later(min(1.0, self.timeout / 4), self._watch)

    async def _roundtrip(self, connection: _Connection, request: bytes) -> tuple[Response, bool]:
        self.deadlines[connection] = asyncio.get_running_loop().time() + self.timeout
        self._arm()
        try:
            return await connection.roundtrip(request)
        finally:
            del self.deadlines[connection]

    async def _connect(self, origin: Origin) -> _Connection:
        loop = asyncio.get_running_loop()
        tls = None
        if origin.scheme == "https":
            tls = self.ssl_context or ssl.create_default_context()
            self.ssl_context = tls
        host, server_hostname = origin.host, None
        try:
            if self.public_only:
                host = await asyncio.wait_for(self._public_address(origin), self.timeout)
                server_hostname = origin.host if tls else None
            _transport, connection = await asyncio.wait_for(
                loop.create_connection(lambda: _Connection(loop), host, origin.port, ssl=tls,
                                       server_hostname=server_hostname),
                self.timeout)
        except TimeoutError:
            raise HTTPError(f"timed out connecting to {origin.netloc}") from None
        return connection

    async def _public_address(self, origin: Origin) -> str:
        """The first address `origin.host` resolves to, or Refused when any of them is not public."""
        infos = await asyncio.get_running_loop().getaddrinfo(origin.host, origin.port, type=socket.SOCK_STREAM)
        addresses = [info[4][0] for info in infos]
        if not addresses or not all(ipaddress.ip_address(a.partition("%")[0]).is_global for a in addresses):
            raise Refused(f"{origin.host} is not a public address")
        return addresses[0]

    def _idle_connection(self, origin: Origin) -> _Connection | None:
        idle = self.idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()  # the most recently used: least likely to have been closed
            if (not connection.closed and not connection.eof and not connection.buffer
                    and now - connection.idle_since < IDLE_SECONDS):
                return connection
            connection.close()
        return None

    async def request(self, origin: Origin, request: bytes) -> Response:
        """Send a complete request (head and body) to `origin` and return the response.

        A reused connection the server closed while idle gets the request again on a new
        connection, once: nothing was answered on it, so almost surely nothing was delivered (and
        should a push service have taken it just before closing, the phone shows one notification:
        the second carries the same tag and replaces the first).
        """
        connection = self._idle_connection(origin)
        if connection is not None:
            try:
                response, keep_alive = await self._roundtrip(connection, request)
            except _Stale:
                connection.close()
            except BaseException:
                connection.close()
                raise
            else:
                self._release(origin, connection, keep_alive)
                return response
        connection = await self._connect(origin)
        try:
            response, keep_alive = await self._roundtrip(connection, request)
        except BaseException:
            connection.close()
            raise
        self._release(origin, connection, keep_alive)
        return response

    def _release(self, origin: Origin, connection: _Connection, keep_alive: bool) -> None:
        if keep_alive and not connection.closed and not connection.eof and not connection.buffer:
            self.idle.setdefault(origin, deque()).append(connection)
        else:
            connection.close()

    def close(self) -> None:
        """Close every idle connection and stop the watchdog."""
        if self.watchdog is not None:
            self.watchdog.cancel()
            self.watchdog = None
        for idle in self.idle.values():
            while idle:
                idle.pop().close()
        self.idle.clear()


# --- the channel of commit c074d70 (app/push/channels.py's WebPushChannel), on this client, as it was -----------

import json  # noqa: E402 — the reference channel's own imports, kept apart from the copied client's
import threading  # noqa: E402
from dataclasses import field  # noqa: E402

from pywebpush import WebPusher  # noqa: E402

from app.push.channels import TTL_SECONDS, Result, classify  # noqa: E402

Job = tuple[dict, dict]
URGENCY = {True: b"high", False: b"normal"}  # RFC 8030 §5.3


@dataclass
class _Batch:
    """One send_batch call in flight: its results by position, how many are still out, and its future."""

    results: list[Result]
    remaining: int
    done: asyncio.Future
    texts: dict[int, bytes] = field(default_factory=dict)  # payload serialised once per batch


class HandWrittenChannel:
    """Web Push (RFC 8030/8291/8292): pywebpush encrypts each message, a lean HTTP/1.1 client posts it.

    Encryption (aes128gcm with a fresh ECDH key per message) is pywebpush's `WebPusher.encode`, the
    very call bench/push.py measures alone as the ceiling. The VAPID token (a signed JWT for the push
    service's origin) is reused for that origin until an hour before it expires, as RFC 8292 allows,
    instead of being signed again for each of 40,000 messages. Requests run on `pool_size` lanes of
    one event loop (kept in its own thread for the life of the channel): a lane takes the next job,
    encrypts it, posts it on a keep-alive connection and waits for the answer, so at most `pool_size`
    requests and connections are open at once without a task or semaphore per message. Batches sent
    from several threads at once share the lanes, oldest batch first.
    """

    VAPID_LIFETIME = 12 * 3600
    VAPID_RENEW_BEFORE = 3600  # sign a new token this long before the cached one expires

    name = "webpush"

    def __init__(self, vapid_key, subject: str, *, pool_size: int = 64, timeout: float = 10.0,
                 ssl_context: ssl.SSLContext | None = None, public_only: bool = False):
        self.vapid_key, self.subject, self.pool_size = vapid_key, subject, pool_size
        self.clock = time.time  # tests move it to see the token renewed
        self.pool = Pool(timeout=timeout, ssl_context=ssl_context, public_only=public_only)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="push-webpush", daemon=True)
        self.thread.start()
        self._vapid: dict[str, tuple[dict, float, bytes]] = {}
        self._work: deque[tuple[_Batch, int, Job]] = deque()  # jobs waiting for a lane, oldest batch first
        self._lanes = 0
        self._tasks: set[asyncio.Task] = set()

    def _vapid_entry(self, origin: str) -> tuple[dict, float, bytes]:
        cached = self._vapid.get(origin)
        now = self.clock()
        if cached is None or cached[1] - now < self.VAPID_RENEW_BEFORE:
            exp = int(now) + self.VAPID_LIFETIME
            headers = self.vapid_key.sign({"sub": self.subject, "aud": origin, "exp": exp})
            lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode("latin-1")
            cached = self._vapid[origin] = (headers, exp, lines)
        return cached

    def vapid_headers(self, endpoint: str) -> dict:
        """The Authorization header for the endpoint's origin (aud); its token is signed again an hour before expiry."""
        return dict(self._vapid_entry("/".join(endpoint.split("/", 3)[:3]))[0])

    async def _send(self, payload: dict, info: dict, texts: dict[int, bytes]) -> Result:
        data = texts.get(id(payload))
        if data is None:  # the same payload object is serialised once per batch
            data = texts[id(payload)] = json.dumps(payload, ensure_ascii=False).encode()
        try:
            origin, path = split(info["endpoint"])
        except HTTPError as exc:
            return Result("failed", str(exc))
        body = WebPusher(info).encode(data, "aes128gcm")["body"]
        auth = self._vapid_entry(origin.base)[2]
        request = b"".join((
            b"POST ", path.encode(), b" HTTP/1.1\r\nHost: ", origin.netloc.encode(), b"\r\n", auth,
            b"TTL: %d\r\nUrgency: %s\r\nContent-Encoding: aes128gcm\r\n" % (TTL_SECONDS, URGENCY[bool(payload.get("urgent"))]),
            b"Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % len(body), body))
        try:
            response = await self.pool.request(origin, request)
        except Refused as exc:  # a private address stays private: no retry
            return Result("failed", str(exc)[:500])
        except OSError as exc:  # refused, reset, timed out, unreadable answer: try again later
            return Result("retry", f"connection: {type(exc).__name__} {exc}"[:500])
        if response.status > 202:
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
        return asyncio.run_coroutine_threadsafe(self._batch(jobs), self.loop).result()

    def send(self, payload: dict, subscription: dict) -> Result:
        """One message (convenience for callers outside the worker)."""
        return self.send_batch([(payload, subscription)])[0]

    def close(self) -> None:
        """Close the pooled connections and stop the loop."""
        async def _close():
            self.pool.close()
            await asyncio.sleep(0)  # let the transports run their connection_lost and release their sockets
            await asyncio.sleep(0)

        asyncio.run_coroutine_threadsafe(_close(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()
