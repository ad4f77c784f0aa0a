"""S4: the pocket park — phase 1 for party members and building heads, phase 2 for everyone, the outcome."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.permissions import can
from app.clock import utcnow
from app.commands import Refused
from app.consultations.models import Consultation, ConsultationAnswer
from app.consultations.services import (
    add_comment,
    answer_poll,
    create_consultation,
    current_phase,
    poll_results,
    publish_outcome,
)
from app.extensions import db
from app.models import Role, User
from app.notifications.models import InboxItem
from tests.conftest import csrf_from
from tests.conventions.test_races import at_once
from tests.query_count import queries_for


@pytest.fixture
def s4(make_building, make_household, make_user, frozen_clock):
    """芳群园一区 in miniature: two buildings, two party members, a head, residents, staff; phase 1 open."""
    one = make_building("1号楼")
    two = make_building("2号楼", community=one.community)
    homes = [make_household(b, room=f"{i}01") for b in (one, two) for i in range(1, 3)]
    engineer = make_user(Role.RESIDENT, homes[0], name="供电工程师", is_party_member=True)
    simple = make_user(Role.RESIDENT, homes[1], name="老党员", is_party_member=True)
    head = make_user(Role.BUILDING_HEAD, two, name="楼长")
    resident = make_user(Role.RESIDENT, homes[2], name="普通居民")
    staff = make_user(Role.STAFF, one.community, name="钱书记")
    outsider = make_user(Role.RESIDENT, make_household(make_building("别处")), name="外人")
    now = utcnow()
    consultation = create_consultation(
        db.session, staff, title="南门口袋公园", description="800 平方米空地建口袋公园。", buildings=[one, two],
        scope_label=one.community.name, phase1_opens_at=now, phase1_closes_at=now + timedelta(days=7),
        phase2_opens_at=now + timedelta(days=8), phase2_closes_at=now + timedelta(days=15),
        poll_question="最想要什么?", poll_options=["绿植", "长椅", "健身器材"], poll_multiple=True, now=now)
    db.session.commit()
    return type("S4", (), {"consultation": consultation, "engineer": engineer, "simple": simple, "head": head,
                           "resident": resident, "staff": staff, "outsider": outsider, "clock": frozen_clock,
                           "now": now})


def test_two_phases_comments_outcome(s4):
    c = s4.consultation
    assert current_phase(c, utcnow()) == 1
    add_comment(db.session, s4.engineer, c, "种能吸附异味的植物。", now=utcnow())
    add_comment(db.session, s4.simple, c, "简单一点。", now=utcnow())
    add_comment(db.session, s4.head, c, "加健身器材。", now=utcnow())
    with pytest.raises(Refused, match="第一轮"):
        add_comment(db.session, s4.resident, c, "我也想说", now=utcnow())
    s4.clock.set(s4.now + timedelta(days=9))
    assert current_phase(c, utcnow()) == 2
    add_comment(db.session, s4.resident, c, "晚上要有灯。", now=utcnow())
    answer_poll(db.session, s4.resident, c, [c.options[0].id, c.options[2].id], now=utcnow())
    answer_poll(db.session, s4.resident, c, [c.options[1].id], now=utcnow())  # replaces
    assert [n for _o, n in poll_results(db.session, c)] == [0, 1, 0]
    c.comments[0].adopted = True
    people = publish_outcome(db.session, s4.staff, c, "加种了侧柏和桂花。", now=utcnow(), close_phase=True)
    db.session.commit()
    assert {p.name for p in people} == {"供电工程师", "老党员", "楼长", "普通居民"}
    inbox = db.session.scalars(select(InboxItem).where(InboxItem.user_id == s4.resident.id)).all()
    assert inbox and inbox[0].url == f"/consultations/{c.id}"
    assert current_phase(c, utcnow()) is None
    with pytest.raises(Refused):
        add_comment(db.session, s4.resident, c, "还能说吗", now=utcnow())


def test_poll_bad_input(s4):
    c = s4.consultation
    with pytest.raises(Refused):
        answer_poll(db.session, s4.engineer, c, [], now=utcnow())
    with pytest.raises(Refused):
        answer_poll(db.session, s4.engineer, c, [999999], now=utcnow())
    c.poll_multiple = False
    with pytest.raises(Refused, match="只能选一项"):
        answer_poll(db.session, s4.engineer, c, [c.options[0].id, c.options[1].id], now=utcnow())
    assert db.session.scalar(select(ConsultationAnswer)) is None


@pytest.mark.parametrize(("who", "manage", "view"), [
    ("staff", True, True), ("engineer", False, True), ("resident", False, True), ("head", False, True),
    ("outsider", False, False)])
def test_permission_matrix(s4, who, manage, view):
    user = getattr(s4, who)
    assert can(user, "consultation.manage", s4.consultation) is manage
    assert can(user, "consultation.view", s4.consultation) is view
    assert can(user, "consultation.compose") is (who == "staff")


def test_pages_phase1_hidden_from_residents_then_outcome(client, login, s4):
    url = f"/consultations/{s4.consultation.id}"
    login(s4.resident)
    assert client.get(url).status_code == 404
    assert "南门口袋公园" not in client.get("/consultations/").get_data(as_text=True)
    token = login(s4.engineer)
    page = client.get(url).get_data(as_text=True)
    assert "第一轮:党员和楼长" in page
    client.post(f"{url}/comment", data={"csrf_token": token, "body": "种能吸附异味的植物。"})
    s4.clock.set(s4.now + timedelta(days=9))
    token = login(s4.resident)
    page = client.get(url).get_data(as_text=True)
    assert "种能吸附异味的植物" in page and "第二轮:全体居民" in page
    client.post(f"{url}/comment", data={"csrf_token": token, "body": "晚上要有灯。"})
    bad = client.post(f"{url}/poll", data={"csrf_token": token, "option": "abc"})
    assert bad.status_code == 302 and "请选一个答案" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/outcome", data={"csrf_token": token, "outcome": "x"}).status_code == 403
    token = login(s4.staff)
    comment_id = s4.consultation.comments[0].id
    client.post(f"{url}/comments/{comment_id}/adopt", data={"csrf_token": token, "adopted": "1"})
    client.post(f"{url}/outcome", data={"csrf_token": token, "outcome": "加种了侧柏和桂花。", "close_phase": "1"})
    login(s4.resident)
    page = client.get(url).get_data(as_text=True)
    assert "因为您的意见,我们改了这些" in page and "加种了侧柏和桂花" in page
    assert "采纳进方案的意见" in page
    assert db.session.get(Consultation, s4.consultation.id).outcome_at is not None


def test_staff_start_a_consultation_and_mark_party_members(client, login, s4):
    token = login(s4.staff)
    page = client.get("/consultations/new").get_data(as_text=True)
    token = csrf_from(page)
    community = s4.consultation.targets[0].building.community
    response = client.post("/consultations/new", data={
        "csrf_token": token, "title": "停车位怎么划", "description": "请大家出主意。", "targets": [f"c:{community.id}"],
        "phase2_opens_at": "2026-09-23T16:00", "phase2_closes_at": "2026-09-30T16:00"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    created = db.session.scalar(select(Consultation).where(Consultation.title == "停车位怎么划"))
    assert len(created.targets) == 2
    assert "普通居民" in client.get("/consultations/party").get_data(as_text=True)
    client.post(f"/consultations/party/{s4.resident.id}", data={"csrf_token": token, "member": "1"})
    db.session.refresh(s4.resident)
    assert s4.resident.is_party_member
    assert client.post(f"/consultations/party/{s4.outsider.id}", data={"csrf_token": token, "member": "1"}).status_code == 403


def test_demo_s4(app):
    """`flask demo` loads the pocket park with the three phase-1 comments, once."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    park = db.session.scalar(select(Consultation))
    assert "800" in park.description and len(park.comments) == 3 and {c.phase for c in park.comments} == {1}
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert len(db.session.scalars(select(Consultation)).all()) == 1


