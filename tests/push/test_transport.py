"""The push worker's HTTP transport (libcurl) against real local servers: keep-alive, framing, stale
connections, timeouts, TLS, no redirects, and the address check made at send time."""
import asyncio
import threading
import time

import pytest

from app.push import transport

HEADERS = ["TTL: 60", "Content-Encoding: aes128gcm", "Content-Type: application/octet-stream",
           *transport.NO_DEFAULT_HEADERS]
CREATED = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"


class Server:
    """A local HTTP/1.1 server, in its own thread, answering each request with the next scripted reply.

    A reply is raw bytes; None hangs up without answering; b"silence" answers nothing until the test
    ends; b"close-idle" (after a reply) hangs up once that reply is sent, as a server's keep-alive
    timeout does.
    """

    def __init__(self, replies, tls=None):
        self.replies, self.tls, self.requests, self.connections, self.writers = list(replies), tls, [], 0, []

    def __enter__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

        async def start():
            return await asyncio.start_server(self.handle, "127.0.0.1", 0, ssl=self.tls)

        self.server = asyncio.run_coroutine_threadsafe(start(), self.loop).result(5)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    def url(self, path="/push/x", host="127.0.0.1"):
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}{path}"

    def __exit__(self, *exc):
        async def stop():
            self.server.close()
            for writer in self.writers:
                writer.transport.abort()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

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


@pytest.fixture
def make_transport():
    """Transports closed after the test."""
    made = []

    def make(**options):
        made.append(transport.Transport(**{"limit": 4, "timeout": 5, **options}))
        return made[-1]

    yield make
    for one in made:
        one.close()


def post(lanes, url, body=b"x", headers=HEADERS):
    """Start one POST and poll until it is answered: a Response, or the TransportError."""
    lanes.start("key", url, headers, body)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for key, answer in lanes.poll(0.05):
            assert key == "key"
            return answer
    raise AssertionError("no answer in 20 s")


def test_requests_reuse_one_keep_alive_connection_and_carry_only_the_push_headers(make_transport):
    lanes = make_transport()
    with Server([CREATED, CREATED, CREATED]) as server:
        statuses = [post(lanes, server.url("/push/x/../y?z=1"), b"body").status for _ in range(3)]
        assert (statuses, server.connections, len(server.requests)) == ([201, 201, 201], 1, 3)
    head, _, body = server.requests[0].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /push/x/../y?z=1 HTTP/1.1" and body == b"body"  # the path as the subscription has it
    assert sorted(line.split(":")[0].lower() for line in lines[1:]) == [
        "content-encoding", "content-length", "content-type", "host", "ttl"]  # no Accept, Expect nor User-Agent
    assert f"Host: 127.0.0.1:{server.port}" in lines and "Content-Length: 4" in lines


def test_chunked_bodies_interim_answers_and_connection_close_are_read(make_transport):
    replies = [
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\nbad \r\n4;x=1\r\nkeys\r\n0\r\nX-Trailer: 1\r\n\r\n",
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Length: 4\r\nConnection: close\r\n\r\nslow",
        CREATED,
    ]
    lanes = make_transport()
    with Server(replies) as server:
        answers = [post(lanes, server.url()) for _ in range(3)]
    assert [(a.status, a.reason, a.body) for a in answers] == [
        (400, "Bad Request", b"bad keys"), (429, "Too Many Requests", b"slow"), (201, "Created", b"")]
    assert answers[1].headers["retry-after"] == "120"
    assert server.connections == 2  # "Connection: close" was honoured: the third request went on a new connection


def test_a_connection_the_server_closed_while_idle_is_replaced_and_the_push_sent_once(make_transport):
    lanes = make_transport()
    with Server([CREATED, b"close-idle", CREATED]) as server:
        first = post(lanes, server.url(), b"one")
        time.sleep(0.1)  # the server hangs up the idle connection meanwhile
        second = post(lanes, server.url(), b"two")
    assert (first.status, second.status, server.connections) == (201, 201, 2)
    assert [r[-3:] for r in server.requests] == [b"one", b"two"]


def test_a_reused_connection_closed_before_answering_gets_the_push_again_on_a_new_one(make_transport):
    """The server took the request on a kept-alive connection and hung up without a word: sent once more."""
    lanes = make_transport()
    with Server([CREATED, None, CREATED]) as server:
        first = post(lanes, server.url(), b"one")
        second = post(lanes, server.url(), b"two")
    assert (first.status, second.status, server.connections) == (201, 201, 2)
    assert [r[-3:] for r in server.requests] == [b"one", b"two", b"two"]


def test_no_answer_is_an_error_not_a_delivery(make_transport):
    lanes = make_transport(timeout=0.5)
    with Server([None, b"silence"]) as server:
        hung_up = post(lanes, server.url())  # on a new connection: not sent again
        silent = post(lanes, server.url())
    assert isinstance(hung_up, transport.TransportError) and "Empty reply" in str(hung_up)
    assert isinstance(silent, transport.TransportError) and "timed out" in str(silent)
    assert not isinstance(hung_up, transport.Refused) and len(server.requests) == 2


def test_a_refused_connection_is_a_transport_error(make_transport):
    with Server([]) as server:
        url = server.url()
    answer = post(make_transport(), url)  # the server is gone: nothing listens on its port
    assert isinstance(answer, transport.TransportError) and not isinstance(answer, transport.Refused)


