"""How a push reaches a push service: a POST over HTTP/1.1 with libcurl (pycurl), keep-alive, verified TLS.

libcurl does the HTTP: it writes the request, parses the answer (status, headers, Content-Length or
chunked bodies, interim 1xx answers), keeps connections alive per origin, resolves names, speaks
TLS, and sends a request once more on a new connection when a reused keep-alive connection was
closed by the server before answering (nothing was answered on it, so almost surely nothing was
delivered; should a push service have taken it just before closing, the phone shows one
notification: the second carries the same tag and replaces the first). A curl "multi" handle
drives up to `limit` transfers at once from one thread, with the GIL released while it waits and
while it reads and writes sockets, so the Python cost of a push is a few option calls.

What a push worker adds on top:

- an address check at send time: subscriptions come from browsers, so anyone signed in chooses where
  the worker connects. With `public_only`, libcurl asks us for each socket it is about to connect,
  with the address it resolved, and a loopback, private, link-local or reserved address is refused
  (`Refused`) before any packet is sent; the connection goes to the very address checked (no second
  lookup to rebind), and an IP literal is checked the same way.
- no redirects (libcurl follows none unless asked; a push service answers, it does not redirect,
  and a redirect would lead past the check), no proxies from the environment, no cookies, no
  netrc, http and https only.
- errors in two kinds: `Refused` (never sent, not worth retrying) and `TransportError` (refused,
  reset, timed out, unreadable answer: the worker tries again later).

Why not aiohttp (already installed, for pywebpush): measured side by side in bench/push.py, its
request path cost the worker ~115–160 µs of CPU per push more than the hand-written HTTP/1.1
client this module replaced, against ~150 µs for the encryption itself, which left the fan-out at
36–46 % of the encryption-only rate (about three quarters of the hand-written client's rate); with
libcurl the worker costs what it did with the hand-written client (bench/RESULTS.md, 4 Dec 2026).
"""
from __future__ import annotations

import ipaddress
import selectors
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pycurl

IDLE_SECONDS = 15  # do not reuse connections idle longer: a server's keep-alive timeout (often 30–120 s) may close them
MAX_BODY = 64 * 1024  # of an answer's body (an error text) kept; the rest is read and dropped
# Headers libcurl would add by itself and a push service does not need: removed (an empty value removes one).
NO_DEFAULT_HEADERS = ["Accept:", "Expect:", "User-Agent:"]


# what libcurl waits for on a socket (its socket callback) -> what the selector watches
WAIT_FOR = {pycurl.POLL_IN: selectors.EVENT_READ, pycurl.POLL_OUT: selectors.EVENT_WRITE,
            pycurl.POLL_INOUT: selectors.EVENT_READ | selectors.EVENT_WRITE}


class TransportError(Exception):
    """The push did not get an answer: refused, reset, timed out, or unreadable (it is retried later)."""


class Refused(TransportError):
    """The push service's address is inside a private network, or its URL unusable: never sent, not retried."""


@dataclass(frozen=True, slots=True)
class Origin:
    """A push service's "scheme://netloc": what the connection is to, and a VAPID token's aud."""

    base: str


_origins: dict[str, Origin] = {}  # "https://host:port" -> Origin; a worker meets a handful of push services


def origin_of(url: str) -> Origin:
    """The origin of an absolute http(s) push endpoint; Refused when the URL cannot be used as it is."""
    scheme, _, rest = url.partition("://")
    key = f"{scheme}://{rest.partition('/')[0]}"
    origin = _origins.get(key)
    if origin is None:
        parts = urlsplit(key)
        try:
            port = parts.port
        except ValueError:
            port = 0
        if (parts.scheme not in ("http", "https") or not parts.hostname or port == 0
                or parts.username or parts.password or parts.path or parts.query or parts.fragment):
            raise Refused(f"not an http(s) URL: {url[:100]}")
        origin = Origin(key)
        if len(_origins) < 1000:
            _origins[key] = origin
    if not (url.isascii() and url.isprintable()) or " " in url:  # it goes into the request line as it is
        raise Refused(f"URL must be printable ASCII: {url[:100]}")
    return origin


