"""The building's directory in Chromium: opened once, its numbers are there with no network; large in care mode."""
from __future__ import annotations

import pytest

from app.directory.models import DirectoryEntry, EntryKind
from app.extensions import db
from app.models import Department, DepartmentKind, Role
from tests.browser.conftest import wait_for_service_worker
from tests.browser.test_a11y import MEASURE_TARGETS, WCAG_TAGS, axe

pytestmark = pytest.mark.browser

NUMBERS = ["13800000003", "010-67610001", "010-67610012", "12345"]


@pytest.fixture
def building(make_building, make_user):
    """6号楼 with its head, its property company, a legal-service specialist and 12345."""
    six = make_building("6号楼")
    six.property_department = Department(name="方庄物业服务中心", kind=DepartmentKind.PROPERTY,
                                         duty_phone="010-67610001")
    make_user(Role.BUILDING_HEAD, six, name="孙楼长", phone="13800000003")
    db.session.add_all([
        DirectoryEntry(building=six, kind=EntryKind.LEGAL, name="刘律师", phone="010-67610012", position=1),
        DirectoryEntry(building=six, kind=EntryKind.HOTLINE, name="北京市民热线", phone="12345", position=2),
    ])
    db.session.commit()
    return six


def phone_links(page) -> list[tuple[str, str]]:
    """(href, number shown) of every contact on the page."""
    return [(a.get_attribute("href"), a.locator(".directory-phone").inner_text())
            for a in page.locator("a.directory-call").all()]


def test_the_directory_opened_once_works_offline(page, network, sign_in, building, make_household, make_user):
    resident = make_user(Role.RESIDENT, make_household(building, room="302"), name="李居民")
    sign_in(resident.phone)
    wait_for_service_worker(page)
    page.get_by_role("link", name="打开通讯录(打开过后没有网络也能看)").click()  # from the home page's card
    page.get_by_role("heading", name="通讯录 · ").wait_for()
    online = phone_links(page)
    assert [number for _href, number in online] == NUMBERS
    assert online[1][0] == "tel:01067610001"
    address = page.url

    network.off()  # context.set_offline(True), and the server stops answering too
    page.goto("/")
    page.goto(address)
    assert page.locator("[data-offline-banner]").is_visible()
    assert phone_links(page) == online
    page.reload()
    assert phone_links(page) == online
    assert page.get_by_role("link", name="热线 北京市民热线 12345").is_visible()
    network.on()


@pytest.mark.parametrize("care", [False, True])
def test_every_number_is_a_big_enough_target(page, sign_in, building, make_household, make_user, care):
    """44 px targets (64 px and 24 px type in care mode) on the directory page, and on care mode's home page."""
    resident = make_user(Role.RESIDENT, make_household(building, room="101"), name="潘大爷", care_mode=care)
    sign_in(resident.phone)
    if care:
        page.wait_for_url("**/care/")
        assert page.locator("a.care-action[href='tel:13800000003']").is_visible()  # 给楼长打电话, the first entry
        assert [n for _h, n in phone_links(page)] == NUMBERS[1:]
        assert page.evaluate(MEASURE_TARGETS, [64, True]) == []
    page.goto(f"/directory/buildings/{building.id}")
    assert [n for _h, n in phone_links(page)] == NUMBERS
    minimum = 64 if care else 44
    assert page.evaluate(MEASURE_TARGETS, [minimum, care]) == []
    heights = page.eval_on_selector_all("a.directory-call", "els => els.map((a) => a.getBoundingClientRect().height)")
    assert min(heights) >= minimum
    font = page.eval_on_selector("a.directory-call .directory-name", "el => parseFloat(getComputedStyle(el).fontSize)")
    assert font >= (24 if care else 17)
    assert axe(page, {"runOnly": {"type": "tag", "values": WCAG_TAGS}}) == []
