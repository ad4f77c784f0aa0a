"""Demo problems: the scenarios' (S1 tree, S2 pharmacy, S5 lock, S7 hotline, S10 floor numbers, one overdue), last month's."""
from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.clock import LOCAL_TZ, month_start, to_local, utcnow
from app.demo.registry import DemoWorld, demo_loader
from app.models import Household
from app.notifications.models import InboxItem
from app.problems import services
from app.problems.models import Category, Problem, Source

NAMESPACE = uuid.UUID("2d6c8f0e-7a54-4d0c-8f4e-9b1f3e0c5a77")


def _at(day: datetime, hh: int, mm: int) -> datetime:
    return datetime.combine(day.date(), time(hh, mm), tzinfo=LOCAL_TZ)


@demo_loader
def load_problems(session: Session, world: DemoWorld) -> None:
    """Create the scenario problems once (keyed by fixed UUIDs)."""
    key = str(uuid.uuid5(NAMESPACE, "s1"))
    if session.scalar(select(Problem).where(Problem.uuid == key)) is not None:
        return
    users, buildings, departments = world.users, world.buildings, world.departments
    resident, head, staff, street = (users.get(p) for p in ("13800000004", "13800000003", "13800000002", "13800000001"))
    if not all((resident, head, staff, street)):
        return
    yesterday = to_local(utcnow()) - timedelta(days=1)
    today = to_local(utcnow())
    b6 = buildings[("芳群园一区", "6号楼")]
    home = session.scalar(select(Household).where(Household.building_id == b6.id, Household.room == "302"))

    # S1: the bent tree, answered at 08:01 and 10:14, pruned the next morning, thanked.
    p = services.report_problem(session, resident, b6, category=Category.GREENERY, household=home, uuid=key,
                                text="连续下雨,6号楼6门、7门前的树枝压得快到地面了,进出很不方便。", location="6门、7门门前",
                                now=_at(yesterday, 7, 33))
    services.respond(session, staff, p, "收到,我们马上联系物业。", now=_at(yesterday, 8, 1))
    services.respond(session, staff, p, "@6号楼 6门 302 我们看过了,先做了初步清理,等天晴了物业绿化队来修剪。",
                     now=_at(yesterday, 10, 14))
    services.resolve(session, staff, p, "绿化队已经把6号楼的树枝修剪好了。", now=_at(today, 8, 32) if today.hour > 9
                     else _at(yesterday, 18, 32))
    services.confirm(session, resident, p, 5, thanks=True, text="雷厉风行的好作风,点赞啦!", now=_at(today, 8, 42)
                     if today.hour > 9 else _at(yesterday, 18, 42))

    # S2: the pharmacy on the pavement — escalated, dispatched to four departments at once.
    b5 = buildings[("芳群园二区", "5号楼")]
    p2 = services.report_problem(session, resident, b5, category=Category.PUBLIC_ORDER, uuid=str(uuid.uuid5(NAMESPACE, "s2")),
                                 text="楼下临街药店长期在门外占道经营,反映多次没有效果。", location="5号楼临街",
                                 now=_at(yesterday, 9, 5), reporter=resident)
    services.respond(session, staff, p2, "已记录,社区会同街道处理。", now=_at(yesterday, 9, 40))
    services.escalate(session, staff, p2, "需要多个部门联合执法。", now=_at(yesterday, 9, 45))
    services.escalate(session, staff, p2, "社区协调不了,提请街道吹哨。", now=_at(yesterday, 9, 50))
    names = ["城管执法队", "食药监所", "工商所", "方庄派出所"]
    orders = services.dispatch(session, street, p2, [departments[n] for n in names], "联合执法,各自报到。",
                               now=_at(yesterday, 11, 0))
    chengguan = users.get("13800000005")
    if chengguan is not None:
        services.accept(session, chengguan, orders[0], now=_at(yesterday, 11, 20))
        services.complete(session, chengguan, orders[0], "已清理门前占道物品并告知商户。", now=_at(yesterday, 15, 0))

    # S7: a 12345 work order about e-bikes charged in the stairwell.
    b8 = buildings[("芳群园一区", "8号楼")]
    p7 = services.report_problem(session, staff, b8, category=Category.FIRE_SAFETY, source=Source.HOTLINE,
                                 hotline_order_no="12345-20260923-0471", uuid=str(uuid.uuid5(NAMESPACE, "s7")),
                                 text="市民来电:8号楼楼道里有人给电动车充电,存在火灾隐患。", now=_at(today, 6, 50))
    services.respond(session, staff, p7, "社区接单,已转物业值班室处理。", now=_at(today, 7, 5))

    # S5: the broken entry-door lock, reported in the evening, mentioning the secretary, fixed next morning.
    p5 = services.report_problem(session, resident, b6, category=Category.REPAIRS, household=home,
                                 uuid=str(uuid.uuid5(NAMESPACE, "s5")), location="6门 单元门",
                                 text="@钱书记 6门单元门的门禁锁坏了,门关不上,晚上不安全。", now=_at(yesterday, 21, 10))
    services.respond(session, staff, p5, "好的!已经通知物业,明早来修。", now=_at(yesterday, 21, 16))
    if today.hour >= 8:
        services.resolve(session, staff, p5, "物业早上已经换好了门禁锁。", now=_at(today, 7, 40))

    # S10: floor numbers by the lift not put back after repainting; the property worker answers at once.
    property_worker = users.get("13800000006")
    p10 = services.report_problem(session, resident, b6, category=Category.PROPERTY_SERVICE, household=home,
                                  uuid=str(uuid.uuid5(NAMESPACE, "s10")), location="电梯口",
                                  text="楼道刷完墙以后,电梯口的楼层号没有贴回去,老人找不到楼层。",
                                  now=utcnow() - timedelta(hours=3))
    if property_worker is not None:
        services.respond(session, property_worker, p10, "马上修!", now=utcnow() - timedelta(hours=2, minutes=50))
        services.respond(session, property_worker, p10, "楼层号已经全部贴好了。", now=utcnow() - timedelta(hours=1))

    # An overdue one: reported 14 hours ago and nobody has answered.
    b10 = buildings[("芳群园一区", "10号楼")]
    services.report_problem(session, resident, b10, category=Category.ELEVATOR, uuid=str(uuid.uuid5(NAMESPACE, "late")),
                            text="10号楼1门电梯运行时有很大的异响,老人不敢坐。", location="1门电梯",
                            now=utcnow() - timedelta(hours=14))
    _last_month(session, resident, home, staff, street, buildings)
    session.flush()