class Response:
    """A push service's answer: status, reason, headers (lower-case names) and body (empty for most)."""

    __slots__ = ("_head", "_lines", "body", "status")

    def __init__(self, status: int, lines: list[bytes], body: bytes):
        self.status, self.body, self._lines, self._head = status, body, lines, None

    def _parse(self) -> tuple[str, dict[str, str]]:
        # libcurl hands over every header line, those of interim (1xx) answers too: keep the last answer's
        if self._head is None:
            reason, headers = "", {}
            for raw in self._lines:
                line = raw.decode("latin-1").strip()
                if line.startswith("HTTP/"):
                    reason, headers = line.split(" ", 2)[2] if line.count(" ") >= 2 else "", {}
                elif ":" in line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            self._head = reason, headers
        return self._head

    @property
    def reason(self) -> str:
        """The status line's reason phrase ("Created", "Gone" …)."""
        return self._parse()[0]

    @property
    def headers(self) -> dict[str, str]:
        """The answer's headers, lower-case names (read only when asked: a 201 needs none)."""
        return self._parse()[1]


def default_ca() -> dict[int, str]:
    """The certificates Python's ssl module trusts (SSL_CERT_FILE / SSL_CERT_DIR, else the system's), for libcurl."""
    paths = ssl.get_default_verify_paths()
    return {option: path for option, path in ((pycurl.CAINFO, paths.cafile), (pycurl.CAPATH, paths.capath)) if path}


def is_public(address: str) -> bool:
    """Whether an IP address is reachable on the public internet (not loopback, private, link-local, reserved)."""
    return ipaddress.ip_address(address.partition("%")[0]).is_global


