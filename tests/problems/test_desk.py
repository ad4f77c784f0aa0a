"""The problem desk (issue 17): the queue's search, order, counts and bulk actions; re-categorising,
merging and assigning; a department's done orders; the system's own steps; a step's photos."""
import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from app.extensions import db
from app.models import Department, DepartmentKind, Role
from app.notifications.models import InboxItem
from app.problems import desk, queries, services
from app.problems.models import Category, EventKind, Problem, ProblemEvent, Source
from tests.conftest import csrf_from
from tests.problems.desk_pages import T0, desk_table, report, tier_counts


def words(html: str) -> str:
    """The page as read: tags gone, runs of white space one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def shown_texts(html: str) -> list[str]:
    """The problems' words in the desk table, top to bottom."""
    table = re.search(r'<table class="queue-table">.*?</table>', html, re.S)
    return re.findall(r'<a href="/issues/\d+">([^<]*)</a>', table.group(0)) if table else []


@pytest.fixture
def three(world, frozen_clock):
    frozen_clock.set(T0 + timedelta(hours=13))  # the first one is past its 12 hours
    return [report(world, "单元门锁坏了", household=world.household),
            report(world, "楼道灯不亮", at=T0 + timedelta(hours=2)),
            report(world, "下水道堵了", at=T0 + timedelta(hours=3), hotline="2026092300123")]


def test_the_desk_table_lists_building_community_category_status_deadline_and_holder(client, login, world, three):
    login(world.staff)
    html = client.get("/issues/queue").get_data(as_text=True)
    table = desk_table(html)
    building = world.household.building
    assert building.name in table and building.community.name in table
    assert "维修" in table and "已反映" in table and "已超时" in table
    assert shown_texts(html) == ["单元门锁坏了", "楼道灯不亮", "下水道堵了"]  # overdue first, then by deadline
    # the phone's cards are still on the page, for the narrow screen
    assert html.count('class="card problem-card') == 3


def test_counts_per_tier_top_the_queue(client, login, world, three):
    login(world.staff)
    html = client.get("/issues/queue").get_data(as_text=True)
    assert tier_counts(html) == (1, 0, 3)


@pytest.mark.parametrize(("query", "found"), [
    ("门锁", ["单元门锁坏了"]),  # the words
    ("302", ["单元门锁坏了"]),  # the room
    ("6门 302", ["单元门锁坏了"]),  # unit and room
    ("0923001", ["下水道堵了"]),  # part of the 12345 order number
    ("100%", []),  # a % is a character, not a wildcard
])
def test_search_finds_words_room_and_hotline_number(client, login, world, three, query, found):
    login(world.staff)
    html = client.get("/issues/queue", query_string={"q": query}).get_data(as_text=True)
    assert shown_texts(html) == found
    assert f'value="{query}"' in html  # the box keeps what was typed


def test_sorting_replaces_the_tiers(client, login, world, three):
    login(world.staff)
    html = client.get("/issues/queue", query_string={"sort": "reported"}).get_data(as_text=True)
    assert shown_texts(html) == ["下水道堵了", "楼道灯不亮", "单元门锁坏了"]
    assert shown_texts(client.get("/issues/queue?sort=nonsense").get_data(as_text=True)) == \
        ["单元门锁坏了", "楼道灯不亮", "下水道堵了"]


def test_the_desk_lists_the_tiers_in_order_at_every_page_size(client, login, world, three):
    """Overdue and unanswered first (by deadline), then escalated to my level, then the rest by deadline:
    the page reads the first tier beside its counts, and the next tiers only when it leaves room."""
    earlier = report(world, "电梯异响", at=T0 - timedelta(hours=1))  # overdue an hour before the door lock
    escalated = report(world, "外墙脱落", at=T0 + timedelta(hours=4))
    services.escalate(db.session, world.head, escalated, "需要社区协调", now=T0 + timedelta(hours=5))
    db.session.commit()
    login(world.staff)
    html = client.get("/issues/queue").get_data(as_text=True)
    assert shown_texts(html) == ["电梯异响", "单元门锁坏了", "外墙脱落", "楼道灯不亮", "下水道堵了"]
    now = T0 + timedelta(hours=13)
    for limit in range(1, 6):
        page = desk.desk_page(db.session, world.staff, now=now, limit=limit)
        assert [c.id for c in page.cards] == [c.id for c in queries.queue_page(db.session, world.staff, now=now,
                                                                                limit=limit)], limit
        assert len(page.cards) == limit and page.counts == (2, 1, 5)
    assert [c.id for c in desk.desk_page(db.session, world.staff, now=now, sort="reported").cards] == \
        [escalated.id, three[2].id, three[1].id, three[0].id, earlier.id]