@pytest.mark.postgres  # row locks: SQLite has only one writer at a time
def test_two_answers_at_once_to_a_single_choice_poll_leave_one(app, s4):
    c = s4.consultation
    c.poll_multiple = False
    s4.clock.set(s4.now + timedelta(days=9))
    db.session.commit()

    def answer(option_index):
        def write(session):
            return answer_poll(session, session.get(User, s4.resident.id), session.get(Consultation, c.id),
                               [c.options[option_index].id], now=utcnow())
        return write

    outcome = at_once(app, answer(0), answer(1))
    assert "error" not in outcome, outcome.get("error")
    chosen = db.session.scalars(select(ConsultationAnswer.option_id)
                                .where(ConsultationAnswer.user_id == s4.resident.id)).all()
    assert chosen == [c.options[1].id]


@pytest.mark.parametrize("who", ["staff", "resident"])
def test_the_list_issues_the_same_queries_for_2_and_8_consultations(client, login, s4, who):
    buildings = [t.building for t in s4.consultation.targets]

    def start(n):
        now = utcnow()
        for i in range(n):
            create_consultation(db.session, s4.staff, title=f"议题{i}", description="请大家出主意。",
                                buildings=buildings, scope_label="", phase2_opens_at=now - timedelta(days=1),
                                phase2_closes_at=now + timedelta(days=7), now=now)
        db.session.commit()

    start(1)  # with the fixture's: 2
    login(getattr(s4, who))
    few = queries_for(client, "/consultations/")
    start(6)
    page = client.get("/consultations/").get_data(as_text=True)
    assert page.count("第二轮:全体居民") == 7
    assert queries_for(client, "/consultations/") == few


