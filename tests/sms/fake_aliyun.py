"""A local fake of Alibaba Cloud's SMS and voice APIs, for the real SDK pointed at it (SMS_ENDPOINT).

It checks each request's ACS3-HMAC-SHA256 signature the way the provider does (the canonical
request rebuilt from what arrived, the body's hash, the date's freshness, no nonce twice), records
what was sent, answers delivery reports, and can throttle or refuse a number for good.
"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

KEY_ID, KEY_SECRET = "LTAI5tFakeKeyForTests", "fake-secret-for-tests"
INVALID_NUMBER = "19900000000"  # answered isv.MOBILE_NUMBER_ILLEGAL


@dataclass
class Sent:
    """One message the fake took."""

    action: str
    phone: str
    template: str
    params: dict
    sign_name: str
    provider_id: str


@dataclass
class FakeAliyun:
    """The fake's state: what was sent, what to answer, templates it knows."""

    secret: str = KEY_SECRET
    templates: dict = field(default_factory=lambda: {
        "SMS_NOTICE": "【${sign}】通知：${title}，详情 ${link} 回T退订",
        "TTS_NOTICE": "您好，社区通知：${title}。请留意。",
    })
    sent: list[Sent] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # signatures that did not match
    throttle: int = 0  # answer this many sends with isv.BUSINESS_LIMIT_CONTROL
    delivered: dict[str, bool] = field(default_factory=dict)  # provider id → report (missing: waiting)
    lock: threading.Lock = field(default_factory=threading.Lock)
    nonces: set = field(default_factory=set)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    record: bool = True  # the benchmark only counts

    count: int = 0

    def verify(self, method: str, path: str, query: dict, headers: dict, body: bytes) -> str:
        """'' when the signature is the provider's, else why not."""
        auth = headers.get("authorization", "")
        algorithm, _, rest = auth.partition(" ")
        if algorithm != "ACS3-HMAC-SHA256":
            return f"unknown algorithm {algorithm!r}"
        parts = dict(p.split("=", 1) for p in rest.split(","))
        if parts.get("Credential") != KEY_ID:
            return "InvalidAccessKeyId.NotFound"
        payload_hash = hashlib.sha256(body).hexdigest()
        if headers.get("x-acs-content-sha256") != payload_hash:
            return "body hash mismatch"
        date = datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if abs((datetime.now(UTC) - date).total_seconds()) > 900:
            return "InvalidTimeStamp.Expired"
        nonce = headers.get("x-acs-signature-nonce", "")
        with self.lock:
            if not nonce or nonce in self.nonces:
                return "SignatureNonceUsed"
            self.nonces.add(nonce)
        signed = parts["SignedHeaders"].split(";")
        if not {"host", "x-acs-date", "x-acs-content-sha256", "x-acs-signature-nonce", "x-acs-action"} <= set(signed):
            return "required headers left unsigned"
        canonical_query = "&".join(f"{k}={quote(v, safe='~')}" for k, v in sorted(query.items()))
        canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed)
        canonical = "\n".join([method, path or "/", canonical_query, canonical_headers, parts["SignedHeaders"],
                               payload_hash])
        to_sign = f"{algorithm}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        expected = hmac.new(self.secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        return "" if hmac.compare_digest(expected, parts.get("Signature", "")) else "SignatureDoesNotMatch"

    def answer(self, action: str, query: dict) -> tuple[int, dict]:
        """The API's answer to one verified request."""
        if action in ("SendSms", "SingleCallByTts"):
            phone = query.get("PhoneNumbers") or query.get("CalledNumber", "")
            template = query.get("TemplateCode") or query.get("TtsCode", "")
            with self.lock:
                if self.throttle:
                    self.throttle -= 1
                    return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发小时级流控Permits:5"}
                if phone == INVALID_NUMBER:
                    return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
                if template not in self.templates:
                    return 200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法(不存在或被拉黑)"}
                provider_id = f"{next(self.ids):06d}^0"
                self.count += 1
                if self.record:
                    self.sent.append(Sent(action, phone, template,
                                          json.loads(query.get("TemplateParam") or query.get("TtsParam") or "{}"),
                                          query.get("SignName", ""), provider_id))
            key = "BizId" if action == "SendSms" else "CallId"
            return 200, {"Code": "OK", "Message": "OK", "RequestId": "fake", key: provider_id}
        if action == "QuerySendDetails":
            report = self.delivered.get(query.get("BizId", ""))
            status = {True: 3, False: 2, None: 1}[report]
            detail = {"PhoneNum": query.get("PhoneNumber"), "SendStatus": status,
                      "ErrCode": "DELIVERED" if report else ("IS_CLOSE" if report is False else "")}
            return 200, {"Code": "OK", "Message": "OK", "TotalCount": 1,
                         "SmsSendDetailDTOs": {"SmsSendDetailDTO": [detail]}}
        if action == "QueryCallDetailByCallId":
            report = self.delivered.get(query.get("CallId", ""))
            state = {True: "200000", False: "200005", None: ""}[report]
            return 200, {"Code": "OK", "Message": "OK", "Data": json.dumps({"state": state} if state else {})}
        if action == "QuerySmsTemplate":
            code = query.get("TemplateCode", "")
            if code not in self.templates:
                return 200, {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不存在"}
            return 200, {"Code": "OK", "Message": "OK", "TemplateCode": code, "TemplateStatus": 1,
                         "TemplateContent": self.templates[code]}
        return 404, {"Code": "InvalidAction.NotFound", "Message": action}


def serve(fake: FakeAliyun) -> tuple[ThreadingHTTPServer, str]:
    """Start the fake on 127.0.0.1; returns the server and its endpoint (host:port) for SMS_ENDPOINT."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            headers = {k.lower(): v for k, v in self.headers.items()}
            problem = fake.verify("POST", parts.path, query, headers, body)
            if problem:
                with fake.lock:
                    fake.refused.append(problem)
                status, answer = 403, {"Code": "SignatureDoesNotMatch", "Message": problem}
            else:
                status, answer = fake.answer(headers.get("x-acs-action", ""), query)
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"127.0.0.1:{server.server_address[1]}"
