"""S3: 24号楼 votes on its convention on phones and at the door (offline), then the vote closes."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.conventions.models import Convention, ConventionStatus, Vote
from app.conventions.services import live_tally
from app.extensions import db
from tests.browser.conftest import expect_synced_once, expect_waiting, sign_in_on, wait_for_service_worker
from tests.conventions.conftest import s3  # noqa: F401 — the S3 building and its people

pytestmark = pytest.mark.browser


def phone(browser, live, user):
    """A resident's own phone, signed in."""
    ctx = browser.new_context(base_url=live.url, locale="zh-CN", viewport={"width": 360, "height": 740},
                              timezone_id="Asia/Shanghai")
    pg = ctx.new_page()
    sign_in_on(pg, user.phone)
    return ctx, pg


def fresh_tally(convention_id):
    """The tally as the server has committed it."""
    db.session.rollback()
    return live_tally(db.session, db.session.get(Convention, convention_id))


def test_s3_phones_door_to_door_offline_with_a_conflict_then_adopted(browser, live, page, network, sign_in, s3):  # noqa: F811
    url = f"/conventions/{s3.convention.id}"
    for i, choice in [(0, "同意"), (1, "同意"), (2, "不同意")]:
        ctx, pg = phone(browser, live, s3.residents[i])
        pg.goto(url)
        pg.get_by_role("button", name=choice, exact=True).click()
        pg.get_by_text("您家的票已记下").wait_for()
        assert pg.locator('[data-tally="voted"]').inner_text() == f"{i + 1} / 6"
        ctx.close()

    sign_in(s3.head.phone)
    wait_for_service_worker(page)
    page.goto(url)
    expect_synced_once(page)
    assert page.get_by_text("还没投票的(3 户)").is_visible()

    # resident 3 votes on her own phone while the head is on the stairs
    ctx, pg = phone(browser, live, s3.residents[3])
    pg.goto(url)
    pg.get_by_role("button", name="不同意", exact=True).click()
    pg.get_by_text("您家的票已记下").wait_for()
    ctx.close()

    network.off()
    for household, choice in [(s3.households[3], "同意"), (s3.households[4], "同意"), (s3.households[5], "弃权")]:
        row = page.locator(f'form.record-vote[data-household="{household.id}"]')
        row.get_by_role("button", name=choice, exact=True).click()
        row.get_by_text("已存在手机上").wait_for()
    expect_waiting(page, 3)
    assert fresh_tally(s3.convention.id).voted == 4

    network.on()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    conflict_row = page.locator(f'form.record-vote[data-household="{s3.households[3].id}"]')
    conflict_row.get_by_text("这户已经自己投过票了(不同意)").wait_for(timeout=30_000)
    for household in s3.households[4:]:
        page.locator(f'form.record-vote[data-household="{household.id}"]').get_by_text("已登记").wait_for()
    tally = fresh_tally(s3.convention.id)
    assert (tally.voted, tally.yes, tally.no, tally.abstain) == (6, 3, 2, 1)
    assert db.session.scalar(select(Vote).where(Vote.household_id == s3.households[3].id)).channel == "online"

    page.reload()
    assert page.locator('[data-tally="voted"]').inner_text() == "6 / 6"
    assert page.locator('[data-tally="yes"]').inner_text() == "3"

    s3.clock.set(s3.closes_at + timedelta(minutes=5))
    page.reload()
    assert page.locator("[data-status]").first.inner_text() == "已通过"
    page.get_by_role("button", name="公布结果").click()
    page.get_by_text("已通过:同意 3 户,不同意 2 户,弃权 1 户。").wait_for()
    db.session.rollback()
    assert db.session.get(Convention, s3.convention.id).status == ConventionStatus.ADOPTED


def test_vote_missing_quorum_is_rejected(browser, live, page, sign_in, s3):  # noqa: F811
    url = f"/conventions/{s3.convention.id}"
    ctx, pg = phone(browser, live, s3.residents[0])
    pg.goto(url)
    pg.get_by_role("button", name="同意", exact=True).click()
    pg.get_by_text("您家的票已记下").wait_for()
    s3.clock.set(s3.closes_at + timedelta(minutes=1))
    pg.reload()
    assert pg.locator("[data-status]").first.inner_text() == "未通过"
    assert pg.get_by_role("button", name="同意", exact=True).count() == 0  # no voting after close
    ctx.close()
    sign_in(s3.head.phone)
    page.goto(url)
    page.get_by_role("button", name="公布结果").click()
    page.get_by_text("未通过:投票的户太少(6 户中 1 户)。").wait_for()
    db.session.rollback()
    assert db.session.get(Convention, s3.convention.id).status == ConventionStatus.REJECTED
