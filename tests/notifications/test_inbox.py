"""The inbox 消息: titles that name the problem, one unread item per problem, "mark all as read",
and app-written texts shown in the reader's language of the day."""
import uuid

from sqlalchemy import select, update

from app.clock import utcnow
from app.extensions import db
from app.models import Role, User
from app.notifications.models import InboxItem
from app.notifications.services import unread_count
from app.problems.models import Category
from app.problems.services import report_problem, respond
from tests.conftest import csrf_from


def _report(resident, household, text="楼道灯不亮"):
    problem = report_problem(db.session, resident, household.building, category=Category.REPAIRS, text=text,
                             now=utcnow(), uuid=str(uuid.uuid4()), household=household, reporter=resident)
    db.session.commit()
    return problem


def _items(user):
    return db.session.scalars(select(InboxItem).where(InboxItem.user_id == user.id).order_by(InboxItem.id)).all()


def test_a_problems_steps_raise_one_unread_item_that_names_it(client, login, make_user, make_household):
    household = make_household()
    resident = make_user(Role.RESIDENT, household)
    head = make_user(Role.BUILDING_HEAD, household.building)
    lamp, bench = _report(resident, household), _report(resident, household, "长椅坏了")
    for words in ("明天来修。", "电工下午到。", "灯泡已经买好。"):
        respond(db.session, head, lamp, words, now=utcnow())
    respond(db.session, head, bench, "已登记。", now=utcnow())
    db.session.commit()

    lamp_item, bench_item = _items(resident)
    assert (lamp_item.title, lamp_item.updates, lamp_item.body) == ("您反映的「楼道灯不亮」有回复了", 3, "灯泡已经买好。")
    assert bench_item.title == "您反映的「长椅坏了」有回复了" and bench_item.updates == 1
    assert unread_count(db.session, resident) == 2  # not 4
    login(resident)
    page = client.get("/notices/").get_data(as_text=True)
    assert "您反映的「楼道灯不亮」有回复了" in page and "3 条更新" in page

    # Once read, the next step is news again: a new unread item, the read one stays as it was.
    db.session.execute(update(InboxItem).where(InboxItem.id == lamp_item.id).values(read_at=utcnow()))
    respond(db.session, head, lamp, "已修好。", now=utcnow())
    db.session.commit()
    assert [(i.body, i.read_at is None) for i in _items(resident) if i.url == f"/issues/{lamp.id}"] \
        == [("灯泡已经买好。", False), ("已修好。", True)]


def test_a_long_problem_is_named_by_its_first_words_and_a_voice_report_by_its_category(make_user, make_household):
    household = make_household()
    resident = make_user(Role.RESIDENT, household)
    head = make_user(Role.BUILDING_HEAD, household.building)
    long = _report(resident, household, "6门楼道\n灯坏了好几天了，晚上下楼看不见台阶，老人容易摔倒")
    voice = _report(resident, household, "语音")
    voice.text = ""  # what a voice-only report (care mode) stores: no words, a voice note
    respond(db.session, head, long, "明天修。", now=utcnow())
    respond(db.session, head, voice, "听到了。", now=utcnow())
    db.session.commit()
    assert [i.title for i in _items(resident)] == ["您反映的「6门楼道 灯坏了好几天了，晚上…」有回复了",
                                                   "您反映的「设施维修」有回复了"]


def test_mark_all_as_read_from_the_page(client, login, make_user, make_household, reached):
    household = make_household()
    resident, other = make_user(Role.RESIDENT, household), make_user(Role.RESIDENT, household)
    head = make_user(Role.BUILDING_HEAD, household.building)
    for person in (resident, other):
        respond(db.session, head, _report(person, household), "收到。", now=utcnow())
        respond(db.session, head, _report(person, household, "垃圾没人收"), "收到。", now=utcnow())
    db.session.commit()
    login(resident)
    page = client.get("/notices/").get_data(as_text=True)
    assert "全部标为已读" in page
    assert client.post("/notifications/read-all", data={"next": "/notices/"}).status_code == 400  # no CSRF token
    assert unread_count(db.session, resident) == 2

    response = client.post("/notifications/read-all", data={"csrf_token": csrf_from(page), "next": "/notices/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/notices/")
    assert reached == ["notifications.read_all"]
    page = client.get("/notices/").get_data(as_text=True)
    assert "消息已全部标为已读" in page and "全部标为已读</button>" not in page  # nothing left to mark
    assert client.get("/api/v1/notifications/unread").get_json() == {"unread": 0}
    assert unread_count(db.session, other) == 2  # only one's own


def test_mark_all_as_read_by_json(client, login, make_user, make_household, reached):
    household = make_household()
    resident = make_user(Role.RESIDENT, household)
    head = make_user(Role.BUILDING_HEAD, household.building)
    respond(db.session, head, _report(resident, household), "收到。", now=utcnow())
    db.session.commit()
    token = login(resident)
    assert client.post("/api/v1/notifications/read-all").status_code == 400  # CSRF
    answer = client.post("/api/v1/notifications/read-all", headers={"X-CSRFToken": token})
    assert answer.status_code == 200 and answer.get_json() == {"marked": 1, "unread": 0}
    assert reached == ["notifications.read_all"] and unread_count(db.session, resident) == 0


def test_app_written_texts_follow_the_readers_language(client, login, make_user, make_household):
    household = make_household()
    resident = make_user(Role.RESIDENT, household)
    head = make_user(Role.BUILDING_HEAD, household.building)
    respond(db.session, head, _report(resident, household), "明天来修。", now=utcnow())
    # A row from before this release: only the text as it was sent.
    db.session.add(InboxItem(user_id=resident.id, kind="issue.update", title="您反映的问题有回复了", url="/issues/1",
                             created_at=utcnow(), updated_at=utcnow()))
    db.session.commit()
    login(resident)
    assert "您反映的「楼道灯不亮」有回复了" in client.get("/notices/").get_data(as_text=True)

    db.session.execute(update(User).where(User.id == resident.id).values(locale="en"))
    db.session.commit()
    page = client.get("/notices/").get_data(as_text=True)
    assert "Reply to “楼道灯不亮”, which you reported" in page and "您反映的「楼道灯不亮」" not in page
    assert "您反映的问题有回复了" in page  # the old row still shows
    care = client.get("/care/notices").get_data(as_text=True)
    assert "Reply to “楼道灯不亮”, which you reported" in care
