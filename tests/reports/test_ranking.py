"""The ranking of a community's buildings (and a street's communities), hotspots (未诉先办) and rising categories."""
import uuid

from app.extensions import db
from app.problems import services
from app.problems.models import CATEGORY_LABELS, Category
from tests.reports.conftest import H, at
from tests.reports.test_figures import report_of


def add(world, building, when, category, answered_after=None):
    household = building.households[0]
    problem = services.report_problem(db.session, world.staff, building, category=category, text="又坏了", now=when,
                                      uuid=str(uuid.uuid4()), household=household)
    if answered_after is not None:
        services.respond(db.session, world.staff, problem, "收到", now=when + answered_after)
    db.session.commit()
    return problem


def test_buildings_ranked_by_the_three_rates_beside_the_month_before(report_world):
    _b6, b24, _b1 = report_world.buildings
    add(report_world, b24, at(8, 20), Category.OTHER, answered_after=H)  # August: 24号楼 answered 1 of 1 on time
    ranking = report_of(report_world).table("ranking")
    rows = [(r["rank"], r["unit"], r["received"], r["response"], r["response_before"], r["response_change"],
             r["resolution"], r["satisfaction"]) for r in ranking.rows]
    assert rows == [
        (1, "6号楼", 3, 1.0, None, None, 0.6667, 1.0),  # p1, p3, p5 answered on time; p1, p3 resolved; p1 5 stars
        (2, "24号楼", 3, 0.3333, 1.0, -0.6667, 0.3333, 0.0),  # p7 on time, p2 resolved, p2 3 stars
    ]
    assert ranking.links[1]["response"] == f"{b24.id}:answered.on_time"
    assert report_of(report_world).members[f"{b24.id}:answered.on_time"] == [report_world.problems["p7"].id]


def test_a_street_ranks_its_communities(report_world):
    ranking = report_of(report_world, f"street:{report_world.street.id}").table("ranking")
    by_unit = {r["unit"]: (r["received"], r["response"]) for r in ranking.rows}
    assert by_unit == {report_world.community.name: (6, 0.6667), "芳群园三区": (1, 0.0)}
    assert [r["rank"] for r in ranking.rows] == [1, 2] and ranking.rows[0]["unit"] == report_world.community.name


def test_three_problems_of_one_category_in_a_building_in_30_days_is_a_hotspot(report_world):
    b6 = report_world.buildings[0]
    report = report_of(report_world)
    assert report.table("hotspots").rows == []  # 6号楼 has two greenery problems in September: p1, p5
    third = add(report_world, b6, at(9, 20), Category.GREENERY)
    report = report_of(report_world)
    hotspots = report.table("hotspots")
    assert [(r["building"], r["count"]) for r in hotspots.rows] == [(b6.full_name, 3)]
    p = report_world.problems
    assert sorted(report.members[hotspots.links[0]["count"]]) == sorted([p["p1"].id, p["p5"].id, third.id])


def test_the_30_days_end_with_the_period(report_world):
    b6 = report_world.buildings[0]
    add(report_world, b6, at(8, 31, 15, 59), Category.GREENERY)  # 23:59 on 31 August in Beijing: the day before the 30
    assert report_of(report_world).table("hotspots").rows == []
    add(report_world, b6, at(9, 30, 15, 59), Category.GREENERY)  # 23:59 on 30 September: in
    assert report_of(report_world).table("hotspots").rows[0]["count"] == 3


def test_categories_rising_on_the_month_before(report_world):
    b24 = report_world.buildings[1]
    add(report_world, b24, at(8, 10), Category.GREENERY)
    add(report_world, b24, at(8, 11), Category.OTHER)
    rising = {r["category"]: (r["count"], r["before"], r["more"]) for r in report_of(report_world).table("rising").rows}
    # September: greenery 2, repairs 1, public order 1, noise 1, other 1; August: greenery 1, other 1.
    label = {c: str(CATEGORY_LABELS[c]) for c in Category}
    assert rising == {label[Category.GREENERY]: (2, 1, 1), label[Category.REPAIRS]: (1, 0, 1),
                      label[Category.PUBLIC_ORDER]: (1, 0, 1), label[Category.NOISE]: (1, 0, 1)}


def test_the_change_is_none_when_either_month_has_nothing(report_world):
    ranking = report_of(report_world, month="2026-10").table("ranking")
    row = next(r for r in ranking.rows if r["unit"] == "24号楼")
    assert (row["received"], row["response"], row["response_before"], row["response_change"]) == (0, None, 0.3333, None)