def test_redirects_are_not_followed(make_transport):
    """A redirect could lead past the address check, and a push service never sends one: it is the answer."""
    lanes = make_transport()
    with Server([b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n",
                 CREATED]) as server:
        answer = post(lanes, server.url())
    assert (answer.status, answer.headers["location"], len(server.requests)) == (307, "/elsewhere", 1)


def test_lanes_run_side_by_side_up_to_the_limit(make_transport):
    lanes = make_transport(limit=3)
    with Server([CREATED] * 5) as server:
        for number in range(3):
            lanes.start(number, server.url(f"/push/{number}"), HEADERS, b"x")
        assert lanes.free == 0
        answers = {}
        deadline = time.monotonic() + 20
        while len(answers) < 3 and time.monotonic() < deadline:
            answers.update((key, answer.status) for key, answer in lanes.poll(0.05))
        assert (answers, lanes.free, lanes.busy) == ({0: 201, 1: 201, 2: 201}, 3, 0)
        assert server.connections == 3  # each lane on its own keep-alive connection


@pytest.mark.parametrize("url", ["ftp://push.example/x", "https://push.example/a b", "https://push.example?x",
                                 "https://user:pw@push.example/x", "https://push.example:99999/x",
                                 "https://push.example/\u00e9", "https:///x"])
def test_unusable_endpoints_are_refused_before_sending(url):
    with pytest.raises(transport.Refused):
        transport.origin_of(url)


def test_the_origin_is_the_vapid_audience():
    assert transport.origin_of("https://fcm.googleapis.com/fcm/send/abc:DEF-1?x=1").base == "https://fcm.googleapis.com"
    assert transport.origin_of("http://127.0.0.1:8443/push/x").base == "http://127.0.0.1:8443"


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
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_https_push_services_are_reached_over_verified_tls(tmp_path, make_transport):
    import ssl

    cert_file, key_file = self_signed(tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert_file, key_file)
    trusting = make_transport(ca_file=str(cert_file))  # verifies the chain and the address
    with Server([CREATED, CREATED], tls=server_tls) as server:
        statuses = [post(trusting, server.url()).status for _ in range(2)]
        refused = post(make_transport(), server.url())  # a certificate nobody vouches for
    assert (statuses, server.connections, len(server.requests)) == ([201, 201], 2, 2)
    assert isinstance(refused, transport.TransportError) and "certificate" in str(refused)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.1"])
def test_a_public_only_transport_never_connects_inside_the_network(host, make_transport):
    """Where a browser's subscription leads is the subscriber's choice: the transport checks each address it is
    about to connect to, so a name pointing at 127.0.0.1 or 10.x is never connected to."""
    lanes = make_transport(public_only=True)
    with Server([CREATED]) as server:
        answer = post(lanes, server.url(host=host))
    assert isinstance(answer, transport.Refused) and "is not a public address" in str(answer)
    assert server.connections == 0


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "fe80::1%eth0",
                                     "fc00::1", "100.64.0.1", "0.0.0.0"])
def test_addresses_inside_a_network_are_not_public(address):
    assert not transport.is_public(address)


def test_internet_addresses_are_public():
    assert transport.is_public("8.8.8.8") and transport.is_public("2606:4700:4700::1111")


def test_a_public_address_is_connected_to_through_the_check(make_transport, monkeypatch):
    """The check's other branch: the socket handed to libcurl for an address found public (here 127.0.0.1, as if
    it were public) carries the push, and no socket is left for the garbage collector to close."""
    import gc

    checked = []
    monkeypatch.setattr(transport, "is_public", lambda address: checked.append(address) or True)
    lanes = make_transport(public_only=True)
    with Server([CREATED, CREATED]) as server:
        statuses = [post(lanes, server.url()).status for _ in range(2)]
    gc.collect()  # an unclosed socket would warn here (filterwarnings = error)
    assert (statuses, checked, server.connections) == ([201, 201], ["127.0.0.1"], 1)


class FakeVapidKey:
    """Signs nothing: the channel only needs the header it returns."""

    def sign(self, claims):
        return {"Authorization": f"vapid t=test.{claims['aud']}, k=test"}


def test_a_failing_transport_costs_the_channel_its_transfers_in_flight_not_its_thread(monkeypatch):
    """Should libcurl itself fail, the pushes it had in flight are retried later and the lanes go on."""
    from app.push.channels import WebPushChannel
    from tests.push.pushservice import DeviceKeys

    keys = DeviceKeys.generate()
    channel = WebPushChannel(FakeVapidKey(), "mailto:ops@siheyuan.example", pool_size=2)
    poll, calls = channel.transport.poll, []

    def failing_once(wait):
        calls.append(wait)
        if len(calls) == 1:
            raise RuntimeError("curl broke")
        return poll(wait)

    monkeypatch.setattr(channel.transport, "poll", failing_once)
    try:
        with Server([CREATED] * 4) as server:
            job = ({"title": "t"}, {"endpoint": server.url(), "keys": {"p256dh": keys.p256dh, "auth": keys.auth_b64}})
            first = channel.send_batch([job, job])
            second = channel.send_batch([job])
    finally:
        channel.close()
    assert [r.outcome for r in first] == ["retry", "retry"] and "curl broke" in first[0].error
    assert [r.outcome for r in second] == ["sent"]
    assert not channel.thread.is_alive()
