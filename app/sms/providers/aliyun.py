"""Alibaba Cloud 阿里云: 短信服务 (Dysmsapi 2017-05-25) and 语音服务 (Dyvmsapi 2017-05-25), through their SDKs.

The SDKs sign every request (ACS3-HMAC-SHA256: a canonical request over the method, path, query,
the x-acs-* and host headers and the body's SHA-256, keyed with the AccessKey secret) and post it
to the product's endpoint. The endpoint and protocol are settings, so tests point the SDK at a
local fake of the API (tests/sms/fake_aliyun.py) that checks the signature the same way.

Business errors come back as HTTP 200 with a Code other than "OK"; throttling is the Code
isv.BUSINESS_LIMIT_CONTROL (or an HTTP Throttling.* error the SDK raises as ThrottlingException).
"""
from __future__ import annotations

import json
import threading

from alibabacloud_dysmsapi20170525 import models as sms_models
from alibabacloud_dysmsapi20170525.client import Client as SmsClient
from alibabacloud_dyvmsapi20170525 import models as voice_models
from alibabacloud_dyvmsapi20170525.client import Client as VoiceClient
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions

from app.sms.providers import Receipt, Result, Template

# Codes that mean "not now": retried with back-off (the worker also slows down).
THROTTLED = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "Throttling", "Throttling.User", "Throttling.Api",
                       "isv.DAY_LIMIT_CONTROL", "SignatureNonceUsed", "ServiceUnavailable", "InternalError"})
# Seconds to wait after a throttling answer that names no time of its own.
THROTTLE_WAIT = 60.0
# Voice: the product id QueryCallDetailByCallId wants for text-to-speech notices (语音通知).
TTS_PROD_ID = 11000000300006
# Voice call states (QueryCallDetailByCallId → Data.state): 200000 answered; anything else final is not.
ANSWERED = "200000"


class AliyunProvider:
    """SMS and voice notices through Alibaba Cloud's SDKs; one SDK client per thread (they keep a connection)."""

    name = "aliyun"
    MAX_IDLE = 128  # keep-alive connections kept per host: more than the sending threads, so none is dropped

    def __init__(self, key_id: str, key_secret: str, *, sign_name: str, sms_endpoint: str, voice_endpoint: str,
                 show_number: str = "", protocol: str = "HTTPS", timeout_ms: int = 10000):
        self.sign_name, self.show_number = sign_name, show_number
        self._configs = {
            "sms": (SmsClient, sms_endpoint),
            "voice": (VoiceClient, voice_endpoint),
        }
        self._key = (key_id, key_secret, protocol, timeout_ms)
        self._local = threading.local()
        self.runtime = RuntimeOptions()  # no retry options: the worker retries, with its own back-off

    def _client(self, product: str):
        clients = self._local.__dict__.setdefault("clients", {})
        if product not in clients:
            cls, endpoint = self._configs[product]
            key_id, secret, protocol, timeout = self._key
            clients[product] = cls(Config(access_key_id=key_id, access_key_secret=secret, endpoint=endpoint,
                                          protocol=protocol, read_timeout=timeout, connect_timeout=timeout,
                                          max_idle_conns=self.MAX_IDLE))
        return clients[product]

    def send_sms(self, phone: str, template: str, params: dict) -> Result:
        """SendSms: one number, the approved template, its parameters as JSON, under the signature."""
        request = sms_models.SendSmsRequest(phone_numbers=phone, sign_name=self.sign_name, template_code=template,
                                            template_param=json.dumps(params, ensure_ascii=False))
        return self._answer(lambda: self._client("sms").send_sms_with_options(request, self.runtime), "biz_id")

    def call(self, phone: str, template: str, params: dict) -> Result:
        """SingleCallByTts: one automated call reading the approved TTS template with its parameters."""
        request = voice_models.SingleCallByTtsRequest(called_number=phone, tts_code=template,
                                                      tts_param=json.dumps(params, ensure_ascii=False),
                                                      called_show_number=self.show_number or None, play_times=2)
        return self._answer(lambda: self._client("voice").single_call_by_tts_with_options(request, self.runtime),
                            "call_id")

    @staticmethod
    def _answer(request, id_field: str) -> Result:
        try:
            body = request().body
        except ThrottlingException as exc:
            return Result("retry", f"{exc.code}: {exc.message}"[:500], float(exc.retry_after or THROTTLE_WAIT))
        except ClientException as exc:
            if exc.code in THROTTLED or str(exc.code).startswith("Throttling"):
                return Result("retry", f"{exc.code}: {exc.message}"[:500], THROTTLE_WAIT)
            return Result("failed", f"{exc.code}: {exc.message}"[:500])
        except ServerException as exc:
            return Result("retry", f"{exc.code}: {exc.message}"[:500])
        if body.code == "OK":
            return Result("sent", provider_id=str(getattr(body, id_field) or ""))
        error = f"{body.code}: {body.message}"[:500]
        if body.code in THROTTLED:
            return Result("retry", error, THROTTLE_WAIT)
        return Result("failed", error)  # isv.MOBILE_NUMBER_ILLEGAL, isv.SMS_TEMPLATE_ILLEGAL, …

    def receipt(self, kind: str, provider_id: str, phone: str, sent_on: str) -> Receipt:
        """QuerySendDetails (SMS: SendStatus 3 delivered, 2 failed, 1 waiting) or QueryCallDetailByCallId (voice)."""
        if kind == "sms":
            request = sms_models.QuerySendDetailsRequest(phone_number=phone, biz_id=provider_id, send_date=sent_on,
                                                         page_size=10, current_page=1)
            body = self._client("sms").query_send_details_with_options(request, self.runtime).body
            details = body.sms_send_detail_dtos.sms_send_detail_dto if body.sms_send_detail_dtos else []
            if body.code != "OK" or not details:
                return Receipt(provider_id, None, f"{body.code}: {body.message}")
            status = details[0].send_status
            return Receipt(provider_id, {3: True, 2: False}.get(status), details[0].err_code or "")
        from datetime import datetime

        when = int(datetime.strptime(sent_on, "%Y%m%d").timestamp() * 1000)
        request = voice_models.QueryCallDetailByCallIdRequest(call_id=provider_id, prod_id=TTS_PROD_ID,
                                                              query_date=when)
        body = self._client("voice").query_call_detail_by_call_id_with_options(request, self.runtime).body
        if body.code != "OK" or not body.data:
            return Receipt(provider_id, None, f"{body.code}: {body.message}")
        data = json.loads(body.data)
        state = str(data.get("state", ""))
        if not state:
            return Receipt(provider_id, None)
        return Receipt(provider_id, state == ANSWERED, "" if state == ANSWERED else f"state {state}")

    def sms_template(self, code: str) -> Template:
        """QuerySmsTemplate: TemplateStatus 1 is approved (0 waiting, 2 refused)."""
        request = sms_models.QuerySmsTemplateRequest(template_code=code)
        try:
            body = self._client("sms").query_sms_template_with_options(request, self.runtime).body
        except (ClientException, ServerException) as exc:
            return Template(code, False, problems=[f"{exc.code}: {exc.message}"[:300]])
        if body.code != "OK":
            return Template(code, False, problems=[f"{body.code}: {body.message}"[:300]])
        return Template(code, body.template_status == 1, body.template_content or "")