def test_the_page_issues_the_same_queries_for_2_and_10_comments(client, login, s4, make_household, make_user):
    c = s4.consultation
    s4.clock.set(s4.now + timedelta(days=9))  # phase 2: everyone may comment
    building = c.targets[0].building

    def comment(n):
        for i in range(n):
            author = make_user(Role.RESIDENT, make_household(building), name=f"邻居{i}")
            add_comment(db.session, author, c, f"意见{i}", now=utcnow())
        db.session.commit()

    comment(2)
    login(s4.staff)
    url = f"/consultations/{c.id}"
    few = queries_for(client, url)
    comment(8)
    assert client.get(url).get_data(as_text=True).count("邻居") == 10
    assert queries_for(client, url) == few


def test_a_phase_1_picture_shows_only_to_those_who_see_the_page(client, login, s4):
    """Before phase 2 a resident gets 404 for the page, and so no picture of it either."""
    import io
    import uuid as uuidlib

    from PIL import Image

    from app.uploads.services import link_attachments, save_upload

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 40)).save(out, "PNG")
    image = save_upload(db.session, owner=s4.staff, uuid=str(uuidlib.uuid4()), filename="park.png",
                        data=out.getvalue(), upload_root=client.application.config["UPLOAD_FOLDER"], now=utcnow())
    link_attachments(db.session, [image], "consultation", s4.consultation.id)
    db.session.commit()
    url = f"/uploads/{image.uuid}/display"

    def status():
        with client.get(url) as response:  # closes the file it sends
            return response.status_code

    login(s4.engineer)
    assert status() == 200
    login(s4.resident)
    assert client.get(f"/consultations/{s4.consultation.id}").status_code == 404
    assert status() == 403
    s4.clock.set(s4.now + timedelta(days=9))
    assert status() == 200