def test_bulk_assign_gives_the_chosen_problems_to_a_colleague(client, login, world, three, make_user):
    colleague = make_user(Role.STAFF, world.household.building.community, name="周社工")
    token = login(world.staff)
    html = client.get("/issues/queue").get_data(as_text=True)
    assert f'<option value="{colleague.id}">周社工</option>' in html
    response = client.post("/issues/queue/bulk", data={"csrf_token": token, "action": "assign", "assignee": colleague.id,
                                                       "problem": [three[0].id, three[1].id]})
    assert response.status_code == 302
    db.session.expire_all()
    assert [p.assignee_id for p in three] == [colleague.id, colleague.id, None]
    steps = db.session.query(ProblemEvent).filter_by(kind=EventKind.ASSIGNED).all()
    assert len(steps) == 2 and not steps[0].public
    assert db.session.query(InboxItem).filter_by(user_id=colleague.id, kind="issue.assigned").count() == 2
    table = client.get("/issues/queue").get_data(as_text=True)
    assert table.count("· 周社工</td>") == 2  # who holds it
    page = words(client.get(f"/issues/{three[0].id}").get_data(as_text=True))
    assert "钱书记 (社区工作者) · 交给 周社工" in page and "经办 周社工" in page


def test_bulk_assign_refuses_someone_outside_the_building_and_changes_nothing(client, login, world, three, make_user,
                                                                             make_building):
    stranger = make_user(Role.STAFF, make_building().community, name="外社区")
    token = login(world.staff)
    client.post("/issues/queue/bulk", data={"csrf_token": token, "action": "assign", "assignee": stranger.id,
                                            "problem": [three[0].id, three[1].id]})
    db.session.expire_all()
    assert [p.assignee_id for p in three] == [None, None, None]
    assert "外社区不负责这栋楼的问题。" in client.get("/issues/queue").get_data(as_text=True)


def test_a_building_head_may_not_assign(client, login, world, three):
    token = login(world.head)
    assert 'name="assignee"' not in client.get("/issues/queue").get_data(as_text=True)
    client.post("/issues/queue/bulk", data={"csrf_token": token, "action": "assign", "assignee": world.staff.id,
                                            "problem": [three[0].id]})
    db.session.expire_all()
    assert three[0].assignee_id is None


def test_bulk_mark_read_clears_my_inbox_items_of_the_chosen_problems(client, login, world, three):
    services.dispatch(db.session, world.staff, three[0], [world.departments["方庄派出所"]], "", now=T0)
    services.dispatch(db.session, world.staff, three[1], [world.departments["方庄派出所"]], "", now=T0)
    db.session.commit()
    unread = db.session.query(InboxItem).filter_by(user_id=world.police.id, read_at=None)
    assert unread.count() == 2
    # a department's people are not in the queue; heads are: their inbox items go the same way
    for problem in three[:2]:
        db.session.add(InboxItem(user_id=world.head.id, kind="issue.deadline", title="t", url=f"/issues/{problem.id}"))
    db.session.commit()
    token = login(world.head)
    client.post("/issues/queue/bulk", data={"csrf_token": token, "action": "read", "problem": [three[0].id]})
    items = db.session.query(InboxItem).filter_by(user_id=world.head.id).order_by(InboxItem.id).all()
    assert [i.read_at is not None for i in items] == [True, False]
    assert unread.count() == 2  # nobody else's


