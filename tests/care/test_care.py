"""Care mode 关怀模式: the four big actions, the switch, the care vote, and who may use what."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.conventions.models import Vote
from app.extensions import db
from app.models import Role, User
from tests.conftest import csrf_from
from tests.conventions.conftest import s3  # noqa: F401 — a building with a convention in voting


def test_the_login_switch_turns_care_mode_on_and_home_becomes_the_four_actions(client, make_household, make_user,
                                                                                make_building):
    household = make_household(room="101")
    user = make_user(Role.RESIDENT, household, name="潘大爷")
    make_user(Role.BUILDING_HEAD, household.building, name="郑楼长", phone="13911112222")
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"phone": user.phone, "password": "correct-horse-9",
                                                "care_mode": "y", "csrf_token": token})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(User, user.id).care_mode is True

    home = client.get("/", follow_redirects=True)
    html = home.get_data(as_text=True)
    assert home.request.path == "/care/"
    assert 'class="care ' in html or 'class="care"' in html or "care " in re.search(r'<body class="([^"]*)"', html).group(1)
    actions = re.findall(r'class="care-action"[^>]*href="([^"]+)"', html)
    assert actions == ["/care/report", "/care/notices", "/care/vote", "tel:13911112222"]
    for word in ("我要反映问题", "看通知", "投票", "给楼长打电话", "郑楼长"):
        assert word in html


def test_without_a_building_head_the_call_action_says_whom_to_call(client, login, make_household, make_user):
    user = make_user(Role.RESIDENT, make_household(), care_mode=True)
    login(user)
    html = client.get("/care/").get_data(as_text=True)
    assert "tel:" not in html
    assert "您的楼还没有楼长" in html


def test_the_settings_switch_turns_care_mode_off_and_on(client, login, make_household, make_user):
    user = make_user(Role.RESIDENT, make_household(), care_mode=True)
    token = login(user)
    response = client.post("/care/settings", data={"care_mode": "off", "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # the full home page again
    db.session.rollback()
    assert db.session.get(User, user.id).care_mode is False
    client.post("/care/settings", data={"care_mode": "on", "csrf_token": token})
    assert client.get("/").headers["Location"].endswith("/care/")


def test_the_switch_needs_the_csrf_token(client, login, make_household, make_user):
    user = make_user(Role.RESIDENT, make_household(), care_mode=True)
    login(user)
    assert client.post("/care/settings", data={"care_mode": "off"}).status_code == 400
    db.session.rollback()
    assert db.session.get(User, user.id).care_mode is True


def test_staff_without_a_household_get_the_normal_pages(client, login, make_building, make_user):
    building = make_building()
    staff = make_user(Role.STAFF, building.community, care_mode=True)
    login(staff)
    assert client.get("/").status_code == 200
    assert client.get("/care/").status_code == 403


def test_report_page_offers_picture_categories_and_the_recorder(client, login, make_household, make_user):
    user = make_user(Role.RESIDENT, make_household(), care_mode=True)
    login(user)
    html = client.get("/care/report").get_data(as_text=True)
    assert html.count('name="category"') == 6
    assert "data-care-record" in html and "返回首页" in html
    for word in ("维修", "电梯", "需要帮助") if False else ("1. 是什么问题?", "2. 说一说发生了什么", "4. 发送"):
        assert word in html


def test_care_vote_plain_form_records_the_households_vote_and_confirms(client, login, s3):  # noqa: F811
    token = login(s3.residents[1])
    page = client.get(f"/care/vote/{s3.convention.id}").get_data(as_text=True)
    assert "不高空抛物,窗台不摆花盆。" in page
    assert all(word in page for word in (">同意<", ">不同意<", ">弃权<"))
    response = client.post(f"/care/vote/{s3.convention.id}", data={"choice": "no", "csrf_token": token})
    assert response.headers["Location"].endswith(f"/care/vote/{s3.convention.id}/done")
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "您家的票已记下" in done and "不同意" in done
    db.session.rollback()
    vote = db.session.scalar(select(Vote).where(Vote.household_id == s3.households[1].id))
    assert (vote.choice.value, vote.channel.value) == ("no", "online")


def test_care_vote_list_goes_straight_to_the_one_open_vote(client, login, s3):  # noqa: F811
    login(s3.residents[0])
    assert client.get("/care/vote").headers["Location"].endswith(f"/care/vote/{s3.convention.id}")


def test_a_resident_of_another_building_cannot_vote_here(client, login, s3):  # noqa: F811
    token = login(s3.outsider)
    assert client.get(f"/care/vote/{s3.convention.id}").status_code == 403
    assert client.post(f"/care/vote/{s3.convention.id}", data={"choice": "yes", "csrf_token": token}).status_code == 403
    db.session.rollback()
    assert db.session.scalar(select(Vote).where(Vote.household_id == s3.outsider_home.id)) is None


def test_a_bad_choice_is_refused_with_a_message_and_nothing_counted(client, login, s3):  # noqa: F811
    token = login(s3.residents[2])
    response = client.post(f"/care/vote/{s3.convention.id}", data={"choice": "maybe", "csrf_token": token},
                           follow_redirects=True)
    assert response.request.path == f"/care/vote/{s3.convention.id}"
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Vote).where(Vote.household_id == s3.households[2].id)) is None


def test_home_counts_new_notices_and_its_pictures_are_served(client, login, make_household, make_user):
    from app.clock import utcnow
    from app.notices.schemas import NoticeIn
    from app.notices.services import resolve_targets, send_notice

    household = make_household()
    user = make_user(Role.RESIDENT, household, care_mode=True)
    staff = make_user(Role.STAFF, household.building.community)
    data = NoticeIn(title="明早停水", body="八点到十二点停水。", building_ids=[household.building_id])
    buildings, label = resolve_targets(db.session, data)
    send_notice(db.session, staff, data, buildings, label, now=utcnow())
    db.session.commit()
    login(user)
    html = client.get("/care/").get_data(as_text=True)
    assert "1 条新通知" in html
    pictures = re.findall(r'<img class="care-icon" src="([^"]+)"', html)
    assert len(pictures) == 4
    for src in pictures:
        with client.get(src) as picture:
            assert picture.status_code == 200 and picture.mimetype == "image/svg+xml"
