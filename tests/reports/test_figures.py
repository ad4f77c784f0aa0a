"""Every figure of a hand-built September, exactly (tests/reports/conftest.py says why each is what it is)."""
from datetime import UTC, date, datetime

import pytest

from app.extensions import db
from app.reports import figures
from app.reports.periods import BadReportRequest, Period, find_scope, last_month, parse_period


def report_of(world, key=None, **args):
    scope = find_scope(db.session, key or f"community:{world.community.id}")
    return figures.compute(db.session, scope, parse_period({"month": "2026-09", **args}, datetime.now(UTC)))


def column(report, table, key_column, value_column="count"):
    t = report.table(table)
    return {row[key_column]: row[value_column] for row in t.rows}


def test_the_three_rates_and_their_parts(report_world):
    report = report_of(report_world)
    rates = report.table("rates").rows
    assert [(r["numerator"], r["denominator"], r["rate"]) for r in rates] == [
        (4, 6, 0.6667),  # answered within the deadline: p1 (1 min before), p3 (police, 2 h), p5, p7 — not p2, p4
        (3, 6, 0.5),  # resolved before the end: p1, p2, p3 (p5 reopened, p7 resolved in October)
        (1, 2, 0.5),  # rated: p1 (5 stars), p2 (3 stars)
    ]


def test_summary_counts_and_the_problems_behind_each(report_world):
    report = report_of(report_world)
    p = {k: v.id for k, v in report_world.problems.items()}
    counts = dict(zip([link["count"] for link in report.table("summary").links],
                      [row["count"] for row in report.table("summary").rows], strict=True))
    assert counts == {"received": 6, "answered.on_time": 4, "answered.late": 1, "answered.none": 1,
                      "resolved.on_time": 1, "resolved.late": 2, "resolved.open": 3, "reopened": 1, "rated": 2,
                      "satisfied": 1}
    members = report.members
    assert sorted(members["received"]) == sorted([p["p1"], p["p2"], p["p3"], p["p4"], p["p5"], p["p7"]])
    assert members["answered.late"] == [p["p2"]] and members["answered.none"] == [p["p4"]]
    assert sorted(members["resolved.late"]) == sorted([p["p2"], p["p3"]])
    assert sorted(members["resolved.open"]) == sorted([p["p4"], p["p5"], p["p7"]])
    assert members["reopened"] == [p["p5"]] and members["satisfied"] == [p["p1"]]
    for key, ids in members.items():  # every figure is the length of its list (work orders: one problem each here)
        if not key.startswith("orders."):
            assert len(ids) == len(set(ids))


def test_breakdowns_by_source_category_and_status_at_the_end(report_world):
    report = report_of(report_world)
    by_source = {link["count"]: row["count"] for row, link in zip(report.table("source").rows,
                                                                 report.table("source").links, strict=True)}
    assert by_source == {"source.app": 3, "source.visit": 0, "source.hotline": 2, "source.walk_in": 1,
                         "source.group": 0}
    by_category = {link["count"]: row["count"] for row, link in zip(report.table("category").rows,
                                                                   report.table("category").links, strict=True)
                   if row["count"]}
    assert by_category == {"category.greenery": 2, "category.repairs": 1, "category.public_order": 1,
                           "category.noise": 1, "category.other": 1}
    by_status = {link["count"]: row["count"] for row, link in zip(report.table("status").rows,
                                                                 report.table("status").links, strict=True)
                 if row["count"]}
    # p7 was answered and resolved only in October: at the end of September it was answered, not resolved.
    assert by_status == {"status.confirmed": 2, "status.resolved": 1, "status.reported": 1,
                         "status.in_progress": 1, "status.acknowledged": 1}
    assert sum(row["count"] for row in report.table("status").rows) == 6


