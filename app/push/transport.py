"""How a push reaches a push service: one POST over aiohttp's HTTP/1.1 client, keep-alive, verified TLS.

A push is a small POST whose answer is a status and, almost always, an empty body. aiohttp's client
(its C parser for the answers, its pool of keep-alive connections, its TLS) does the HTTP; this
module only sets it up for that one job and adds what a push worker needs on top:

- an address check at send time: subscriptions come from browsers, so anyone signed in chooses where
  the worker connects. With `public_only`, a host that resolves to a loopback, private or link-local
  address is refused (`Refused`), by a resolver that checks every address it returns, so the
  connection goes to an address that was checked (no second lookup to rebind); an IP literal is
  checked here, as aiohttp does not resolve those. Redirects are never followed: a push service
  answers, it does not redirect, and a redirect would lead past the check.
- a reused keep-alive connection that the server closed before answering gets the push once more on
  a new connection: nothing was answered on it, so almost surely nothing was delivered (should a
  push service have taken it just before closing, the phone shows one notification: the second
  carries the same tag and replaces the first). aiohttp itself never resends a POST.
- errors in two kinds: `Refused` (never sent, not worth retrying) and `TransportError` (refused,
  reset, timed out, an unreadable answer: the worker tries again later).

Per request it asks aiohttp for as little as it can: no cookie jar, no decompression, no
automatic Accept / Accept-Encoding / User-Agent, the URL taken as already encoded, the body as one
bytes payload, and the answer's body read only when there is one. The caller bounds concurrency
(the channel's lanes); the connector's limit is the same number, as a safety net.
"""
from __future__ import annotations

import contextvars
import ipaddress
import socket
import ssl
import weakref
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.payload import BytesPayload
from yarl import URL

IDLE_SECONDS = 15.0  # drop idle connections before a server's keep-alive timeout (often 30–120 s) closes them
DNS_CACHE_SECONDS = 60  # a push service's addresses, checked once, reused this long
MAX_BODY = 64 * 1024  # of an answer's body (an error text): more is not read, and the connection is closed


class TransportError(Exception):
    """The push did not get an answer: refused, reset, timed out, or unreadable (it is retried later)."""


class Refused(TransportError):
    """The push service's address is inside a private network, or its URL unusable: never sent, not retried."""


@dataclass(frozen=True, slots=True)
class Origin:
    """A push service: "scheme://netloc" (also a VAPID token's aud), and whether its host is a private IP literal."""

    base: str
    host: str
    private_literal: bool


@dataclass(slots=True)
class Response:
    """A push service's answer: status, reason, headers (case-insensitive names) and body (empty for most)."""

    status: int
    reason: str
    headers: object  # aiohttp's CIMultiDictProxy: headers["retry-after"]
    body: bytes


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
            port = -1
        if (parts.scheme not in ("http", "https") or not parts.hostname or port == -1 or port == 0
                or parts.username or parts.password or parts.path or parts.query or parts.fragment):
            raise Refused(f"not an http(s) URL: {url[:100]}")
        try:
            private = not ipaddress.ip_address(parts.hostname).is_global
        except ValueError:  # a name: the resolver checks where it leads, at each connection
            private = False
        origin = Origin(key, parts.hostname, private)
        if len(_origins) < 1000:
            _origins[key] = origin
    if not (url.isascii() and url.isprintable()) or " " in url:  # it goes into the request line as it is
        raise Refused(f"URL must be printable ASCII: {url[:100]}")
    return origin


class PublicResolver(AbstractResolver):
    """Resolves with aiohttp's threaded resolver and refuses a name when any address is not public."""

    def __init__(self):
        self.inner = aiohttp.ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET):
        """The addresses of `host`; Refused if one of them is loopback, private, link-local or reserved."""
        hosts = await self.inner.resolve(host, port, family)
        if not hosts or not all(ipaddress.ip_address(h["host"].partition("%")[0]).is_global for h in hosts):
            raise Refused(f"{host} is not a public address")
        return hosts

    async def close(self) -> None:
        """Release the inner resolver."""
        await self.inner.close()


_reused: contextvars.ContextVar[bool] = contextvars.ContextVar("push_connection_reused", default=False)


class _Connector(aiohttp.TCPConnector):
    """aiohttp's TCP connector, noting (for the request asking) whether the connection it gives was used before."""

    def __init__(self, **options):
        super().__init__(**options)
        self._used = weakref.WeakSet()

    async def connect(self, req, traces, timeout):
        """Get a connection as aiohttp does; mark the connection as used, and tell the request whether it already was."""
        connection = await super().connect(req, traces, timeout)
        protocol = connection.protocol
        _reused.set(protocol in self._used)  # the request's own task: the caller reads it after an error
        self._used.add(protocol)
        return connection


class Transport:
    """POSTs pushes with one aiohttp session; create, use and close it in the event loop that runs it."""

    def __init__(self, *, limit: int = 64, timeout: float = 10.0, ssl_context: ssl.SSLContext | None = None,
                 public_only: bool = False):
        self.public_only = public_only
        self.connector = _Connector(
            limit=limit, keepalive_timeout=IDLE_SECONDS, ttl_dns_cache=DNS_CACHE_SECONDS,
            ssl=ssl_context if ssl_context is not None else True,
            resolver=PublicResolver() if public_only else None)
        self.session = aiohttp.ClientSession(
            connector=self.connector, timeout=aiohttp.ClientTimeout(total=timeout),
            cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False,
            skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent"))

    async def post(self, origin: Origin, url: str, headers, body: bytes) -> Response:
        """POST `body` to `url` (at `origin`, from `origin_of`) and return the answer; raises TransportError."""
        if self.public_only and origin.private_literal:
            raise Refused(f"{origin.host} is not a public address")
        try:
            try:
                return await self._post(url, headers, body)
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
                if not _reused.get():
                    raise
            return await self._post(url, headers, body)  # once more, on a new connection
        except TransportError:
            raise
        except ssl.SSLError as exc:
            raise TransportError(f"TLS: {exc}") from exc
        except aiohttp.ServerDisconnectedError as exc:
            raise TransportError(f"connection closed: {exc}") from exc
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutError too
            raise TransportError(f"timed out waiting for {origin.base}") from exc
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc

    async def _post(self, url: str, headers, body: bytes) -> Response:
        _reused.set(False)
        async with self.session.post(URL(url, encoded=True), data=BytesPayload(body), headers=headers,
                                     allow_redirects=False) as response:
            content = response.content
            data = b"" if content.at_eof() else await _read(content)
            return Response(response.status, response.reason or "", response.headers, data)

    async def close(self) -> None:
        """Close the session and its connections."""
        await self.session.close()


async def _read(content: aiohttp.StreamReader) -> bytes:
    """The answer's body, at most MAX_BODY bytes (past that the connection is not reused)."""
    chunks, size = [], 0
    while size < MAX_BODY and not content.at_eof():
        chunk = await content.read(MAX_BODY - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
