"""A building head records, offline, who answered the door and their signature; staff see both once it syncs."""
import pytest
from sqlalchemy import select

from app.conventions.models import SIGNATURE, VoteHistory
from app.extensions import db
from app.uploads.models import Attachment
from tests.browser.conftest import expect_synced_once, expect_waiting, sign_in_on, wait_for_service_worker
from tests.conventions.conftest import s3  # noqa: F401 — the S3 building and its people

pytestmark = pytest.mark.browser


def test_offline_door_vote_with_who_answered_and_a_signature(browser, live, page, network, sign_in, s3):  # noqa: F811
    household = s3.households[2]
    household.members = "王建国、李秀英"
    db.session.commit()
    sign_in(s3.head.phone)
    wait_for_service_worker(page)
    page.goto(f"/conventions/{s3.convention.id}")
    expect_synced_once(page)

    network.off()
    row = page.locator(f'form.record-vote[data-household="{household.id}"]')
    row.get_by_label("应门的人").select_option(label="李秀英")
    row.get_by_text("签名(可选)").click()
    pad = row.locator("canvas.signature-pad")
    box = pad.bounding_box()
    assert box["x"] + box["width"] <= 360  # the pad fits the phone
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 40 + (step % 3) * 20)
    page.mouse.up()
    row.get_by_role("button", name="同意", exact=True).click()
    row.get_by_text("已存在手机上").wait_for()
    expect_waiting(page, 1)
    db.session.rollback()
    assert db.session.scalar(select(VoteHistory)) is None  # nothing reached the server offline

    network.on()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    row.get_by_text("已登记").wait_for(timeout=30_000)
    db.session.rollback()
    history = db.session.scalar(select(VoteHistory).where(VoteHistory.household_id == household.id))
    assert history.answered_by == "李秀英"
    signature = db.session.scalar(select(Attachment).where(Attachment.subject_type == SIGNATURE))
    assert signature.subject_id == history.id and signature.content_type == "image/png"

    desk = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    staff = desk.new_page()
    sign_in_on(staff, s3.staff.phone)
    staff.goto(f"/conventions/{s3.convention.id}")
    entry = staff.locator(f'.door-entry[data-household="{household.id}"]')
    assert "由李秀英应门" in entry.inner_text() and "郑楼长" in entry.inner_text()
    image = entry.get_by_role("img", name=f"{household.label}的签名")
    image.scroll_into_view_if_needed()
    staff.wait_for_function("img => img.complete", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == 300  # the drawn PNG, served to staff
    desk.close()
