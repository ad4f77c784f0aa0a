"""Consultation pages end to end: starting one with pictures for chosen buildings, party members, the outcome."""
import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from app.clock import LOCAL_TZ, utcnow
from app.consultations.models import Consultation
from app.consultations.services import add_comment, answer_poll
from app.extensions import db
from app.notifications.models import InboxItem
from app.uploads.models import Attachment
from tests.conftest import csrf_from
from tests.consultations.test_consultations import s4  # noqa: F401 — the pocket park and its people


def png() -> bytes:
    """A small picture, as a phone would upload it."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 40)).save(out, "PNG")
    return out.getvalue()


def local(moment) -> str:
    """A datetime-local form value."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def test_staff_ask_one_building_with_a_picture(client, login, s4):  # noqa: F811
    """The form's picture is kept with the consultation and shown; only the building asked sees it."""
    login(s4.staff)
    token = csrf_from(client.get("/consultations/new").get_data(as_text=True))
    one = s4.consultation.targets[0].building  # 1号楼: the engineer's; 2号楼 (the resident's) is not asked
    now = utcnow()
    response = client.post("/consultations/new", content_type="multipart/form-data", data={
        "csrf_token": token, "title": "1号楼加装电梯", "description": "请看效果图。", "targets": [f"b:{one.id}"],
        "phase2_opens_at": local(now), "phase2_closes_at": local(now + timedelta(days=7)),
        "images": (io.BytesIO(png()), "lift.png")})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    created = db.session.scalar(select(Consultation).where(Consultation.title == "1号楼加装电梯"))
    assert created.building_ids == [one.id]
    image = db.session.scalar(select(Attachment).where(Attachment.subject_type == "consultation",
                                                       Attachment.subject_id == created.id))
    assert image is not None
    login(s4.engineer)
    page = client.get(f"/consultations/{created.id}").get_data(as_text=True)
    assert f"/uploads/{image.uuid}/display" in page and 'alt="议事配图"' in page
    login(s4.resident)
    assert client.get(f"/consultations/{created.id}").status_code == 403
    assert "1号楼加装电梯" not in client.get("/consultations/").get_data(as_text=True)


def test_a_resident_staff_mark_as_party_member_takes_part_in_phase_1(client, login, s4):  # noqa: F811
    """Phase 1 is hidden from a resident until staff set the party-member flag; then she sees it and comments."""
    url = f"/consultations/{s4.consultation.id}"
    token = login(s4.resident)
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/comment", data={"csrf_token": token, "body": "我也想说"}).status_code == 404
    token = login(s4.staff)
    client.post(f"/consultations/party/{s4.resident.id}", data={"csrf_token": token, "member": "1"})
    token = login(s4.resident)
    assert "第一轮:党员和楼长" in client.get(url).get_data(as_text=True)
    client.post(f"{url}/comment", data={"csrf_token": token, "body": "加几盏路灯。"})
    assert [(c.phase, c.body) for c in db.session.get(Consultation, s4.consultation.id).comments] == [(1, "加几盏路灯。")]


