"""The problem pages and the permission matrix (each role × each action, forbidden ones change nothing)."""
import io
import uuid
from datetime import UTC, datetime

import pytest
from PIL import Image

from app.extensions import db
from app.models import Role
from app.problems import services
from app.problems.models import Category, Problem, ProblemEvent
from app.uploads.models import Attachment
from tests.conftest import csrf_from

T0 = datetime(2026, 9, 22, 23, 33, tzinfo=UTC)


@pytest.fixture
def problem(world):
    p = services.report_problem(db.session, world.resident, world.household.building, category=Category.REPAIRS,
                                text="单元门锁坏了", household=world.household, now=T0, uuid=str(uuid.uuid4()))
    db.session.commit()
    return p


def token(client, url="/"):
    return client.get("/api/v1/csrf").get_json()["csrf_token"]


ACTIONS = {
    "update": lambda p, d: (f"/issues/{p.id}/update", {"update-text": "进展"}),
    "note": lambda p, d: (f"/issues/{p.id}/update", {"update-text": "内部", "update-internal": "y"}),
    "escalate": lambda p, d: (f"/issues/{p.id}/escalate", {"escalate-reason": "需要社区"}),
    "dispatch": lambda p, d: (f"/issues/{p.id}/dispatch", {"dispatch-departments": [d.id]}),
    "resolve": lambda p, d: (f"/issues/{p.id}/resolve", {"resolve-text": "修好了"}),
}
ALLOWED = {
    "resident": {"update"},  # a comment, not a response
    "neighbour": {"update"},
    "head": {"update", "escalate"},
    "staff": {"update", "note", "escalate", "dispatch", "resolve"},  # staff escalate straight to the street
    "street": {"update", "note", "dispatch", "resolve"},
    "police": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("who", list(ALLOWED))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(client, login, world, problem, make_user, who, action):
    from app.models import Role

    user = make_user(Role.RESIDENT, world.other_household) if who == "outsider" else getattr(world, who)
    login(user)
    url, data = ACTIONS[action](problem, world.departments["方庄派出所"])
    before = db.session.query(ProblemEvent).count()
    prefix = url.rsplit("/", 1)[1]
    response = client.post(url, data={f"{prefix}-csrf_token": token(client), "csrf_token": token(client), **data})
    after = db.session.query(ProblemEvent).count()
    if action in ALLOWED[who]:
        assert response.status_code == 302 and after == before + 1
    else:
        assert response.status_code in (403, 404) and after == before
        db.session.refresh(problem)
        assert problem.status.value == "reported" and problem.level == 1


@pytest.mark.parametrize(("who", "status"), [("resident", 200), ("head", 200), ("staff", 200), ("street", 200),
                                              ("police", 403), ("outsider", 403)])
def test_who_sees_the_problem(client, login, world, problem, make_user, who, status):
    from app.models import Role

    login(make_user(Role.RESIDENT, world.other_household) if who == "outsider" else getattr(world, who))
    assert client.get(f"/issues/{problem.id}").status_code == status


def test_department_sees_only_what_was_dispatched_and_reports_for_duty(client, login, world, problem):
    services.dispatch(db.session, world.street, problem, [world.departments["方庄派出所"]], "请处理", now=T0)
    db.session.commit()
    login(world.police)
    assert "单元门锁坏了" in client.get("/issues/orders").get_data(as_text=True)
    page = client.get(f"/issues/{problem.id}").get_data(as_text=True)
    assert "接单报到" in page
    order = problem.dispatches[0]
    client.post(f"/issues/orders/{order.id}/accept", data={"csrf_token": token(client)})
    client.post(f"/issues/orders/{order.id}/done", data={"csrf_token": token(client), "text": "已劝离"})
    db.session.refresh(problem)
    assert problem.status.value == "resolved"


def test_internal_notes_are_hidden_from_residents(client, login, world, problem):
    services.respond(db.session, world.staff, problem, "内部:物业拖延", now=T0, public=False)
    db.session.commit()
    login(world.resident)
    assert "内部:物业拖延" not in client.get(f"/issues/{problem.id}").get_data(as_text=True)
    login(world.staff)
    assert "内部:物业拖延" in client.get(f"/issues/{problem.id}").get_data(as_text=True)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 100, 10)).save(out, "JPEG")
    return out.getvalue()


