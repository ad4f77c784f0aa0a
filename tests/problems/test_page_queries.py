"""The problem pages issue a fixed number of SQL queries whatever the data size (bench/issues.py
measures their speed; these guard what the speed relies on: no query per card or per timeline step)."""
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, format_datetime

from app.clock import to_local
from app.extensions import db
from app.i18n import NUMERIC_PATTERNS, local_time
from app.problems import desk, services
from app.problems.models import Category, Problem
from tests.query_count import queries_for, sent

T0 = datetime(2026, 9, 22, 23, 33, tzinfo=UTC)


@pytest.fixture
def report(world, make_household, make_user):
    """report(n): n problems from n // 5 + 1 new households of the building, each answered by staff.

    More problems bring more households and reporters, so a query per card would show in the count.
    """
    from app.models import Role

    made = []  # each problem a minute after the last one made, in this test: no two share a deadline, so
    # the queue (by deadline) has one order and its kept list one key

    def make(n: int) -> list[Problem]:
        building = world.household.building
        reporters = [make_user(Role.RESIDENT, make_household(building)) for _ in range(n // 5 + 1)]
        problems = []
        for i in range(n):
            reporter = reporters[i % len(reporters)]
            problem = services.report_problem(db.session, reporter, building, category=Category.REPAIRS,
                                              text=f"第{i}件", household=reporter.roles[0].household,
                                              now=T0 + timedelta(minutes=len(made)), uuid=str(uuid.uuid4()))
            services.respond(db.session, world.staff, problem, "收到",
                             now=T0 + timedelta(minutes=len(made), seconds=30))
            problems.append(problem)
            made.append(problem)
        db.session.commit()
        return problems

    return make


@pytest.mark.parametrize("page", ["feed", "queue"])
def test_list_pages_issue_the_same_queries_for_10_and_100_problems(client, login, world, report, page):
    who = world.resident if page == "feed" else world.staff
    url = f"/issues/building/{world.household.building_id}" if page == "feed" else "/issues/queue"
    report(10)
    login(who)
    few = queries_for(client, url)
    report(90)
    assert queries_for(client, url) == few


def test_problem_page_issues_the_same_queries_for_a_short_and_a_long_timeline(client, login, world, report, make_user):
    from app.models import Role

    problem = report(1)[0]
    login(world.staff)
    url = f"/issues/{problem.id}"
    short = queries_for(client, url)
    helpers = [make_user(Role.STAFF, world.household.building.community, name=f"干部{i}") for i in range(5)]
    for i in range(30):
        services.respond(db.session, helpers[i % 5], problem, f"进展{i}", now=T0 + timedelta(hours=1, minutes=i))
    db.session.commit()
    assert queries_for(client, url) == short


def test_numeric_time_patterns_read_as_babel_writes_them(app):
    """local_time's fast path (strftime) gives what Babel gives, in both languages, across a year."""
    with app.test_request_context():
        for locale in ("zh_CN", "en"):
            with force_locale(locale):
                for hours in range(0, 366 * 24, 13):
                    moment = T0 + timedelta(hours=hours, minutes=hours % 60)
                    for pattern in NUMERIC_PATTERNS:
                        assert local_time(moment, pattern) == format_datetime(to_local(moment), pattern, rebase=False)


@pytest.mark.postgres
def test_the_queue_walks_its_deadline_index_testing_each_building_against_a_set_read_once(world, make_building,
                                                                                          frozen_clock):
    """PostgreSQL would make `building_id IN (…)` a semi join, looking each walked row's building up in
    turn (app.database.kept_as_filter): the queue's tiers read the asker's buildings once instead."""
    from app.problems import queries

    others = [make_building(f"{n}号楼") for n in range(3)]
    for n in range(6):
        services.report_problem(db.session, world.resident, world.household.building, category=Category.REPAIRS,
                                text=f"第{n}件", household=world.household, now=T0 + timedelta(minutes=n),
                                uuid=str(uuid.uuid4()))
    db.session.commit()
    frozen_clock.set(T0 + timedelta(days=1))
    with sent() as seen:
        cards = queries.queue_page(db.session, world.staff, now=T0 + timedelta(days=1))
    assert [c.building_name for c in cards] == ["6号楼"] * 6 and others  # the page, whatever the plan
    tiers = [s for s in seen if "LIMIT" in s[0]]
    assert len(tiers) == 3  # six overdue problems leave room for the other two tiers
    for statement, parameters in tiers:
        plan = "\n".join(db.session.connection().exec_driver_sql("EXPLAIN " + statement, parameters).scalars())
        assert re.search(r"Filter: .*SubPlan", plan), plan  # the walk tests each row against the set


def test_the_desk_counts_read_the_open_problems_of_the_askers_buildings_alone(world, frozen_clock):
    """The queue's counts go through the open problems by building (on SQLite named with INDEXED BY, as its
    planner, without statistics, would read every open problem of the database by status)."""

    with sent() as seen:
        page = desk.desk_page(db.session, world.staff, now=T0)
    assert page.counts == (0, 0, 0)
    (statement, parameters), = [s for s in seen if "FILTER" in s[0]]
    if db.engine.dialect.name == "postgresql":  # it weighs ix_problem_open_building_pg by its statistics itself
        assert "INDEXED BY" not in statement
        return
    plan = " ".join(row[-1] for row in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                                parameters))
    assert "SEARCH problem USING INDEX ix_problem_open_building (building_id=?)" in plan, plan


@pytest.mark.postgres
def test_a_streets_buildings_are_read_from_the_community_index_alone(world):
    """The queue's statement reads the asker's street's buildings (its communities'): from the index of
    buildings by community, which holds their ids, without reading the building table. At a district's
    2,230 buildings PostgreSQL otherwise scanned the table, twice a page (migration 0027)."""
    from app.auth.queries import reached
    from app.models import Role

    statement = reached((Role.STREET,)).compile(db.engine)
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a handful of test rows: a scan would do
    # Nor a bitmap scan, which the planner may weigh lower when the table's pages were written since the last
    # vacuum (problem writes raise building.problems_version): what is asked is that the index holds the ids.
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    plan = "\n".join(connection.exec_driver_sql("EXPLAIN " + str(statement), {"s0": world.street.id}).scalars())
    assert "Index Only Scan using ix_building_community_id_id on building" in plan, plan
