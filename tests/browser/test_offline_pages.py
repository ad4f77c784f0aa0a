"""Pages people go to when the signal is gone (issue 17, point 13): the sync page opens offline even if never
visited; the inbox, a convention and a problem opened before open offline too."""
import uuid

import pytest
from playwright.sync_api import expect

from app.clock import utcnow
from app.extensions import db
from app.problems.models import Category
from app.problems.services import report_problem
from tests.browser.conftest import wait_for_service_worker
from tests.conventions.conftest import s3  # noqa: F401 — the S3 building and its people

pytestmark = pytest.mark.browser


def test_the_sync_page_opens_offline_though_never_visited(page, network, sign_in, s3):  # noqa: F811
    sign_in(s3.head.phone)
    wait_for_service_worker(page)
    page.wait_for_function("""async () => Boolean(await (await caches.open('pages-v1')).match('/sync'))""")
    network.off()
    page.evaluate("""() => import('/static/js/outbox.js').then((o) => o.enqueue('vote.cast',
        {convention_id: 1, household_id: 1, choice: 'yes', channel: 'door_to_door'}, [],
        {convention: '24号楼楼门公约', household: '1门 401'}))""")
    page.goto("/sync")
    expect(page.get_by_role("heading", name="待发送", exact=True)).to_be_visible()
    waiting = page.locator("[data-sync-waiting] li.card")
    expect(waiting).to_contain_text("公约: 24号楼楼门公约")  # its script runs offline too
    expect(page.locator("[data-offline-banner]")).to_be_visible()


def test_inbox_convention_and_problem_pages_opened_before_open_offline(page, network, sign_in, s3):  # noqa: F811
    resident, household = s3.residents[1], s3.households[1]
    problem = report_problem(db.session, resident, household.building, category=Category.REPAIRS, text="楼道灯不亮",
                             now=utcnow(), uuid=str(uuid.uuid4()), household=household, reporter=resident)
    db.session.commit()
    pages = {"/notices/": "我的消息", f"/conventions/{s3.convention.id}": "24号楼楼门公约",
             f"/issues/{problem.id}": "楼道灯不亮"}
    sign_in(resident.phone)
    wait_for_service_worker(page)
    for url in pages:
        page.goto(url)
    network.off()
    for url, words in pages.items():
        page.goto(url)
        expect(page.get_by_text(words).first).to_be_visible()
        expect(page.get_by_role("heading", name="现在没有网络")).to_have_count(0)
