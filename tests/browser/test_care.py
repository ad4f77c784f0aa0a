"""Care mode in real Chromium: a voice report made offline, read aloud, and the three-button vote.

Chromium's fake media stream (--use-fake-device-for-media-stream, see conftest) gives a real
MediaRecorder recording, so the voice note that reaches the server is a real webm file.
"""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.conventions.models import Vote
from app.extensions import db
from app.models import Role
from app.notices.models import Notice
from app.problems.models import Problem
from app.uploads.models import Attachment
from tests.browser.conftest import (
    expect_pictures_and_scripts_kept,
    sign_in_on,
    wait_for_service_worker,
)
from tests.conventions.conftest import s3  # noqa: F401 — a building with a convention in voting

pytestmark = pytest.mark.browser

# A device voice, for pages to find: headless Chromium here has no speech engine, so the test
# gives the page one zh-CN voice and records what it is asked to say (the browser's own
# speechSynthesis cannot run without an engine).
FAKE_VOICE = """
(() => {
  window.__spoken = [];
  const voice = { name: "Ting-Ting", lang: "zh-CN", default: true, localService: true, voiceURI: "zh" };
  speechSynthesis.getVoices = () => [voice];
  speechSynthesis.speak = (utterance) => {
    window.__spoken.push({ text: utterance.text, lang: utterance.lang });
    setTimeout(() => utterance.dispatchEvent(new Event("end")), 10);
  };
})();
"""


def care_outbox(page, waiting: int | None = None, timeout: float = 30.0) -> None:
    """Wait until this phone has synced once and (if given) `waiting` items wait in its outbox.

    Care mode's header shows no sync status (issue 17, point 14), so the phone's own records are read.
    """
    import time

    deadline = time.monotonic() + timeout
    probe = """async () => {
        const [db, outbox] = await Promise.all([import('/static/js/db.js'), import('/static/js/outbox.js')]);
        return [await db.getMeta('last_sync:' + document.body.dataset.user, 0), await outbox.count()];
    }"""
    while True:
        last, count = page.evaluate(probe)
        if last and (waiting is None or count == waiting):
            return
        assert time.monotonic() < deadline, f"synced: {bool(last)}, waiting: {count} (expected {waiting})"
        page.wait_for_timeout(200)


@pytest.fixture
def elder(make_building, make_household, make_user):
    building = make_building("6号楼")
    home = make_household(building, unit="7门", room="101")
    return {
        "resident": make_user(Role.RESIDENT, home, name="潘大爷", care_mode=True),
        "head": make_user(Role.BUILDING_HEAD, building, name="郑楼长", phone="13911112222"),
        "staff": make_user(Role.STAFF, building.community, name="钱书记"),
        "building": building,
    }


def test_voice_report_recorded_offline_reaches_staff_as_a_voice_note(page, network, sign_in, elder):
    sign_in(elder["resident"].phone)
    assert page.url.endswith("/care/")
    assert page.get_by_role("link", name="给楼长打电话").get_attribute("href") == "tel:13911112222"
    wait_for_service_worker(page)
    page.get_by_role("link", name="我要反映问题").click()
    care_outbox(page)
    # the worker keeps each picture as it passes through: signal lost before the last is kept would lose it
    page.wait_for_function("""async () => (await Promise.all([...document.images].map((img) => img.complete
        && caches.match(img.currentSrc)))).every(Boolean)""")

    network.off()
    page.reload()  # the care report page, from the phone's copy: its pictures and scripts too
    expect_pictures_and_scripts_kept(page)
    page.get_by_role("button", name="4. 发送").click()
    assert page.get_by_role("alert").inner_text() == "请先点一张图:是什么问题?"
    page.get_by_role("radio", name="设施维修").check()
    record = page.get_by_role("button", name="点一下开始说话(或按住说话)")
    record.click()
    page.get_by_text("正在录音……请说话。").wait_for()
    page.wait_for_timeout(1500)  # speak for a moment
    page.get_by_role("button", name="说完了再点一下").click()
    page.get_by_text("录好了,可以在下面听一听。").wait_for()
    page.get_by_role("button", name="4. 发送").click()
    page.get_by_role("heading", name="已发送,谢谢您!").wait_for()
    care_outbox(page, waiting=1)
    db.session.rollback()
    assert db.session.query(Problem).count() == 0

    network.on()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    care_outbox(page, waiting=0)
    db.session.rollback()
    problem = db.session.scalars(select(Problem)).one()
    assert (problem.category.value, problem.reporter_id, problem.text) == ("repairs", elder["resident"].id, "")
    voice = db.session.scalars(select(Attachment).where(Attachment.subject_type == "problem",
                                                         Attachment.subject_id == problem.id)).one()
    assert voice.kind == "voice"

    # Staff hear it in the problem's timeline.
    staff = page.context.browser.new_context(base_url=page.url.split("/care")[0], locale="zh-CN")
    try:
        other = staff.new_page()
        sign_in_on(other, elder["staff"].phone)
        other.goto(f"/issues/{problem.id}")
        audio = other.locator("audio")
        src = audio.get_attribute("src")
        response = other.request.get(src)
        assert response.ok and response.headers["content-type"].startswith("audio/")
        assert response.body()[:4] == b"\x1a\x45\xdf\xa3"  # a real WebM (EBML) recording
        duration = other.evaluate("""async (src) => {
            const a = new Audio(src);
            await new Promise((ok, bad) => { a.onloadedmetadata = ok; a.onerror = bad; });
            return a.duration; }""", src)
        assert duration > 0
    finally:
        staff.close()


