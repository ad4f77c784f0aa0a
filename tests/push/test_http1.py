"""The push worker's HTTP/1.1 client against real local servers: keep-alive, framing, stale connections, timeouts."""
import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.push import http1


class Server:
    """A local HTTP/1.1 server answering each request with the next scripted reply (raw bytes, or None: close)."""

    def __init__(self, replies):
        self.replies, self.requests, self.connections, self.writers = list(replies), [], 0, []

    async def __aenter__(self):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.origin, _ = http1.split(f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/push/x")
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        for writer in self.writers:
            writer.transport.abort()
        await self.server.wait_closed()
        await asyncio.sleep(0.01)  # let both sides' transports finish closing

    async def handle(self, reader, writer):
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                self.requests.append(head + await reader.readexactly(length))
                reply = self.replies.pop(0)
                if reply is None:  # hang up without answering this one
                    break
                if reply == b"silence":  # answers nothing until the test ends
                    await reader.read()
                    break
                writer.write(reply)
                await writer.drain()
                if self.replies and self.replies[0] == b"close-idle":  # the server's keep-alive timeout
                    self.replies.pop(0)
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def request(origin, body=b"x"):
    return b"POST /push/x HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n%s" % (origin.netloc.encode(), len(body), body)


CREATED = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"


def run(coro):
    """Run `coro` on a fresh event loop in its own thread: when the browser tests ran first in this
    process, Playwright's loop is still current in the main thread and asyncio.run() refuses."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_requests_reuse_one_keep_alive_connection():
    async def go():
        async with Server([CREATED, CREATED, CREATED]) as server:
            pool = http1.Pool(timeout=5)
            statuses = [(await pool.request(server.origin, request(server.origin))).status for _ in range(3)]
            pool.close()
            return statuses, server.connections, len(server.requests)

    assert run(go()) == ([201, 201, 201], 1, 3)


def test_chunked_bodies_interim_answers_and_connection_close_are_read():
    replies = [
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\nbad \r\n4;x=1\r\nkeys\r\n0\r\nX-Trailer: 1\r\n\r\n",
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Length: 4\r\nConnection: close\r\n\r\nslow",
        CREATED,
    ]

    async def go():
        async with Server(replies) as server:
            pool = http1.Pool(timeout=5)
            answers = [await pool.request(server.origin, request(server.origin)) for _ in range(3)]
            pool.close()
            return answers, server.connections

    answers, connections = run(go())
    assert [(a.status, a.body) for a in answers] == [(400, b"bad keys"), (429, b"slow"), (201, b"")]
    assert answers[1].headers["retry-after"] == "120"
    assert connections == 2  # "Connection: close" was honoured: the third request went on a new connection


def test_a_connection_the_server_closed_while_idle_is_replaced_and_the_push_sent_once():
    async def go():
        async with Server([CREATED, b"close-idle", CREATED]) as server:
            pool = http1.Pool(timeout=5)
            first = await pool.request(server.origin, request(server.origin, b"one"))
            await asyncio.sleep(0.1)  # the server hangs up the idle connection meanwhile
            second = await pool.request(server.origin, request(server.origin, b"two"))
            pool.close()
            return first.status, second.status, server.connections, [r[-3:] for r in server.requests]

    assert run(go()) == (201, 201, 2, [b"one", b"two"])


def test_no_answer_is_an_error_not_a_delivery():
    async def go():
        async with Server([None, b"silence"]) as server:
            pool = http1.Pool(timeout=0.5)
            errors = []
            for _ in range(2):  # hung up on a new connection; then no answer before the timeout
                with pytest.raises(http1.HTTPError) as caught:
                    await pool.request(server.origin, request(server.origin))
                errors.append(str(caught.value))
            pool.close()
            return errors

    hung_up, silent = run(go())
    assert "closed" in hung_up and "timed out" in silent


def test_a_refused_connection_is_an_os_error():
    async def go():
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        origin, _ = http1.split(f"http://127.0.0.1:{port}/push/x")
        with pytest.raises(OSError):
            await http1.Pool(timeout=5).request(origin, request(origin))

    run(go())


@pytest.mark.parametrize("url", ["ftp://push.example/x", "https://push.example/a b", "https://push.example?x",
                                 "https://user:pw@push.example/x", "https://push.example:99999/x"])
def test_unusable_endpoints_are_refused_before_sending(url):
    with pytest.raises(http1.HTTPError):
        http1.split(url)


def test_split_keeps_the_path_and_query():
    origin, path = http1.split("https://fcm.googleapis.com/fcm/send/abc:DEF-1?x=1")
    assert (origin.host, origin.port, origin.base, path) == (
        "fcm.googleapis.com", 443, "https://fcm.googleapis.com", "/fcm/send/abc:DEF-1?x=1")


def self_signed(tmp_path):
    """A certificate for 127.0.0.1 and its key, as files, for a local TLS server."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "push.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_https_push_services_are_reached_over_verified_tls(tmp_path):
    import ssl

    cert_file, key_file = self_signed(tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert_file, key_file)
    trusting = ssl.create_default_context(cafile=str(cert_file))  # verifies the chain and the address

    async def go():
        received = []

        async def handle(reader, writer):
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                received.append(head)
                await reader.readexactly(1)
                writer.write(CREATED)
                await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_tls)
        origin, _ = http1.split(f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/push/x")
        pool = http1.Pool(timeout=5, ssl_context=trusting)
        statuses = [(await pool.request(origin, request(origin))).status for _ in range(2)]
        with pytest.raises(ssl.SSLCertVerificationError):  # a certificate nobody vouches for is refused
            await http1.Pool(timeout=5).request(origin, request(origin))
        pool.close()
        server.close()
        await server.wait_closed()
        await asyncio.sleep(0.05)
        return statuses, len(received)

    assert run(go()) == ([201, 201], 2)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_public_only_pool_never_connects_inside_the_network(host):
    """Where a browser's subscription leads is the subscriber's choice: the worker's pool checks it resolves
    to a public address, so a name pointing at 127.0.0.1 or 10.x is never connected to."""
    async def go():
        async with Server([CREATED]) as server:
            port = server.server.sockets[0].getsockname()[1]
            origin, _ = http1.split(f"http://{host}:{port}/push/x")
            with pytest.raises(http1.Refused):
                await http1.Pool(timeout=5, public_only=True).request(origin, request(origin))
            return server.connections

    assert run(go()) == 0