def test_report_with_a_good_photo_and_a_bad_file_keeps_the_report(client, login, world):
    login(world.resident)
    page = client.get("/issues/new").get_data(as_text=True)
    response = client.post("/issues/new", data={
        "csrf_token": csrf_from(page), "category": "repairs", "text": "电梯按钮坏了", "location": "1门",
        "photos": [(io.BytesIO(jpeg()), "button.jpg"), (io.BytesIO(b"not an image"), "fake.jpg")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    problem = db.session.query(Problem).one()
    assert problem.text == "电梯按钮坏了" and problem.household_id == world.household.id
    assert db.session.query(Attachment).filter_by(subject_type="problem", subject_id=problem.id).count() == 1
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "fake.jpg: 这个文件不是可以识别的照片" in shown


def test_resident_cannot_file_a_hotline_order(client, login, world):
    login(world.resident)
    page = client.get("/issues/new").get_data(as_text=True)
    assert "12345工单号" not in page
    response = client.post("/issues/new", data={"csrf_token": csrf_from(page), "category": "repairs", "text": "x",
                                                "source": "hotline", "hotline_order_no": "1"})
    assert response.status_code == 400 and db.session.query(Problem).count() == 0


def test_report_via_sync(client, login, world):
    login(world.resident)
    mutation = {"id": str(uuid.uuid4()), "type": "issue.report",
                "payload": {"building_id": world.household.building_id, "category": "elevator", "text": "电梯停了"}}
    body = {"mutations": [mutation, {**mutation, "id": str(uuid.uuid4()), "payload": {
        "building_id": world.other_household.building_id, "category": "elevator", "text": "别的楼"}}]}
    results = client.post("/api/v1/sync", json=body, headers={"X-CSRFToken": token(client)}).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert results[0]["entity"]["reporter"] == "6号楼 6门 302"
    assert db.session.query(Problem).count() == 1


def test_escalation_goes_one_level_at_a_time(client, login, world, problem):
    login(world.head)
    client.post(f"/issues/{problem.id}/escalate", data={"escalate-csrf_token": token(client), "escalate-reason": "需要社区"})
    login(world.staff)
    client.post(f"/issues/{problem.id}/escalate", data={"escalate-csrf_token": token(client), "escalate-reason": "需要街道"})
    db.session.refresh(problem)
    assert problem.level == 3 and problem.status.value == "escalated"
    login(world.street)
    page = client.get("/issues/queue").get_data(as_text=True)
    assert "单元门锁坏了" in page


def test_staff_escalate_a_building_level_problem_straight_to_the_street(client, login, world, problem):
    """With no building head involved, one tap from community staff reaches the street."""
    login(world.staff)
    client.post(f"/issues/{problem.id}/escalate", data={"escalate-csrf_token": token(client), "escalate-reason": "需要街道"})
    db.session.refresh(problem)
    assert problem.level == 3 and problem.events[-1].data == {"level": 3}


def test_department_posts_progress_with_photos_on_the_page(client, login, world, problem):
    """The work-order card takes progress with photos; a bad file is named, the progress and good photo kept."""
    services.dispatch(db.session, world.street, problem, [world.departments["方庄派出所"]], "", now=T0)
    order = problem.dispatches[0]
    services.accept(db.session, world.police, order, now=T0)
    db.session.commit()
    login(world.police)
    page = client.get(f"/issues/{problem.id}").get_data(as_text=True)
    assert "发布进展" in page
    response = client.post(f"/issues/orders/{order.id}/progress", data={
        "csrf_token": csrf_from(page), "text": "民警已到现场",
        "photos": [(io.BytesIO(jpeg()), "scene.jpg"), (io.BytesIO(b"GIF89a"), "bad.gif")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "民警已到现场" in shown and "bad.gif" in shown and "发布了进展" in shown
    step = db.session.query(ProblemEvent).filter_by(problem_id=problem.id, kind="dispatch_progress").one()
    assert db.session.query(Attachment).filter_by(subject_type="problem_event", subject_id=step.id).count() == 1


def test_property_worker_answers_in_the_building_s10(client, login, world, problem, make_user):
    """The building's property company sees its problems and its answer meets the feedback clock."""
    from app.models import Department, DepartmentKind, Role

    company = Department(name="方庄物业", kind=DepartmentKind.PROPERTY)
    db.session.add(company)
    db.session.flush()
    problem.building.property_department_id = company.id
    worker = make_user(Role.DEPARTMENT, company, name="吴物业")
    login(worker)
    page = client.get(f"/issues/{problem.id}").get_data(as_text=True)
    assert "单元门锁坏了" in page and "内部" not in page
    client.post(f"/issues/{problem.id}/update", data={"update-csrf_token": token(client), "update-text": "马上修"})
    db.session.refresh(problem)
    assert problem.first_response_at is not None and problem.events[-1].actor_role == "department"


def test_report_form_offers_categories_as_big_choices_and_needs_one(client, login, world):
    """Each category is a labelled tile with its picture; sending none says what to do and stores nothing."""
    login(world.resident)
    page = client.get("/issues/new").get_data(as_text=True)
    assert page.count('type="radio"') == 13 and "/static/icons/categories/greenery.svg" in page and "绿化" in page
    response = client.post("/issues/new", data={"csrf_token": csrf_from(page), "text": "电梯停了"})
    assert response.status_code == 400 and "请选择问题类别" in response.get_data(as_text=True)
    assert db.session.query(Problem).count() == 0


def test_staff_enter_a_12345_hotline_order_s7(client, login, world):
    """Staff pick the source "12345 hotline", give the order number; it lands in the queue with the number."""
    login(world.staff)
    page = client.get("/issues/new").get_data(as_text=True)
    assert "12345工单号" in page
    missing = client.post("/issues/new", data={"csrf_token": csrf_from(page), "category": "fire_safety",
                                               "text": "楼道里给电动车充电", "source": "hotline"})
    assert missing.status_code == 400 and db.session.query(Problem).count() == 0
    response = client.post("/issues/new", data={"csrf_token": csrf_from(page), "category": "fire_safety",
                                                "text": "楼道里给电动车充电", "source": "hotline",
                                                "hotline_order_no": "12345-20260923-0471"})
    assert response.status_code == 302
    problem = db.session.query(Problem).one()
    assert problem.source.value == "hotline" and problem.hotline_order_no == "12345-20260923-0471"
    queue = client.get("/issues/queue?source=hotline").get_data(as_text=True)
    assert "楼道里给电动车充电" in queue
    shown = client.get(f"/issues/{problem.id}").get_data(as_text=True)
    assert "12345-20260923-0471" in shown


def test_property_worker_finds_the_buildings_problems_on_the_work_orders_page(client, login, world, problem, make_user):
    """Without any dispatch, the property company sees open problems of the buildings it looks after."""
    from app.models import Department, DepartmentKind, Role

    company = Department(name="方庄物业", kind=DepartmentKind.PROPERTY)
    db.session.add(company)
    db.session.flush()
    problem.building.property_department_id = company.id
    worker = make_user(Role.DEPARTMENT, company, name="吴物业")
    login(worker)
    page = client.get("/issues/orders").get_data(as_text=True)
    assert "我们负责的楼里的问题" in page and "单元门锁坏了" in page
    login(world.police)
    assert "单元门锁坏了" not in client.get("/issues/orders").get_data(as_text=True)


def _post_large(client, url, data):
    """POST a large multipart body, closing the temporary file the test client spools it to."""
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(path=url, method="POST", data=data)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def test_report_keeps_the_voice_note_and_names_the_files_refused(client, login, world):
    """A voice note is kept; a 6 MB voice note and an 11 MB "photo" are refused by name; the report stands."""
    login(world.resident)
    page = client.get("/issues/new").get_data(as_text=True)
    webm = b"\x1a\x45\xdf\xa3" + b"\x00" * 2000
    response = _post_large(client, "/issues/new", {
        "csrf_token": csrf_from(page), "category": "noise", "text": "楼上半夜装修", "voice": (io.BytesIO(webm), "voice.webm"),
        "photos": [(io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (11 * 1024 * 1024)), "huge.jpg")]})
    assert response.status_code == 302
    problem = db.session.query(Problem).one()
    kinds = [a.kind for a in db.session.query(Attachment).filter_by(subject_type="problem", subject_id=problem.id)]
    assert kinds == ["voice"]
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "huge.jpg: 照片不能超过 10 MB。" in shown and "<audio" in shown
    big_voice = _post_large(client, "/issues/new", {
        "csrf_token": csrf_from(page), "category": "noise", "text": "又在装修",
        "voice": (io.BytesIO(b"OggS" + b"\x00" * (6 * 1024 * 1024)), "long.ogg")})
    assert big_voice.status_code == 302
    assert "long.ogg: 语音不能超过 5 MB。" in client.get(big_voice.headers["Location"]).get_data(as_text=True)
    assert db.session.query(Problem).count() == 2


def test_photos_sent_with_the_page_count_against_the_persons_upload_allowance(app, client, login, world, monkeypatch,
                                                                              make_user):
    """Past UPLOAD_RATE_LIMIT a form's photo is refused with a reason, and the report it came with is still kept."""
    monkeypatch.setitem(app.config, "UPLOAD_RATE_LIMIT", "2 per minute")
    login(world.resident)

    def report(text: str, *names: str):
        page = client.get("/issues/new").get_data(as_text=True)
        response = client.post("/issues/new", data={
            "csrf_token": csrf_from(page), "category": "repairs", "text": text,
            "photos": [(io.BytesIO(jpeg()), name) for name in names]}, content_type="multipart/form-data")
        assert response.status_code == 302
        return client.get(response.headers["Location"]).get_data(as_text=True)

    report("电梯按钮坏了", "one.jpg", "two.jpg")
    shown = report("楼道灯不亮", "three.jpg")
    assert "three.jpg: 短时间内发送的文件太多了" in shown
    kept = db.session.query(Problem).filter_by(text="楼道灯不亮").one()  # the report is not lost with its photo
    assert db.session.query(Attachment).filter_by(subject_type="problem", subject_id=kept.id).count() == 0
    assert db.session.query(Attachment).count() == 2

    # One allowance whichever way the files come: the API's uploads are past it too.
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    by_api = client.put(f"/api/v1/uploads/{uuid.uuid4()}", data={"file": (io.BytesIO(jpeg()), "four.jpg")},
                        headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    assert by_api.status_code == 429

    login(make_user(Role.RESIDENT, world.household, name="邻居"))  # someone else is not held back
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    assert client.put(f"/api/v1/uploads/{uuid.uuid4()}", data={"file": (io.BytesIO(jpeg()), "five.jpg")},
                      headers={"X-CSRFToken": token}, content_type="multipart/form-data").status_code == 200
    shown = report("门禁坏了", "six.jpg")  # the API's upload counted: one left of two
    assert "six.jpg" not in shown
    assert "seven.jpg: 短时间内发送的文件太多了" in report("门禁又坏了", "seven.jpg")
    assert db.session.query(Attachment).count() == 4
