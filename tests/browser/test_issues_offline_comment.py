"""A comment written on a problem's page with no signal is kept on the phone and posted when back online."""
import uuid
from datetime import timedelta

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models import Role
from app.problems import services
from app.problems.models import Category, ProblemEvent
from tests.browser.conftest import expect_synced_once, expect_waiting, wait_for_service_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def opened(make_building, make_household, make_user):
    """A resident's problem, reported an hour ago."""
    building = make_building("6号楼")
    home = make_household(building, unit="6门", room="302")
    resident = make_user(Role.RESIDENT, home, name="李居民")
    problem = services.report_problem(db.session, resident, building, category=Category.REPAIRS, household=home,
                                      text="单元门门禁锁坏了", now=utcnow() - timedelta(hours=1), uuid=str(uuid.uuid4()))
    db.session.commit()
    return {"resident": resident, "problem": problem}


def test_offline_comment_is_sent_later(page, network, sign_in, opened):
    """Offline: the comment waits in the outbox (count 1); online again: it is on the timeline."""
    sign_in(opened["resident"].phone)
    wait_for_service_worker(page)
    url = f"/issues/{opened['problem'].id}"
    page.goto(url)
    expect_synced_once(page)
    network.off()
    page.reload()
    page.get_by_label("您的意见").fill("晚上还是关不上,请尽快修")  # residents comment (issue 17 point 8)
    page.get_by_role("button", name="发表评论").click()
    page.get_by_text("已保存在手机上,有信号时会自动发出。").wait_for()
    expect_waiting(page, 1)
    db.session.rollback()
    assert db.session.query(ProblemEvent).filter_by(kind="comment").count() == 0
    network.on()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect_waiting(page, 0, timeout=20_000)
    db.session.rollback()
    comment = db.session.query(ProblemEvent).filter_by(kind="comment").one()
    assert comment.text == "晚上还是关不上,请尽快修" and comment.actor_id == opened["resident"].id
    page.goto(url)
    assert "晚上还是关不上" in page.locator(".timeline").inner_text()