def test_bulk_with_nothing_chosen_says_so(client, login, world, three):
    token = login(world.staff)
    client.post("/issues/queue/bulk", data={"csrf_token": token, "action": "read"})
    assert "请先选择至少一个问题。" in client.get("/issues/queue").get_data(as_text=True)


# -- point 2: staff report for any building of their scope ------------------------------------------------


def test_staff_pick_any_building_of_their_scope_and_enter_a_hotline_order_there(client, login, world, make_building,
                                                                               make_household):
    community = world.household.building.community
    second = make_building("9号楼", community=community)
    flat = make_household(second, unit="2门", room="501")
    make_building("别的社区的楼")  # another community: not offered
    login(world.staff)
    html = client.get("/issues/new").get_data(as_text=True)
    picker = re.search(r"<select id=\"building-pick\".*?</select>", html, re.S).group(0)
    assert f'<optgroup label="{community.name}">' in picker
    assert re.findall(r">([^<]+)</option>", picker) == ["6号楼", "9号楼"]  # 24号楼 and 别的社区的楼: other communities
    assert 'for="building-filter"' in html  # the filter box (shown by building-picker.js)
    form = client.get("/issues/new", query_string={"building": second.id}).get_data(as_text=True)
    assert "9号楼" in re.search(r"<h1>(.*?)</h1>", form).group(1)
    assert re.search(rf'<option value="{second.id}" selected>9号楼', form)
    assert f'<option value="{flat.id}">' in form  # that building's households
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(f"/issues/new?building={second.id}", data={
        "csrf_token": token, "category": "repairs", "text": "12345转来:9号楼电梯异响", "source": "hotline",
        "hotline_order_no": "2026120400042", "household_id": flat.id})
    assert response.status_code == 302
    problem = db.session.query(Problem).one()
    assert (problem.building_id, problem.household_id, problem.source) == (second.id, flat.id, Source.HOTLINE)


def test_a_resident_with_one_building_sees_no_picker(client, login, world):
    login(world.resident)
    assert "building-pick" not in client.get("/issues/new").get_data(as_text=True)


def test_the_community_page_leads_to_each_building_page(client, login, world):
    login(world.staff)
    building = world.household.building
    html = client.get(f"/organisation/communities/{building.community_id}").get_data(as_text=True)
    assert f'<a href="/issues/building/{building.id}">楼栋页面</a>' in html
    assert client.get(f"/issues/building/{building.id}").status_code == 200


# -- point 3: re-categorise, merge a duplicate, assign to a colleague -------------------------------------


def post_form(client, url, prefix, token, **fields):
    """Post one of the problem page's forms (its fields carry the form's prefix)."""
    return client.post(url, data={f"{prefix}-csrf_token": token, **{f"{prefix}-{k}": v for k, v in fields.items()}})


def test_staff_recategorise_a_problem_on_its_page_and_the_timeline_says_so(client, login, world, three):
    token = login(world.staff)
    problem = three[1]
    assert "改分类" in client.get(f"/issues/{problem.id}").get_data(as_text=True)
    post_form(client, f"/issues/{problem.id}/recategorise", "recategorise", token, category="sanitation")
    db.session.expire_all()
    assert problem.category == Category.SANITATION
    page = words(client.get(f"/issues/{problem.id}").get_data(as_text=True))
    assert "已改分类。" in page and "改了分类 : 设施维修 → 环境卫生" in page


def test_recategorising_to_an_unknown_category_changes_nothing(client, login, world, three):
    token = login(world.staff)
    post_form(client, f"/issues/{three[1].id}/recategorise", "recategorise", token, category="aliens")
    db.session.expire_all()
    assert three[1].category == Category.REPAIRS
    assert db.session.query(ProblemEvent).filter_by(kind=EventKind.RECATEGORISED).count() == 0