def test_send_waits_for_the_report_script(browser, live, elder):
    """Tapped before care-report.js has run, Send would reload the page and drop the picture chosen."""
    context = browser.new_context(base_url=live.url, locale="zh-CN", service_workers="block")
    try:
        held = context.new_page()
        sign_in_on(held, elder["resident"].phone)
        script = re.compile(r"/js/care-report\.js")
        held.route(script, lambda route: route.abort())  # a phone still loading it
        held.goto("/care/report")
        held.get_by_role("radio", name="电梯").check()
        expect(held.get_by_role("button", name="4. 发送")).to_be_disabled()
        held.unroute(script)
        held.reload()
        expect(held.get_by_role("button", name="4. 发送")).to_be_enabled()
    finally:
        context.close()


def test_a_refused_photo_never_loses_the_voice_report(page, sign_in, elder, tmp_path):
    not_a_photo = tmp_path / "photo.jpg"
    not_a_photo.write_text("this is not a picture")
    sign_in(elder["resident"].phone)
    page.goto("/care/report")
    page.get_by_role("radio", name="电梯").check()
    page.get_by_role("button", name="点一下开始说话(或按住说话)").click()
    page.get_by_text("正在录音……请说话。").wait_for()
    page.wait_for_timeout(800)
    page.get_by_role("button", name="说完了再点一下").click()
    page.get_by_text("录好了,可以在下面听一听。").wait_for()
    page.locator("#care-photo").set_input_files(str(not_a_photo))
    page.get_by_role("button", name="4. 发送").click()
    page.get_by_role("heading", name="已发送,谢谢您!").wait_for()
    # the report was queued before the thanks showed; wait until nothing is left waiting
    for _ in range(300):
        if page.evaluate("() => import('/static/js/outbox.js').then((o) => o.count())") == 0:
            break
        page.wait_for_timeout(100)
    db.session.rollback()
    problem = db.session.scalars(select(Problem)).one()
    kinds = db.session.scalars(select(Attachment.kind).where(Attachment.subject_id == problem.id,
                                                             Attachment.subject_type == "problem")).all()
    assert list(kinds) == ["voice"]


def test_read_aloud_appears_only_with_a_chinese_voice_and_reads_the_notice(browser, live, page, sign_in, elder):
    from app.clock import utcnow
    from app.notices.schemas import NoticeIn
    from app.notices.services import resolve_targets, send_notice

    data = NoticeIn(title="明早停水", body="明天上午8点到12点停水,请提前储水。", urgency="normal",
                    building_ids=[elder["building"].id])
    buildings, label = resolve_targets(db.session, data)
    notice = send_notice(db.session, elder["staff"], data, buildings, label, now=utcnow())
    db.session.commit()

    sign_in(elder["resident"].phone)
    page.goto(f"/care/notices/{notice.id}")
    page.get_by_role("heading", name="明早停水").wait_for()
    assert page.get_by_role("button", name="朗读").is_hidden()  # no voice on this device: no button …
    why = page.locator("[data-read-aloud-missing]")
    expect(why).to_be_visible()
    expect(why).to_contain_text("这台手机没有中文朗读语音")  # … but a word why, and how to get one
    expect(why).to_contain_text("文字转语音")
    page.reload()
    page.get_by_role("heading", name="明早停水").wait_for()
    page.wait_for_timeout(2500)  # longer than the page waits for voices
    assert why.is_hidden()  # said once per phone, not on every page

    context = browser.new_context(base_url=live.url, locale="zh-CN")
    try:
        context.add_init_script(FAKE_VOICE)
        voiced = context.new_page()
        sign_in_on(voiced, elder["resident"].phone)
        assert voiced.url.endswith("/care/")
        voiced.get_by_role("link", name="看通知").click()
        voiced.get_by_role("link", name="明早停水").click()
        voiced.get_by_role("button", name="朗读").click()
        voiced.wait_for_function("() => window.__spoken.length === 1")
        assert voiced.locator("[data-read-aloud-missing]").is_hidden()
        spoken = voiced.evaluate("() => window.__spoken[0]")
        assert spoken["lang"] == "zh-CN"
        assert "明早停水" in spoken["text"] and "请提前储水" in spoken["text"]
    finally:
        context.close()
    db.session.rollback()
    assert db.session.get(Notice, notice.id) is not None


def test_care_vote_with_three_big_buttons_and_a_confirmation(page, sign_in, s3):  # noqa: F811
    s3.residents[1].care_mode = True
    db.session.commit()
    sign_in(s3.residents[1].phone)
    page.get_by_role("link", name="投票").click()
    page.get_by_role("heading", name="24号楼楼门公约").wait_for()
    assert page.get_by_text("不高空抛物,窗台不摆花盆。").is_visible()
    for name in ("同意", "不同意", "弃权"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box["height"] >= 64 and box["width"] >= 64
    page.get_by_role("button", name="同意", exact=True).click()
    page.get_by_role("heading", name="您家的票已记下").wait_for()
    assert page.locator("[data-care-vote-choice]").inner_text() == "同意"
    page.get_by_text("已经送到社区了。").wait_for()
    db.session.rollback()
    vote = db.session.scalar(select(Vote).where(Vote.household_id == s3.households[1].id))
    assert (vote.choice.value, vote.channel.value) == ("yes", "online")


def test_the_installed_app_opens_on_the_care_home_page_offline(page, network, sign_in, elder):
    """The app's start address (/) leads a care-mode resident to the care home page, with signal or without."""
    sign_in(elder["resident"].phone)
    wait_for_service_worker(page)
    page.goto("/?source=pwa")  # as the installed app opens
    assert page.url.endswith("/care/")
    network.off()
    page.goto("/?source=pwa")
    expect(page.get_by_role("heading", name="您好,潘大爷")).to_be_visible()
    expect_pictures_and_scripts_kept(page)
