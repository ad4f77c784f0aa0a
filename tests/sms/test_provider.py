"""The Alibaba Cloud adapter through the real SDK, against the fake that checks signatures as the provider does."""
from app.sms.providers.aliyun import AliyunProvider
from tests.sms.fake_aliyun import INVALID_NUMBER, KEY_ID, KEY_SECRET


def provider(fake, secret=KEY_SECRET):
    return AliyunProvider(KEY_ID, secret, sign_name="掌上四合院", sms_endpoint=fake.endpoint,
                          voice_endpoint=fake.endpoint, protocol="HTTP")


def test_an_sms_goes_through_the_template_under_the_signature(fake_aliyun):
    result = provider(fake_aliyun).send_sms("13912345678", "SMS_NOTICE", {"title": "明天停水&检修", "link": "https://x.cn/n/1"})
    assert result.outcome == "sent" and result.provider_id
    [sent] = fake_aliyun.sent
    assert (sent.phone, sent.template, sent.sign_name) == ("13912345678", "SMS_NOTICE", "掌上四合院")
    assert sent.params == {"title": "明天停水&检修", "link": "https://x.cn/n/1"}
    assert fake_aliyun.refused == []


def test_a_wrong_secret_is_refused_by_the_signature_check(fake_aliyun):
    result = provider(fake_aliyun, secret="not-the-secret").send_sms("13912345678", "SMS_NOTICE", {"title": "x"})
    assert result.outcome == "failed" and "SignatureDoesNotMatch" in result.error
    assert fake_aliyun.sent == [] and fake_aliyun.refused == ["SignatureDoesNotMatch"]


def test_throttling_is_retried_and_an_invalid_number_is_not(fake_aliyun):
    fake_aliyun.throttle = 1
    throttled = provider(fake_aliyun).send_sms("13912345678", "SMS_NOTICE", {"title": "x"})
    assert throttled.outcome == "retry" and throttled.retry_after and "BUSINESS_LIMIT_CONTROL" in throttled.error
    invalid = provider(fake_aliyun).send_sms(INVALID_NUMBER, "SMS_NOTICE", {"title": "x"})
    assert invalid.outcome == "failed" and "MOBILE_NUMBER_ILLEGAL" in invalid.error
    unknown = provider(fake_aliyun).send_sms("13912345678", "SMS_NOPE", {"title": "x"})
    assert unknown.outcome == "failed" and "TEMPLATE" in unknown.error


def test_a_voice_call_and_the_delivery_reports(fake_aliyun):
    p = provider(fake_aliyun)
    call = p.call("13912345678", "TTS_NOTICE", {"title": "停水"})
    sms = p.send_sms("13912345678", "SMS_NOTICE", {"title": "停水", "link": "l"})
    assert call.outcome == sms.outcome == "sent"
    assert fake_aliyun.sent[0].action == "SingleCallByTts"
    assert p.receipt("sms", sms.provider_id, "13912345678", "20260923").delivered is None  # still waiting
    fake_aliyun.delivered.update({sms.provider_id: True, call.provider_id: False})
    assert p.receipt("sms", sms.provider_id, "13912345678", "20260923").delivered is True
    assert p.receipt("voice", call.provider_id, "13912345678", "20260923").delivered is False


def test_the_template_check_asks_the_provider(fake_aliyun):
    p = provider(fake_aliyun)
    assert p.sms_template("SMS_NOTICE").approved
    unknown = p.sms_template("SMS_NOPE")
    assert not unknown.approved and unknown.problems