def test_merging_a_duplicate_closes_it_and_its_reporter_follows_the_one_that_stays(client, login, world, three):
    keep, duplicate = three[0], report(world, "6门门锁又坏了", household=world.household)
    duplicate.reporter = world.neighbour  # a neighbour reported the same lock
    db.session.commit()
    token = login(world.staff)
    post_form(client, f"/issues/{duplicate.id}/merge", "merge", token, into=keep.id)
    db.session.expire_all()
    assert (duplicate.status.value, duplicate.merged_into_id) == ("closed", keep.id)
    page = words(client.get(f"/issues/{duplicate.id}").get_data(as_text=True))
    assert f"已作为重复问题并入 #{keep.id} ,请在那里跟进。" in page
    kept = words(client.get(f"/issues/{keep.id}").get_data(as_text=True))
    assert f"并入了一个重复问题 : #{duplicate.id}" in kept and "6门门锁又坏了" in kept
    told = db.session.query(InboxItem).filter_by(user_id=world.neighbour.id).order_by(InboxItem.id).all()
    assert told[-1].url == f"/issues/{keep.id}"
    assert told[-1].title == f"您反映的「6门门锁又坏了」已并入 #{keep.id} 号问题一起办理"
    before = len(told)
    # the kept problem's next public step reaches the duplicate's reporter too
    services.respond(db.session, world.staff, keep, "已联系锁匠,明早更换。", now=T0 + timedelta(hours=14))
    db.session.commit()
    # … in the same unread item as the merge, as a problem's updates are grouped (its latest step on top)
    told = db.session.query(InboxItem).filter_by(user_id=world.neighbour.id).order_by(InboxItem.id).all()
    assert len(told) == before and told[-1].url == f"/issues/{keep.id}" and told[-1].body == "已联系锁匠,明早更换。"
    assert told[-1].updates == 2 and told[-1].read_at is None


@pytest.mark.parametrize("into", ["self", "missing", "closed"])
def test_a_merge_that_cannot_be_done_changes_nothing(client, login, world, three, into):
    duplicate = three[1]
    target = {"self": duplicate.id, "missing": 99999, "closed": three[2].id}[into]
    if into == "closed":
        three[2].status = three[2].status.CLOSED
        db.session.commit()
    token = login(world.staff)
    post_form(client, f"/issues/{duplicate.id}/merge", "merge", token, into=target)
    db.session.expire_all()
    assert duplicate.merged_into_id is None and duplicate.is_open
    assert db.session.query(ProblemEvent).filter(ProblemEvent.kind.in_([EventKind.MERGED, EventKind.MERGED_IN])).count() == 0


def test_merging_into_a_problem_of_another_community_is_refused(client, login, world, three):
    elsewhere = report(world, "别处的问题", building=world.other_household.building)
    token = login(world.staff)
    post_form(client, f"/issues/{three[1].id}/merge", "merge", token, into=elsewhere.id)
    db.session.expire_all()
    assert three[1].merged_into_id is None
    assert f"没有可以并入的问题 #{elsewhere.id}。" in client.get(f"/issues/{three[1].id}").get_data(as_text=True)


def test_assign_on_the_problem_page(client, login, world, three):
    token = login(world.staff)
    post_form(client, f"/issues/{three[1].id}/assign", "assign", token, assignee=world.street.id)
    db.session.expire_all()
    assert three[1].assignee_id == world.street.id


@pytest.mark.parametrize("who", ["resident", "head", "police"])
@pytest.mark.parametrize(("action", "field", "value"), [
    ("recategorise", "category", "sanitation"), ("merge", "into", "first"), ("assign", "assignee", "staff")])
def test_only_staff_and_the_street_do_desk_work(client, login, world, three, who, action, field, value):
    value = {"first": three[0].id, "staff": world.staff.id}.get(value, value)
    token = login(getattr(world, who))
    assert "办理:改分类" not in client.get(f"/issues/{three[1].id}").get_data(as_text=True)
    before = db.session.query(ProblemEvent).count()
    post_form(client, f"/issues/{three[1].id}/{action}", action, token, **{field: value})
    db.session.expire_all()
    assert db.session.query(ProblemEvent).count() == before
    assert (three[1].category, three[1].merged_into_id, three[1].assignee_id) == (Category.REPAIRS, None, None)


# -- point 4: a department's done orders -------------------------------------------------------------------


