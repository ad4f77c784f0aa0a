"""Opening a problem's page reads its news: my inbox items about it are marked read (issue.mark_read
through the outbox), and the header's badge follows; other problems' items stay unread."""
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.clock import utcnow
from app.extensions import db
from app.models import Role
from app.notifications.models import InboxItem
from app.notifications.services import notify
from app.problems import services
from app.problems.models import Category
from tests.browser.conftest import expect_waiting, wait_for_service_worker

pytestmark = pytest.mark.browser


def test_opening_a_problem_marks_its_news_read(page, sign_in, make_building, make_household, make_user):
    building = make_building("6号楼")
    home = make_household(building, unit="6门", room="302")
    resident = make_user(Role.RESIDENT, home, name="李居民")
    now = utcnow() - timedelta(hours=1)
    lock, light = (services.report_problem(db.session, resident, building, category=Category.REPAIRS, household=home,
                                           text=text, now=now, uuid=str(uuid.uuid4())) for text in ("单元门锁坏了", "楼道灯不亮"))
    for problem in (lock, light):
        notify(db.session, [resident], "issue.update", "社区回复了", "明早来修", f"/issues/{problem.id}", now=now,
               subject=f"problem:{problem.id}")
    db.session.commit()
    sign_in(resident.phone)
    wait_for_service_worker(page)
    page.goto("/")
    expect(page.locator("[data-inbox-unread]")).to_have_text("2")
    page.goto(f"/issues/{lock.id}")
    expect_waiting(page, 0)
    expect(page.locator("[data-inbox-unread]")).to_have_text("1")
    db.session.rollback()
    unread = {item.url for item in db.session.query(InboxItem).filter_by(user_id=resident.id, read_at=None)}
    assert unread == {f"/issues/{light.id}"}
