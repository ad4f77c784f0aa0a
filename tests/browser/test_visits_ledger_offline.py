"""The building head's ledger and a household's page, opened once with signal, work in the stairwell without it."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Role
from app.visits.models import Visit
from tests.browser.conftest import expect_synced_once, expect_waiting, wait_for_service_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def building(make_building, make_household, make_user):
    """6号楼 with a man living alone at 7门 101, a neighbour, and its building head."""
    b = make_building("6号楼")
    make_household(b, unit="7门", room="101", members="潘建国", lives_alone=True, no_smartphone=True)
    make_household(b, unit="7门", room="102", members="王秀英")
    head = make_user(Role.BUILDING_HEAD, b, name="孙楼长")
    return b, head


def test_ledger_and_household_page_offline_then_a_visit_from_there(page, network, sign_in, building):
    b, head = building
    lonely = b.households[0]
    sign_in(head.phone)
    wait_for_service_worker(page)
    for url in (f"/visits/ledger/{b.id}", f"/visits/households/{lonely.id}", f"/visits/new?building={b.id}"):
        page.goto(url)  # each opened once with signal
    expect_synced_once(page)

    network.off()
    page.goto(f"/visits/ledger/{b.id}")
    assert page.get_by_role("cell", name="潘建国").is_visible() and page.get_by_role("cell", name="王秀英").is_visible()
    page.get_by_role("link", name="7门 101").click()
    page.get_by_role("link", name="入户走访").click()  # the form, with this household already chosen
    page.wait_for_url(f"**/visits/new?building={b.id}#household={lonely.id}")
    assert page.get_by_label("住户").input_value() == str(lonely.id)
    page.get_by_label("走访类型").select_option("elderly_care")
    page.get_by_label("备注").fill("子女在外地,一个人闷得慌")
    page.get_by_label("发现的需求(可不填)").fill("想有人常来说说话")
    page.get_by_label("转介给(可不填)").fill("养老驿站陪伴服务")
    page.get_by_label("下次回访日期(可不填)").fill("2026-12-01")
    page.get_by_role("button", name="保存走访").click()
    page.get_by_text("7门 101 的走访已保存在手机上").wait_for()
    expect_waiting(page, 1)

    network.on()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect_waiting(page, 0, timeout=30_000)
    db.session.rollback()
    visit = db.session.scalar(select(Visit))
    assert (visit.household_id, visit.kind.value, visit.follow_up_on.isoformat()) == (lonely.id, "elderly_care", "2026-12-01")
    assert [(n.text, n.status.value, n.referral) for n in visit.needs] == [("想有人常来说说话", "referred", "养老驿站陪伴服务")]
