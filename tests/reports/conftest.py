"""A hand-built community for the reports: September 2026 (Beijing time), seven problems, two departments.

Every figure the tests assert follows from the steps below; the comments say which.
"""
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Community, Department, DepartmentKind, Role, Street, User
from app.problems import services
from app.problems.models import Category, Problem, Source

H = timedelta(hours=1)
D = timedelta(days=1)


def at(month, day, hour=0, minute=0):
    """A UTC moment in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class ReportWorld:
    street: Street
    community: Community
    other_community: Community
    buildings: list
    staff: User
    street_user: User
    other_staff: User
    admin: User
    department_user: User
    departments: dict
    problems: dict


@pytest.fixture
def report_world(make_building, make_household, make_user):
    """Seven problems in 芳群园一区 (six in September in Beijing), one next door, as the loop records them."""
    b6 = make_building("6号楼")
    community = b6.community
    b24 = make_building("24号楼", community)
    other = Community(street=community.street, name="芳群园三区")
    db.session.add(other)
    b1 = make_building("1号楼", other)
    households = {b.id: make_household(b, room="101") for b in (b6, b24, b1)}
    departments = {}
    for name in ("城管执法队", "方庄派出所"):
        departments[name] = Department(name=name, kind=DepartmentKind.CITY, street_id=community.street_id)
        db.session.add(departments[name])
    db.session.commit()
    resident = {b.id: make_user(Role.RESIDENT, households[b.id], name="居民") for b in (b6, b24, b1)}
    head = make_user(Role.BUILDING_HEAD, b6, name="孙楼长")
    staff = make_user(Role.STAFF, community, name="钱书记")
    street = make_user(Role.STREET, community.street, name="赵街道")
    police = make_user(Role.DEPARTMENT, departments["方庄派出所"], name="民警")
    city = make_user(Role.DEPARTMENT, departments["城管执法队"], name="城管")
    problems = {}

    def report(key, building, when, category, source=Source.APP, **extra):
        problems[key] = services.report_problem(
            db.session, resident[building.id], building, category=category, text=f"问题 {key}", now=when,
            uuid=str(uuid.uuid4()), household=households[building.id], source=source, **extra)
        return problems[key]

    # p1: answered 1 minute before the 12-hour deadline, resolved next day, 5 stars.
    p1 = report("p1", b6, at(9, 2), Category.GREENERY)
    services.respond(db.session, staff, p1, "收到", now=p1.reported_at + 12 * H - timedelta(minutes=1))
    services.resolve(db.session, staff, p1, "修剪了", now=p1.reported_at + D)
    services.confirm(db.session, resident[b6.id], p1, 5, now=p1.reported_at + D + H)
    # p2: a walk-in answered 1 minute after the deadline, resolved after 8 days (late), 3 stars.
    p2 = report("p2", b24, at(9, 3), Category.REPAIRS, Source.WALK_IN)
    services.respond(db.session, staff, p2, "收到", now=p2.reported_at + 12 * H + timedelta(minutes=1))
    services.resolve(db.session, staff, p2, "修好了", now=p2.reported_at + 8 * D)
    services.confirm(db.session, resident[b24.id], p2, 3, now=p2.reported_at + 8 * D + H)
    # p3: a 12345 order escalated to the community and the street, dispatched to two departments;
    # the police report for duty after 2 h (the first answer) and finish in 2 days, city management
    # finishes after 9 days (late) and so the problem is resolved after 9 days. Not rated.
    p3 = report("p3", b6, at(9, 5), Category.PUBLIC_ORDER, Source.HOTLINE, hotline_order_no="2026090500123")
    services.escalate(db.session, head, p3, "反复反映", now=p3.reported_at + timedelta(minutes=30))
    services.escalate(db.session, staff, p3, "需要吹哨", now=p3.reported_at + 45 * timedelta(minutes=1))
    orders = services.dispatch(db.session, street, p3, [departments["方庄派出所"], departments["城管执法队"]],
                               "联合执法", now=p3.reported_at + H)
    police_order, city_order = sorted(orders, key=lambda o: o.department.name != "方庄派出所")
    services.accept(db.session, police, police_order, now=p3.reported_at + 2 * H)
    services.complete(db.session, police, police_order, "已处理", now=p3.reported_at + 2 * D)
    services.accept(db.session, city, city_order, now=p3.reported_at + 3 * D)
    services.complete(db.session, city, city_order, "已处理", now=p3.reported_at + 9 * D)
    # p4: a 12345 order nobody answered.
    report("p4", b24, at(9, 10), Category.NOISE, Source.HOTLINE, hotline_order_no="2026091000456")
    # p5: answered in 1 h, resolved in 2 days, reopened the day after (so open again at the end).
    p5 = report("p5", b6, at(9, 12), Category.GREENERY)
    services.respond(db.session, staff, p5, "收到", now=p5.reported_at + H)
    services.resolve(db.session, staff, p5, "好了", now=p5.reported_at + 2 * D)
    services.reopen(db.session, resident[b6.id], p5, "没修好", now=p5.reported_at + 3 * D)
    # p6: 00:30 on 1 October in Beijing (16:30 UTC on 30 September): October's, not September's.
    report("p6", b6, at(9, 30, 16, 30), Category.SANITATION)
    # p7: 00:30 on 1 September in Beijing (16:30 UTC on 31 August): September's. Answered in 30 minutes,
    # resolved only in October: open when September ended.
    p7 = report("p7", b24, at(8, 31, 16, 30), Category.OTHER)
    services.respond(db.session, staff, p7, "收到", now=p7.reported_at + timedelta(minutes=30))
    services.resolve(db.session, staff, p7, "好了", now=at(10, 3))
    # p8: next door, in another community: in the street's report only.
    report("p8", b1, at(9, 15), Category.NOISE)
    db.session.commit()
    return ReportWorld(
        street=community.street, community=community, other_community=other, buildings=[b6, b24, b1], staff=staff,
        street_user=street, other_staff=make_user(Role.STAFF, other, name="李书记"), admin=make_user(Role.ADMIN),
        department_user=police, departments=departments,
        problems={k: db.session.get(Problem, p.id) for k, p in problems.items()})