def test_staff_see_every_comment_by_phase_and_the_outcome_lists_the_adopted(client, login, s4):  # noqa: F811
    """Grouped by phase; the adopted ones listed with the outcome, which reaches every participant once."""
    c = s4.consultation
    add_comment(db.session, s4.engineer, c, "种能吸附异味的植物。", now=utcnow())
    add_comment(db.session, s4.head, c, "加健身器材。", now=utcnow())
    s4.clock.set(s4.now + timedelta(days=9))
    add_comment(db.session, s4.resident, c, "晚上要有灯。", now=utcnow())
    answer_poll(db.session, s4.simple, c, [c.options[1].id], now=utcnow())  # took part by the poll only
    db.session.commit()
    url = f"/consultations/{c.id}"
    token = login(s4.staff)
    page = client.get(url).get_data(as_text=True)
    phase1, phase2 = page.index("<h3>第一轮:党员和楼长"), page.index("<h3>第二轮:全体居民")
    assert phase1 < page.index("种能吸附异味的植物。") < page.index("加健身器材。") < phase2 < page.index("晚上要有灯。")
    for comment in (c.comments[0], c.comments[2]):
        client.post(f"{url}/comments/{comment.id}/adopt", data={"csrf_token": token, "adopted": "1"})
    assert client.post(f"{url}/outcome", data={"csrf_token": token, "outcome": " "}).status_code == 302
    assert "请写明因为大家的意见改了什么。" in client.get(url).get_data(as_text=True)
    client.post(f"{url}/outcome", data={"csrf_token": token, "outcome": "加种了侧柏和桂花,装了路灯。", "close_phase": "1"})
    client.post(f"{url}/outcome", data={"csrf_token": token, "outcome": "再发一次"})
    assert "结果已经公布过了。" in client.get(url).get_data(as_text=True)
    login(s4.resident)
    page = client.get(url).get_data(as_text=True)
    outcome = page[page.index('class="card consultation-outcome"'):]
    outcome = outcome[:outcome.index("</section>")]
    assert "加种了侧柏和桂花,装了路灯。" in outcome and "再发一次" not in outcome
    assert "种能吸附异味的植物。" in outcome and "晚上要有灯。" in outcome and "加健身器材。" not in outcome
    told = db.session.scalars(select(InboxItem.user_id).where(InboxItem.url == url)).all()
    assert sorted(told) == sorted(u.id for u in (s4.engineer, s4.head, s4.resident, s4.simple))


def test_a_consultation_holds_several_pictures(client, login, s4):  # noqa: F811
    """A description "with images": the plan and the site, both kept and shown in the order given."""
    login(s4.staff)
    token = csrf_from(client.get("/consultations/new").get_data(as_text=True))
    community = s4.consultation.targets[0].building.community
    now = utcnow()
    response = client.post("/consultations/new", content_type="multipart/form-data", data={
        "csrf_token": token, "title": "口袋公园方案二", "description": "方案图和现场照片。", "targets": [f"c:{community.id}"],
        "phase2_opens_at": local(now), "phase2_closes_at": local(now + timedelta(days=7)),
        "images": [(io.BytesIO(png()), "plan.png"), (io.BytesIO(png()), "site.png")]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    created = db.session.scalar(select(Consultation).where(Consultation.title == "口袋公园方案二"))
    images = db.session.scalars(select(Attachment).where(Attachment.subject_type == "consultation",
                                                         Attachment.subject_id == created.id).order_by(Attachment.id)).all()
    assert [i.filename for i in images] == ["plan.png", "site.png"]
    page = client.get(f"/consultations/{created.id}").get_data(as_text=True)
    assert page.index(f"/uploads/{images[0].uuid}/display") < page.index(f"/uploads/{images[1].uuid}/display")


def test_a_refused_picture_keeps_the_form_and_publishes_nothing(client, login, s4):  # noqa: F811
    login(s4.staff)
    token = csrf_from(client.get("/consultations/new").get_data(as_text=True))
    community = s4.consultation.targets[0].building.community
    now = utcnow()
    page = client.post("/consultations/new", content_type="multipart/form-data", data={
        "csrf_token": token, "title": "口袋公园方案三", "description": "方案图。", "targets": [f"c:{community.id}"],
        "phase2_opens_at": local(now), "phase2_closes_at": local(now + timedelta(days=7)),
        "images": [(io.BytesIO(png()), "plan.png"), (io.BytesIO(b"not a picture"), "notes.png")]})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="images-error"' in html and "notes.png" in html
    assert db.session.scalar(select(Consultation).where(Consultation.title == "口袋公园方案三")) is None
    assert db.session.scalar(select(Attachment).where(Attachment.subject_type == "consultation")) is None