def test_after_its_part_is_done_a_department_still_finds_the_order_under_done(client, login, world, three):
    police = world.departments["方庄派出所"]
    services.dispatch(db.session, world.staff, three[0], [police], "请派出所协助", now=T0 + timedelta(hours=1))
    order = three[0].dispatches[0]
    services.accept(db.session, world.police, order, now=T0 + timedelta(hours=2))
    services.complete(db.session, world.police, order, "已处理", now=T0 + timedelta(hours=5))
    db.session.commit()
    login(world.police)
    todo = words(client.get("/issues/orders").get_data(as_text=True))
    assert "没有工单" in todo and "单元门锁坏了" not in todo
    done = client.get("/issues/orders?tab=done").get_data(as_text=True)
    assert 'aria-current="page">已完成</a>' in done
    text = words(done)
    assert "单元门锁坏了" in text
    # its times, in Beijing time: dispatched 08:33, reported for duty 09:33, done 12:33 on 09-23
    assert "已派单 2026-09-23 08:33 · 已报到 2026-09-23 09:33 · 已完成 2026-09-23 12:33" in text


# -- point 5: the system's own steps ---------------------------------------------------------------------


def test_when_the_last_department_finishes_the_resolution_is_the_systems_step(client, login, world, three, make_user,
                                                                              make_building):
    company = Department(name="鸿运物业", kind=DepartmentKind.PROPERTY)
    db.session.add(company)
    db.session.commit()
    worker = make_user(Role.DEPARTMENT, company, name="物业小王")
    problem = three[0]
    services.dispatch(db.session, world.staff, problem, [world.departments["方庄派出所"], company], "", now=T0)
    police_order, company_order = problem.dispatches
    services.complete(db.session, world.police, police_order, "已劝离", now=T0 + timedelta(hours=1))
    services.complete(db.session, worker, company_order, "已修好门锁", now=T0 + timedelta(hours=2))
    db.session.commit()
    resolved = db.session.query(ProblemEvent).filter_by(problem_id=problem.id, kind=EventKind.RESOLVED).one()
    assert resolved.actor_id is None and resolved.actor_role == ""
    login(world.resident)
    page = words(client.get(f"/issues/{problem.id}").get_data(as_text=True))
    assert "系统 · 标记解决 各部门都已办结。" in page
    assert not re.search(r"物业小王 \([^)]*\) · 标记解决", page)
    assert re.search(r"物业小王 \([^)]*\) · [^·]*已修好门锁", page)  # their own step stays theirs


# -- point 6: a step's photos are the step's --------------------------------------------------------------


def jpeg(colour: str) -> bytes:
    """A small JPEG of one colour."""
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buf, "JPEG")
    return buf.getvalue()


def test_progress_photos_show_with_their_step_and_the_top_shows_only_the_reports_own(client, login, world, make_user):
    login(world.resident)
    form = client.get("/issues/new").get_data(as_text=True)
    client.post("/issues/new", data={"csrf_token": csrf_from(form), "category": "repairs", "text": "单元门锁坏了",
                                     "photos": [(io.BytesIO(jpeg("red")), "before.jpg")]},
                content_type="multipart/form-data")
    problem = db.session.query(Problem).one()
    services.dispatch(db.session, world.staff, problem, [world.departments["方庄派出所"]], "", now=T0)
    order = problem.dispatches[0]
    db.session.commit()
    login(world.police)
    page = client.get(f"/issues/{problem.id}").get_data(as_text=True)
    client.post(f"/issues/orders/{order.id}/accept", data={"csrf_token": csrf_from(page)})
    client.post(f"/issues/orders/{order.id}/progress", data={
        "csrf_token": csrf_from(page), "text": "已换新锁", "photos": [(io.BytesIO(jpeg("green")), "after.jpg")]},
        content_type="multipart/form-data")
    login(world.neighbour)
    html = client.get(f"/issues/{problem.id}").get_data(as_text=True)
    top = re.search(r'<section class="card">.*?</section>', html, re.S).group(0)
    timeline = re.search(r'<ol class="timeline">.*?</ol>', html, re.S).group(0)
    assert top.count('class="thumb"') == 1  # the report's own "before"
    step = re.search(r"<li[^>]*>(?:(?!</li>).)*已换新锁.*?</li>", timeline, re.S).group(0)
    assert step.count('class="thumb"') == 1 and 'alt="这一步的照片 1"' in step  # the "after", with its step
    before = re.search(r'src="(/uploads/[^"]+/thumb)"', top).group(1)
    after = re.search(r'src="(/uploads/[^"]+/thumb)"', step).group(1)
    assert before != after
    for url in (before, after):  # a neighbour in the building sees both
        answer = client.get(url)
        answer.close()
        assert answer.status_code == 200
    outsider = make_user(Role.RESIDENT, world.other_household)
    login(outsider)
    answer = client.get(after)
    answer.close()
    assert answer.status_code in (403, 404)


