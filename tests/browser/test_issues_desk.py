"""Issue 17 in real Chromium: the queue as a table at a desk, cards on a phone; the desk's bulk assignment."""
import uuid
from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import Role
from app.problems import services
from app.problems.models import Category, Problem
from tests.browser.conftest import sign_in_on
from tests.browser.test_a11y import problems_on

pytestmark = pytest.mark.browser

T0 = datetime(2026, 9, 22, 23, 33, tzinfo=UTC)


@pytest.fixture
def desk(make_building, make_household, make_user):
    building = make_building("6号楼")
    home = make_household(building, unit="6门", room="302")
    resident = make_user(Role.RESIDENT, home, name="李居民")
    for text in ("单元门锁坏了", "楼道灯不亮"):
        services.report_problem(db.session, resident, building, category=Category.REPAIRS, text=text, now=T0,
                                uuid=str(uuid.uuid4()), household=home)
    db.session.commit()
    return {"staff": make_user(Role.STAFF, building.community, name="钱书记"),
            "colleague": make_user(Role.STAFF, building.community, name="周社工"), "building": building}


def test_at_a_desk_the_queue_is_a_table_and_problems_are_assigned_in_bulk(browser, live, desk):
    ctx = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    sign_in_on(page, desk["staff"].phone)
    page.goto("/issues/queue")
    table = page.locator("table.queue-table")
    assert table.is_visible() and not page.locator(".queue-cards").is_visible()
    assert table.locator("tbody tr").count() == 2
    assert table.get_by_role("columnheader", name="办理人").is_visible()
    assert problems_on(page, False) == []  # the accessibility gate's checks, at the desk's width
    row = table.locator("tr", has_text="楼道灯不亮")
    assert desk["building"].community.name in row.inner_text()
    # the checkbox's 44 px target and its name (the building and the words)
    pick = row.get_by_role("checkbox", name="选择 6号楼 楼道灯不亮")
    box = row.locator("label.pick").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    pick.check()
    page.get_by_label("交给").select_option(label="周社工")
    page.get_by_role("button", name="交办").click()
    page.get_by_text("已交办 1 个问题。").wait_for()
    assert "周社工" in page.locator("table.queue-table tr", has_text="楼道灯不亮").inner_text()
    db.session.rollback()
    assert [p.assignee_id for p in db.session.query(Problem).order_by(Problem.id)] == [None, desk["colleague"].id]
    # searching narrows the table to what matches
    page.get_by_label("搜索(内容、房号、12345工单号)").fill("门锁")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/issues/queue?q=*")
    page.wait_for_load_state()
    rows = page.locator("table.queue-table tbody tr")
    assert rows.count() == 1 and "单元门锁坏了" in rows.inner_text()
    ctx.close()


def test_on_a_phone_the_queue_keeps_its_cards(page, desk):
    sign_in_on(page, desk["staff"].phone)
    page.goto("/issues/queue")
    assert page.locator(".queue-cards .problem-card").count() == 2
    assert page.locator(".queue-cards").is_visible()
    assert not page.locator("table.queue-table").is_visible() and not page.locator("#bulk").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_building_picker_filters_as_one_types_and_reloads_the_form_for_the_choice(page, desk, make_building):
    make_building("9号楼", community=desk["building"].community)
    make_building("12号楼", community=desk["building"].community)
    sign_in_on(page, desk["staff"].phone)
    page.goto("/issues/new")
    picker = page.get_by_label("楼栋", exact=True)
    assert picker.locator("option").count() == 3
    page.get_by_label("查找楼栋(楼名或社区)").fill("12")
    page.get_by_text("有 1 栋楼符合").wait_for()
    assert picker.locator("option:not([hidden])").all_inner_texts() == ["12号楼"]
    assert picker.evaluate("s => s.selectedOptions[0].textContent") == "12号楼"  # a hidden choice is never sent
    page.get_by_role("button", name="为这栋楼反映问题").click()
    page.locator("h1", has_text="12号楼").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


# A real WebM voice note as a phone's MediaRecorder makes it (no duration in its header): 2 s of a tone.
RECORD_TONE = """async () => {
  const audio = new AudioContext();
  const tone = audio.createOscillator();
  const out = audio.createMediaStreamDestination();
  tone.connect(out);
  tone.start();
  const recorder = new MediaRecorder(out.stream, {mimeType: 'audio/webm'});
  const parts = [];
  recorder.ondataavailable = (e) => parts.push(e.data);
  const stopped = new Promise((ok) => { recorder.onstop = ok; });
  recorder.start();
  await new Promise((ok) => setTimeout(ok, 2000));
  recorder.stop();
  await stopped;
  const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
  return Array.from(bytes);
}"""


def test_a_voice_only_card_shows_the_notes_length_and_staff_play_it(browser, live, page, desk, app):
    from app.clock import utcnow
    from app.uploads.services import save_upload

    sign_in_on(page, desk["staff"].phone)
    data = bytes(page.evaluate(RECORD_TONE))
    db.session.rollback()  # a fresh transaction: the server wrote (the sign-in) since this one began
    resident = db.session.query(Problem).first().reporter
    voice = save_upload(db.session, owner=resident, uuid=str(uuid.uuid4()), filename="voice.webm", data=data,
                        upload_root=app.config["UPLOAD_FOLDER"], now=utcnow())
    services.report_problem(db.session, resident, desk["building"], category=Category.SANITATION, text="",
                            now=T0, uuid=str(uuid.uuid4()), attachments=[voice])
    db.session.commit()
    page.goto("/issues/queue")
    card = page.locator(".queue-cards li", has_text="语音")
    card.locator(".voice-length").filter(has_text="0:02").wait_for()
    assert card.locator(".problem-title").inner_text().startswith("环境卫生 · 🎤 语音 0:02")
    player = card.get_by_label("语音")
    assert player.evaluate("a => a.paused") is True
    player.evaluate("a => a.play()")
    page.wait_for_function("() => document.querySelector('.queue-cards audio.card-voice').currentTime > 0")