def test_a_bad_schedule_is_explained_next_to_the_field_to_correct(client, login, s4):
    """The message sits under (and is tied to) the close time, not under the title."""
    login(s4.staff)
    token = csrf_from(client.get("/consultations/new").get_data(as_text=True))
    community = s4.consultation.targets[0].building.community
    page = client.post("/consultations/new", data={
        "csrf_token": token, "title": "停车位怎么划", "description": "请大家出主意。", "targets": [f"c:{community.id}"],
        "phase2_opens_at": "2026-09-30T16:00", "phase2_closes_at": "2026-09-23T16:00"}).get_data(as_text=True)
    assert '<p class="error" id="phase2_closes_at-error">每一轮的结束时间要晚于开始时间' in page
    assert 'id="title-error"' not in page
    assert db.session.scalar(select(Consultation).where(Consultation.title == "停车位怎么划")) is None


def test_an_outcome_while_phase_2_runs_is_refused_unless_the_phase_is_closed(s4):
    c = s4.consultation
    s4.clock.set(s4.now + timedelta(days=9))  # phase 2: 6 more days
    closes_at = c.phase2_closes_at
    with pytest.raises(Refused, match="还有 6 天") as refused:
        publish_outcome(db.session, s4.staff, c, "加种了侧柏和桂花。", now=utcnow())
    assert refused.value.code == "confirm" and "close_phase" in refused.value.fields
    assert c.outcome_at is None and c.phase2_closes_at == closes_at and current_phase(c, utcnow()) == 2
    publish_outcome(db.session, s4.staff, c, "加种了侧柏和桂花。", now=utcnow(), close_phase=True)
    assert c.phase2_closes_at == utcnow() and current_phase(c, utcnow()) is None  # publishing closed the phase
    with pytest.raises(Refused):
        answer_poll(db.session, s4.resident, c, [c.options[0].id], now=utcnow())


def test_an_outcome_before_phase_2_opens_closes_both_phases(s4):
    c = s4.consultation  # phase 1 open, phase 2 a week away
    with pytest.raises(Refused, match="还有 15 天"):
        publish_outcome(db.session, s4.staff, c, "不建了。", now=utcnow())
    publish_outcome(db.session, s4.staff, c, "不建了。", now=utcnow(), close_phase=True)
    assert current_phase(c, utcnow()) is None
    s4.clock.set(s4.now + timedelta(days=9))
    assert current_phase(c, utcnow()) is None  # phase 2 does not open later


def test_after_phase_2_has_closed_no_confirmation_is_needed(s4):
    c = s4.consultation
    s4.clock.set(s4.now + timedelta(days=16))
    closes_at = c.phase2_closes_at
    publish_outcome(db.session, s4.staff, c, "加种了侧柏和桂花。", now=utcnow())
    assert c.outcome_at == utcnow() and c.phase2_closes_at == closes_at  # its dates stay as they were


def test_the_page_asks_first_and_the_command_refuses_without_the_tick(client, login, s4):
    c = s4.consultation
    s4.clock.set(s4.now + timedelta(days=9))
    url = f"/consultations/{c.id}"
    token = login(s4.staff)
    page = client.get(url).get_data(as_text=True)
    assert "第二轮还在进行,到" in page and "(还有 6 天)" in page
    assert 'name="close_phase" value="1" required' in page and "现在结束第二轮并公布" in page
    response = client.post(f"{url}/outcome", data={"csrf_token": token, "outcome": "加种了侧柏和桂花。"})
    assert response.status_code == 302
    assert "勾选“现在结束第二轮”" in client.get(url).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Consultation, c.id).outcome_at is None
    client.post(f"{url}/outcome", data={"csrf_token": token, "outcome": "加种了侧柏和桂花。", "close_phase": "1"})
    db.session.expire_all()
    published = db.session.get(Consultation, c.id)
    assert published.outcome_at is not None and current_phase(published, utcnow()) is None
    assert 'name="close_phase"' not in client.get(url).get_data(as_text=True)
