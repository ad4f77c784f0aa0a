"""SMS / voice-notice providers behind one interface: one adapter per provider, chosen by SMS_PROVIDER.

An adapter only talks to its provider (through the provider's own SDK, with its signing); the
worker (app/sms/worker.py) decides retries and bookkeeping from each Result, as the Web Push
worker does with its channel.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class Result:
    """What the provider said: taken ("sent", with its id), "retry" later (throttled, unreachable), or "failed" for good."""

    outcome: str  # "sent" | "retry" | "failed"
    error: str = ""
    retry_after: float | None = None
    provider_id: str = ""


@dataclass
class Receipt:
    """A delivery report: the message with this provider id was delivered (or answered) or not."""

    provider_id: str
    delivered: bool | None  # None: the provider does not know yet
    error: str = ""


@dataclass
class Template:
    """What the provider says of a template: whether it is approved, and its text."""

    code: str
    approved: bool
    content: str = ""
    problems: list[str] = field(default_factory=list)


class Provider(Protocol):
    """One provider's SMS and voice-notice products (Alibaba Cloud: app/sms/providers/aliyun.py)."""

    name: str

    def send_sms(self, phone: str, template: str, params: dict) -> Result:
        """Send one SMS through an approved template under the deployment's signature."""
        ...

    def call(self, phone: str, template: str, params: dict) -> Result:
        """Place one automated voice call reading an approved text-to-speech template."""
        ...

    def receipt(self, kind: str, provider_id: str, phone: str, sent_on: str) -> Receipt:
        """Ask what became of one message (polling); sent_on is the day it was sent, YYYYMMDD (Asia/Shanghai)."""
        ...

    def sms_template(self, code: str) -> Template:
        """The provider's record of an SMS template (for the configuration check)."""
        ...


PROVIDERS = ("aliyun",)


def make_provider(config) -> Provider | None:
    """The configured provider (SMS_PROVIDER), or None when SMS is off."""
    name = config.get("SMS_PROVIDER") or ""
    if name == "aliyun":
        from app.sms.providers.aliyun import AliyunProvider

        return AliyunProvider(config["SMS_ACCESS_KEY_ID"], config["SMS_ACCESS_KEY_SECRET"],
                              sign_name=config["SMS_SIGN_NAME"], sms_endpoint=config["SMS_ENDPOINT"],
                              voice_endpoint=config["VOICE_ENDPOINT"], show_number=config["VOICE_SHOW_NUMBER"],
                              protocol="HTTP" if config.get("SMS_ALLOW_LOCAL_HTTP") else "HTTPS")
    return None
