"""What people see of a building's directory 通讯录: the entries, each a tel: link, where they look for it."""
from __future__ import annotations

import re

from app.extensions import db
from app.models import Role

CALLS = re.compile(r'<a class="directory-call" href="(tel:[^"]+)" data-kind="([^"]+)">\s*'
                   r'<span class="directory-label">([^<]*)</span>\s*<span class="directory-name">([^<]*)</span>')


def calls(html: str) -> list[tuple[str, str, str, str]]:
    """(tel: address, kind, role label, name) of each contact on the page, in order."""
    return CALLS.findall(html)


def test_a_resident_sees_the_whole_directory_as_tel_links(client, login, six):
    login(six["resident"])
    response = client.get(f"/directory/buildings/{six['building'].id}")
    assert response.status_code == 200
    assert calls(response.get_data(as_text=True)) == [
        ("tel:13800000003", "head", "楼长", "孙楼长"),
        ("tel:01067610001", "property", "物业", "方庄物业服务中心"),
        ("tel:13800000002", "staff", "包楼居干", "钱书记"),
        ("tel:01067610012", "legal", "法律服务专员", "刘律师"),
        ("tel:12345", "hotline", "热线", "北京市民热线"),
    ]
    html = response.get_data(as_text=True)
    assert "010-67610012" in html  # the number as typed is what people read
    assert "添加一条" not in html and "/edit" not in html  # residents only read


def test_my_directory_is_my_buildings_page_without_a_redirect(client, login, six):
    login(six["resident"])
    response = client.get("/directory/")
    assert response.status_code == 200  # a redirect is never kept by the service worker
    assert len(calls(response.get_data(as_text=True))) == 5


def test_a_resident_of_another_building_is_refused(client, login, six):
    login(six["outsider"])
    assert client.get(f"/directory/buildings/{six['building'].id}").status_code == 403
    assert client.get("/directory/buildings/999999").status_code == 404


def test_heads_are_live_from_their_roles(client, login, six, make_user):
    """A head appointed later shows at once; a switched-off account no longer does, nor a staff entry's account."""
    second = make_user(Role.BUILDING_HEAD, six["building"], name="周楼长", phone="13911112222")
    login(six["resident"])
    names = [c[3] for c in calls(client.get(f"/directory/buildings/{six['building'].id}").get_data(as_text=True))]
    assert names[:2] == ["孙楼长", "周楼长"]
    second.active = False
    six["staff"].phone = "13811110000"
    db.session.commit()
    found = calls(client.get(f"/directory/buildings/{six['building'].id}").get_data(as_text=True))
    assert "周楼长" not in [c[3] for c in found]
    assert ("tel:13811110000", "staff", "包楼居干", "钱书记") in found  # the entry follows the account


def test_the_residents_and_the_heads_home_pages_show_the_directory(client, login, six):
    for who in ("resident", "head"):
        login(six[who])
        html = client.get("/").get_data(as_text=True)
        assert "通讯录 · " in html, who
        assert "tel:12345" in html and "tel:13800000003" in html, who
        assert f'href="/directory/buildings/{six["building"].id}"' in html, who


def test_staff_get_the_directories_card_not_a_building_on_their_home_page(client, login, six):
    login(six["staff"])
    html = client.get("/").get_data(as_text=True)
    assert 'href="/directory/"' in html and "楼门通讯录" in html
    assert "tel:12345" not in html


def test_staff_over_several_buildings_pick_one_with_search(client, login, six, make_building):
    make_building("8号楼", community=six["building"].community)
    login(six["staff"])
    html = client.get("/directory/").get_data(as_text=True)
    assert "6号楼" in html and "8号楼" in html
    html = client.get("/directory/?q=8号").get_data(as_text=True)
    assert "8号楼" in html and "6号楼" not in html


def test_care_mode_shows_the_directory_in_large_type(client, login, six):
    """The call-the-head action is the directory's first entry; the rest follow in the care page's large type."""
    six["resident"].care_mode = True
    db.session.commit()
    login(six["resident"])
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert re.search(r'<body class="care', html)
    actions = re.findall(r'class="care-action"[^>]*href="([^"]+)"', html)
    assert actions[-1] == "tel:13800000003"
    assert "给楼长打电话" in html and "孙楼长" in html
    care_list = html[html.index('id="care-directory-list"'):]
    assert [c[0] for c in calls(care_list)] == ["tel:01067610001", "tel:13800000002", "tel:01067610012", "tel:12345"]
    page = client.get(f"/directory/buildings/{six['building'].id}").get_data(as_text=True)
    assert re.search(r'<body class="care', page) and len(calls(page)) == 5


def test_the_directory_page_may_be_kept_offline(client, login, six):
    """The service worker keeps every page but no-store ones (static/sw.js): this one must not be."""
    login(six["resident"])
    response = client.get(f"/directory/buildings/{six['building'].id}")
    assert "no-store" not in response.headers.get("Cache-Control", "")