class Transport:
    """Up to `limit` POSTs in flight at once on one libcurl multi handle; use it from one thread only.

    `start` begins a POST, `poll` moves the transfers on and returns those finished, each with the
    key it was started with, as a Response or a TransportError. `free` says how many more can start.
    """

    def __init__(self, *, limit: int = 64, timeout: float = 10.0, ca_file: str | None = None,
                 public_only: bool = False):
        self.public_only = public_only
        self.multi = pycurl.CurlMulti()
        self.multi.setopt(pycurl.M_MAX_TOTAL_CONNECTIONS, limit)
        self.multi.setopt(pycurl.M_MAXCONNECTS, limit)  # idle connections kept for reuse
        # libcurl says which sockets to watch and when to call it back; the selector (epoll) waits for them
        self.selector = selectors.DefaultSelector()
        self.deadline: float | None = None  # when libcurl wants to be called back without a socket event
        self.watched: dict[int, int] = {}  # fd -> the selector events it is registered for
        self.multi.setopt(pycurl.M_SOCKETFUNCTION, self._watch)
        self.multi.setopt(pycurl.M_TIMERFUNCTION, self._timer)
        ca = {pycurl.CAINFO: ca_file} if ca_file else default_ca()
        self.handles = [self._handle(int(timeout * 1000), ca) for _ in range(limit)]
        self.idle = list(self.handles)
        self.busy = 0
        self.opened: list[socket.socket] = []  # sockets handed to libcurl, which keeps a duplicate of each

    @property
    def free(self) -> int:
        """How many more POSTs can start now."""
        return len(self.idle)

    def _handle(self, timeout_ms: int, ca: dict[int, str]) -> pycurl.Curl:
        handle = pycurl.Curl()
        for option, value in ((pycurl.NOSIGNAL, 1), (pycurl.TIMEOUT_MS, timeout_ms),
                              (pycurl.CONNECTTIMEOUT_MS, timeout_ms), (pycurl.MAXAGE_CONN, IDLE_SECONDS),
                              (pycurl.HTTP_VERSION, pycurl.CURL_HTTP_VERSION_1_1),
                              (pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS),
                              (pycurl.FOLLOWLOCATION, 0), (pycurl.PROXY, ""), (pycurl.PATH_AS_IS, 1), *ca.items()):
            handle.setopt(option, value)
        handle.lines, handle.body, handle.key, handle.refused = [], bytearray(), None, ""
        handle.setopt(pycurl.HEADERFUNCTION, handle.lines.append)  # a C-level call per header line
        handle.setopt(pycurl.WRITEFUNCTION, lambda chunk, body=handle.body: body.extend(chunk[:MAX_BODY - len(body)]))
        if self.public_only:
            handle.setopt(pycurl.OPENSOCKETFUNCTION, lambda purpose, address, handle=handle: self._open(handle, address))
        return handle

    def _open(self, handle: pycurl.Curl, address) -> socket.socket | int:
        """The socket libcurl asked for, for a new connection; SOCKET_BAD (no connection) when the address is not public."""
        host = address.addr[0]
        if not is_public(host):
            handle.refused = host
            return pycurl.SOCKET_BAD
        opened = socket.socket(address.family, address.socktype, address.protocol)
        self.opened.append(opened)  # pycurl connects a duplicate of it: ours is closed once libcurl returns
        return opened

    def start(self, key, url: str, headers: list[str], body: bytes) -> None:
        """Begin POSTing `body` to `url` (checked by `origin_of`) with `headers` ("Name: value"); needs `free`.

        `key` (anything but None) comes back with the answer from `poll`.
        """
        handle = self.idle.pop()
        handle.key, handle.refused = key, ""
        handle.lines.clear()
        handle.body.clear()
        handle.setopt(pycurl.URL, url)
        handle.setopt(pycurl.HTTPHEADER, headers)
        handle.setopt(pycurl.POSTFIELDS, body)
        self.multi.add_handle(handle)
        self.busy += 1

    def poll(self, wait: float) -> list[tuple[object, Response | TransportError]]:
        """Move the transfers on; when none has finished, wait up to `wait` seconds for the network first."""
        finished = self._finished()
        if finished or not self.busy:
            return finished
        now = time.monotonic()
        if self.deadline is not None and self.deadline <= now:
            self._act(pycurl.SOCKET_TIMEOUT, 0)  # libcurl's own timers: start new transfers, timeouts
            finished = self._finished()
            if finished:
                return finished
        timeout = wait if self.deadline is None else min(wait, max(self.deadline - time.monotonic(), 0))
        for key, events in self.selector.select(timeout):  # the GIL is released while it waits
            self._act(key.fd, (pycurl.CSELECT_IN if events & selectors.EVENT_READ else 0)
                      | (pycurl.CSELECT_OUT if events & selectors.EVENT_WRITE else 0))
        if self.deadline is not None and self.deadline <= time.monotonic():
            self._act(pycurl.SOCKET_TIMEOUT, 0)
        return self._finished()

    def _act(self, fd: int, events: int) -> None:
        while self.multi.socket_action(fd, events)[0] == pycurl.E_CALL_MULTI_PERFORM:
            pass
        while self.opened:
            self.opened.pop().close()

    def _watch(self, what: int, fd: int, multi, data) -> None:
        """Watch `fd` for what libcurl now waits for on it, or stop watching it (its socket callback)."""
        registered = fd in self.watched
        if what == pycurl.POLL_REMOVE:
            if registered:
                self.selector.unregister(fd)
                del self.watched[fd]
            return
        events = WAIT_FOR[what]
        if not registered:
            self.selector.register(fd, events)
        elif self.watched[fd] != events:
            try:
                self.selector.modify(fd, events)
            except OSError:  # closed and opened again under the same number before libcurl said so: anew
                self.selector.unregister(fd)
                self.selector.register(fd, events)
        self.watched[fd] = events

    def _timer(self, milliseconds: int) -> None:
        """Call libcurl back (SOCKET_TIMEOUT) in `milliseconds`, or never when -1 (its timer callback)."""
        self.deadline = None if milliseconds < 0 else time.monotonic() + milliseconds / 1000

    def _finished(self) -> list[tuple[object, Response | TransportError]]:
        finished = []
        while True:
            queued, ok, failed = self.multi.info_read()
            for handle in ok:
                finished.append((handle.key, Response(handle.getinfo(pycurl.RESPONSE_CODE), list(handle.lines),
                                                      bytes(handle.body))))
                self._release(handle)
            for handle, code, message in failed:
                error = (Refused(f"{handle.refused} is not a public address") if handle.refused
                         else TransportError(f"curl error {code}: {message}"))
                finished.append((handle.key, error))
                self._release(handle)
            if not queued:
                return finished

    def _release(self, handle: pycurl.Curl) -> None:
        self.multi.remove_handle(handle)
        handle.key = None
        self.idle.append(handle)
        self.busy -= 1

    def abandon(self) -> list:
        """Stop every transfer in flight (libcurl failed under them); returns their keys."""
        keys = []
        for handle in self.handles:
            if handle.key is not None:
                keys.append(handle.key)
                self._release(handle)
        return keys

    def close(self) -> None:
        """Abandon the transfers in flight and close every connection."""
        for handle in self.handles:
            if handle.key is not None:
                self.multi.remove_handle(handle)
            handle.close()
        self.multi.close()
        self.selector.close()