def test_times_to_first_answer_and_to_resolution(report_world):
    rows = report_of(report_world).table("times").rows
    # Answered: 0.5 h (p7), 1 h (p5), 2 h (p3), 11.98 h (p1), 12.02 h (p2); resolved: 24 h, 192 h, 216 h.
    assert (rows[0]["count"], rows[0]["median"], rows[0]["p90"]) == (5, 2.0, 12.0)
    assert (rows[1]["count"], rows[1]["median"], rows[1]["p90"]) == (3, 192.0, 211.2)


def test_escalations_and_each_departments_work_orders(report_world):
    report = report_of(report_world)
    assert [row["count"] for row in report.table("escalations").rows] == [1, 1]  # p3: to the community, the street
    orders = {row["department"]: {k: v for k, v in row.items() if k != "department"}
              for row in report.table("orders").rows}
    assert orders == {
        "方庄派出所": {"dispatched": 1, "accepted": 1, "on_time": 1, "late": 0, "open": 0},
        "城管执法队": {"dispatched": 1, "accepted": 1, "on_time": 0, "late": 1, "open": 0},
    }


def test_a_work_order_not_done_when_the_period_ends_is_open(report_world):
    # Ending on 10 September: city management accepted on the 8th and finished on the 14th.
    report = report_of(report_world, month="", **{"from": "2026-09-01", "to": "2026-09-10"})
    orders = {row["department"]: row for row in report.table("orders").rows}
    assert (orders["城管执法队"]["accepted"], orders["城管执法队"]["late"], orders["城管执法队"]["open"]) == (1, 0, 1)
    assert report.table("rates").rows[1]["numerator"] == 1  # only p1 was resolved by then


def test_a_department_sees_only_its_own_work_orders(report_world):
    police = report_world.departments["方庄派出所"]
    report = report_of(report_world, f"department:{police.id}")
    assert report.members["received"] == [report_world.problems["p3"].id]
    assert [row["department"] for row in report.table("orders").rows] == ["方庄派出所"]


def test_the_street_counts_every_community(report_world):
    report = report_of(report_world, f"street:{report_world.street.id}")
    assert report.table("rates").rows[0]["denominator"] == 7  # p8 next door too


def test_a_beijing_month_is_not_a_utc_month(report_world):
    p = report_world.problems
    september = report_of(report_world).members["received"]
    assert p["p7"].id in september and p["p6"].id not in september  # 1 Sept 00:30 in; 1 Oct 00:30 (Beijing) out
    october = report_of(report_world, month="2026-10").members["received"]
    assert october == [p["p6"].id]
    period = Period(date(2026, 9, 1), date(2026, 9, 30))
    assert (period.start, period.end) == (datetime(2026, 8, 31, 16, tzinfo=UTC), datetime(2026, 9, 30, 16, tzinfo=UTC))


def test_last_month_is_the_beijing_calendar_month_before():
    # 1 October 00:30 in Beijing is still 30 September in UTC: last month is September.
    assert last_month(datetime(2026, 9, 30, 16, 30, tzinfo=UTC)) == Period(date(2026, 9, 1), date(2026, 9, 30))
    assert last_month(datetime(2026, 9, 30, 15, 30, tzinfo=UTC)) == Period(date(2026, 8, 1), date(2026, 8, 31))
    assert last_month(datetime(2026, 1, 15, tzinfo=UTC)) == Period(date(2025, 12, 1), date(2025, 12, 31))


@pytest.mark.parametrize("args", [{"month": "2026-13"}, {"from": "2026-09-01"}, {"from": "2026-09-30", "to": "2026-09-01"},
                                  {"from": "2024-01-01", "to": "2026-01-01"}, {"from": "0001-01-01", "to": "0001-01-02"}])
def test_periods_the_app_cannot_read_are_refused_with_a_message(app, args):
    with pytest.raises(BadReportRequest) as refused:
        parse_period(args, datetime(2026, 10, 5, tzinfo=UTC))
    assert refused.value.description


@pytest.mark.parametrize("key", ["city:1", "community:", "community:x", "community:99999", "community:99999999999"])
def test_scopes_the_app_cannot_read_are_refused(app, key):
    with pytest.raises(Exception) as refused:
        find_scope(db.session, key)
    assert refused.value.code == 400