# -- point 7: a voice-only report on the cards ----------------------------------------------------------------


def test_a_voice_only_report_shows_a_voice_marker_in_feed_and_queue_and_plays_from_the_queue(client, login, world):
    login(world.resident)
    form = client.get("/issues/new").get_data(as_text=True)
    client.post("/issues/new", data={"csrf_token": csrf_from(form), "category": "sanitation", "text": "",
                                     "voice": (io.BytesIO(b"\x1a\x45\xdf\xa3" + b"\x00" * 2000), "voice.webm")},
                content_type="multipart/form-data")
    problem = db.session.query(Problem).one()
    assert problem.text == ""
    feed = client.get(f"/issues/building/{problem.building_id}").get_data(as_text=True)
    title = re.search(r'<span class="problem-title">(.*?)</span>\s*</a>', feed, re.S).group(1)
    assert words(title).strip().startswith("环境卫生 · 🎤 语音")
    assert "data-voice-length" in title  # where its length is written
    login(world.staff)
    queue = client.get("/issues/queue").get_data(as_text=True)
    card = re.search(r'<li class="card problem-card.*?</li>', queue, re.S).group(0)
    assert "🎤 语音" in words(card)
    audio = re.search(r'<audio class="card-voice" controls[^>]*src="(/uploads/[^"]+)"', card)
    assert audio and 'aria-label="语音"' in card
    table = re.search(r'<table class="queue-table">.*?</table>', queue, re.S).group(0)
    assert "🎤 语音" in words(table) and '<audio class="card-voice"' in table
    answer = client.get(audio.group(1))
    answer.close()
    assert answer.status_code == 200 and answer.content_type.startswith("audio/")


def test_a_photo_only_report_says_photo(client, login, world):
    login(world.resident)
    form = client.get("/issues/new").get_data(as_text=True)
    client.post("/issues/new", data={"csrf_token": csrf_from(form), "category": "greenery", "text": "",
                                     "photos": [(io.BytesIO(jpeg("green")), "tree.jpg")]}, content_type="multipart/form-data")
    problem = db.session.query(Problem).one()
    feed = client.get(f"/issues/building/{problem.building_id}").get_data(as_text=True)
    title = re.search(r'<span class="problem-title">(.*?)</span>\s*</a>', feed, re.S).group(1)
    assert words(title).strip() == "绿化 · 照片"


# -- point 8: residents comment; they do not post progress ------------------------------------------------------


def comment_box(html: str) -> str:
    """The section holding the comment / update form."""
    return re.search(r'<section class="card">\s*<h2>(?:(?!</section>).)*data-update-form.*?</section>', html, re.S).group(0)


def test_on_their_own_problem_a_resident_comments_without_mentioning_themself(client, login, world, three):
    login(world.resident)
    box = comment_box(client.get(f"/issues/{three[0].id}").get_data(as_text=True))
    assert "<h2>评论</h2>" in box and "更新进展" not in box
    assert '<label for="update-text">您的意见</label>' in box
    assert "@6号楼 6门 302" not in box and "提醒反映人" not in box
    assert "发表评论" in box


def test_responders_still_post_progress_and_may_mention_the_reporter(client, login, world, three):
    login(world.staff)
    box = comment_box(client.get(f"/issues/{three[0].id}").get_data(as_text=True))
    assert "<h2>更新进展</h2>" in box and '<label for="update-text">进展</label>' in box
    assert "@6号楼 6门 302" in box and ">发布</button>" in box