# Last month's record, so the monthly report (/reports/ opens on last month) has figures on a first
# look: (building, category, words, day of the month, hours to the first answer, days to resolve, rating).
LAST_MONTH = [
    (("芳群园一区", "6号楼"), Category.SANITATION, "6门楼道里堆了旧家具,影响通行。", 3, 2, 2, 5),
    (("芳群园一区", "6号楼"), Category.REPAIRS, "7门单元门闭门器坏了,门一直开着。", 8, 1, 3, 4),
    (("芳群园一区", "6号楼"), Category.GREENERY, "楼前草坪的自动喷头一直在漏水。", 17, 14, 5, 3),
    (("芳群园一区", "8号楼"), Category.ELEVATOR, "8号楼2门电梯按钮失灵。", 5, 3, 1, None),
    (("芳群园一区", "8号楼"), Category.PARKING, "消防通道上长期停着一辆私家车。", 12, 5, 6, None),
    (("芳群园一区", "10号楼"), Category.NOISE, "夜里楼下商铺装修噪音很大。", 20, 20, 3, None),
    (("芳群园二区", "5号楼"), Category.SANITATION, "5号楼下药店门前垃圾桶满了没人清。", 9, 4, 1, None),
    (("芳群园三区", "24号楼"), Category.FIRE_SAFETY, "24号楼3门楼道里有人给电动车充电。", 14, 1, 2, None),
]


def _last_month(session: Session, resident, home, staff, street, buildings) -> None:
    """Last month's problems, all finished: the resident's own, confirmed and rated; 12345 orders for the rest.

    Two are answered after their 12 hours. The orders nobody confirms are closed as the daily job
    closes them a week after they were resolved. Their inbox items are read: it is the past.
    """
    this_month = month_start(utcnow())
    first = to_local(month_start(this_month - timedelta(days=1)))
    for n, (place, category, text, day, answer_hours, resolve_days, rating) in enumerate(LAST_MONTH):
        building, at = buildings[place], _at(first + timedelta(days=day - 1), 9, 30)
        own = rating is not None
        desk = staff if place[0] == "芳群园一区" else street
        problem = services.report_problem(
            session, resident if own else desk, building, category=category, text=text, now=at,
            household=home if own else None, uuid=str(uuid.uuid5(NAMESPACE, f"last-month-{n}")),
            source=Source.APP if own else Source.HOTLINE, hotline_order_no="" if own else f"20{n:02d}1{day:02d}0{n}")
        services.respond(session, desk, problem, "收到,已安排处理。", now=at + timedelta(hours=answer_hours))
        services.resolve(session, desk, problem, "已处理完毕。", now=at + timedelta(days=resolve_days))
        if own:
            services.confirm(session, resident, problem, rating, thanks=rating == 5,
                             now=at + timedelta(days=resolve_days, hours=3))
    session.flush()
    services.close_stale(session, now=utcnow())
    session.execute(update(InboxItem).where(InboxItem.read_at.is_(None), InboxItem.created_at < this_month)
                    .values(read_at=InboxItem.created_at))
