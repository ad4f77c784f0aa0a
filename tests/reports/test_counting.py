"""The figures counted in SQL (queries.read_groups) stay right: at the microsecond, and after the month closed.

A month's report is computed from the problems as they stand, every time (no summary table): a
problem answered, resolved or rated after its month ended leaves that month's figures as they were
at its end, and each figure is still as long as the list behind it.
"""
import uuid
from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.problems import services
from app.problems.models import Category
from app.reports import figures
from app.reports.periods import find_scope, parse_period

from .conftest import at

US = timedelta(microseconds=1)


def report_of(world, month="2026-09"):
    scope = find_scope(db.session, f"community:{world.community.id}")
    return figures.compute(db.session, scope, parse_period({"month": month}, datetime.now(UTC)))


def summary(report):
    return {link["count"]: row["count"] for row, link in zip(report.table("summary").rows,
                                                              report.table("summary").links, strict=True)}


def assert_lists_agree(report):
    for table in report.tables:
        counts = {c.key for c in table.columns if c.kind == "count"}  # a rate links to its numerator's list
        for row, links in zip(table.rows, table.links, strict=True):
            for column, key in links.items():
                if column in counts and not key.startswith(("orders.", "/")):
                    assert row[column] == len(report.members.get(key, [])), key


def test_a_problem_changed_after_its_month_closed_leaves_that_month_as_it_ended(report_world):
    before = report_of(report_world)
    p, staff = report_world.problems, report_world.staff
    resident = p["p4"].reporter
    # October: p4, never answered in September, is answered, resolved and rated 5; p5 (reopened) is resolved.
    services.respond(db.session, staff, p["p4"], "收到", now=at(10, 2))
    services.resolve(db.session, staff, p["p4"], "好了", now=at(10, 3))
    services.confirm(db.session, resident, p["p4"], 5, now=at(10, 4))
    services.resolve(db.session, staff, p["p5"], "修好了", now=at(10, 5))
    db.session.commit()
    after = report_of(report_world)
    assert summary(after) == summary(before)
    # The status at the end is what the record still tells (figures.DEFINITIONS): p5, open when September
    # ended and resolved since, reads as answered (受理); p4 reads as reported, as it did.
    assert p["p5"].id in after.members["status.acknowledged"] and p["p4"].id in after.members["status.reported"]
    assert sum(row["count"] for row in after.table("status").rows) == summary(after)["received"]
    assert after.table("times").rows == before.table("times").rows
    assert after.members["answered.none"] == [p["p4"].id]
    assert sorted(after.members["resolved.open"]) == sorted([p["p4"].id, p["p5"].id, p["p7"].id])
    assert_lists_agree(after)
    october = report_of(report_world, "2026-10")  # p4 and p5 were received in September: not October's
    assert summary(october)["received"] == 1 and p["p4"].id not in october.members.get("resolved", [])


def test_on_time_is_decided_to_the_microsecond(report_world):
    """Resolved exactly 7 days after the report is on time, one microsecond more is late (both databases)."""
    b6 = report_world.buildings[0]
    p1 = report_world.problems["p1"]
    staff, resident, household = report_world.staff, p1.reporter, p1.household
    made = []
    for late in (timedelta(0), US):
        reported = at(9, 20) + timedelta(microseconds=123_456)
        problem = services.report_problem(db.session, resident, b6, category=Category.REPAIRS, text="楼道灯坏了",
                                          now=reported, uuid=str(uuid.uuid4()), household=household)
        services.respond(db.session, staff, problem, "收到", now=problem.feedback_due_at + late)
        services.resolve(db.session, staff, problem, "修好了", now=reported + timedelta(days=7) + late)
        made.append(problem.id)
    db.session.commit()
    report = report_of(report_world)
    on_time, late = made
    assert on_time in report.members["resolved.on_time"] and late in report.members["resolved.late"]
    assert on_time in report.members["answered.on_time"] and late in report.members["answered.late"]
    assert_lists_agree(report)
    times = {row["figure"]: row for row in report.table("times").rows}
    assert len(times) == 2
