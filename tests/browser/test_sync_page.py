"""The sync page 待发送 says what a refused or clashing item is about, in words, and offers only what can work;
the header says when something waits for the person (issue 17, points 11 and 12)."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.clock import utcnow
from app.conventions.models import Vote
from app.conventions.services import cast_vote
from app.database import immediate_transactions, reads_first
from app.extensions import db
from tests.browser.conftest import expect_synced_once
from tests.conventions.conftest import s3  # noqa: F401 — the S3 building and its people

pytestmark = pytest.mark.browser


def test_a_door_vote_that_clashes_names_household_and_convention_and_offers_to_keep_the_servers(
        page, sign_in, s3):  # noqa: F811
    household = s3.households[3]
    sign_in(s3.head.phone)
    page.goto(f"/conventions/{s3.convention.id}")
    expect_synced_once(page)
    # The family votes on their own phone while the head is on the stairs with the old list.
    db.session.rollback()  # the next transaction begins by taking the write lock (the live server writes too)
    immediate_transactions()
    cast_vote(db.session, s3.residents[3], household, s3.convention, "no", channel="online", now=utcnow())
    db.session.commit()
    reads_first()  # and the test's reads after it leave the lock to the server
    row = page.locator(f'form.record-vote[data-household="{household.id}"]')
    row.get_by_role("button", name="同意", exact=True).click()
    row.get_by_text("这户已经自己投过票了(不同意)").wait_for()

    needs = page.locator("[data-sync-needs]")
    expect(needs).to_have_text("1 条需要处理")  # not a reassuring "待发送 0"
    expect(page.locator("[data-sync-queued]")).to_be_hidden()

    page.goto("/sync")
    item = page.locator("[data-sync-problems] li.card")
    expect(item).to_contain_text("公约: 24号楼楼门公约")
    expect(item).to_contain_text(f"住户: {household.label}")
    expect(item).to_contain_text("您登记的: 同意 · 上门登记")
    expect(item).to_contain_text("服务器上的记录: 不同意 · 住户自己投的")
    expect(item).to_contain_text("以这户自己投的为准")
    visible = item.evaluate("li => [...li.children].filter((c) => c.tagName !== 'DETAILS').map((c) => c.innerText)"
                            ".join(' ')")
    assert "door_to_door" not in visible and "online" not in visible and "household_id" not in visible
    assert item.get_by_role("button").all_inner_texts() == ["以服务器上的为准"]  # no resend that can only clash
    expect(page.locator("[data-sync-summary]")).to_have_text("1 条需要您处理,见下方。")

    item.get_by_role("button", name="以服务器上的为准").click()
    page.get_by_role("dialog").get_by_role("button", name="删除").click()  # mine leaves this phone: asked first
    expect(item).to_have_count(0)
    expect(needs).to_be_hidden()
    expect(page.locator("[data-sync-count]")).to_have_text("0")
    db.session.rollback()
    assert db.session.scalar(select(Vote.choice).where(Vote.household_id == household.id)) == "no"


def test_a_refused_item_names_the_field_by_its_label_and_offers_no_resend_once_closed(page, sign_in, s3):  # noqa: F811
    sign_in(s3.head.phone)
    page.goto(f"/conventions/{s3.convention.id}")
    expect_synced_once(page)
    page.evaluate("""([c, h]) => import('/static/js/outbox.js').then((o) => o.enqueue('vote.cast',
        {convention_id: c, household_id: h, choice: 'maybe', channel: 'door_to_door'}))""",
                  [s3.convention.id, s3.households[4].id])
    page.goto("/sync")
    item = page.locator("[data-sync-problems] li.card")
    expect(item).to_contain_text("公约: 24号楼楼门公约")  # found on this phone, though the script noted no names
    expect(item).to_contain_text(f"住户: {s3.households[4].label}")
    visible = item.evaluate("li => [...li.children].filter((c) => c.tagName !== 'DETAILS').map((c) => c.innerText)"
                            ".join(' ')")
    assert "choice" not in visible and "door_to_door" not in visible
    expect(item.get_by_role("button", name="重新发送")).to_be_visible()
    # 技术细节, for whoever helps the person, is still a finger's target (the list may be drawn again meanwhile).
    page.wait_for_function("""() => [...document.querySelectorAll('[data-sync-problems] summary')]
        .some((s) => s.textContent === '技术细节' && s.getBoundingClientRect().height >= 44)""", timeout=5_000)
    expect(page.locator("[data-sync-needs]")).to_have_text("1 条需要处理")
