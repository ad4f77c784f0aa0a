"""The report pages as people see them: the figures, the lists behind them, and who may read which."""
import re

import pytest

from app.extensions import db
from app.reports import figures
from app.reports.periods import find_scope, parse_period

SEPTEMBER = "from=2026-09-01&to=2026-09-30"


def shown_figures(html: str) -> dict[str, str]:
    """figure key → the number the page shows for it (each count cell carries its figure key)."""
    cells = re.findall(r'data-figure="([^"]+)"><a href="[^"]+">([^<]+)</a>', html)
    return dict(cells)


def test_the_page_shows_the_same_figures_as_the_report(client, login, report_world):
    login(report_world.staff)
    scope = f"community:{report_world.community.id}"
    page = client.get(f"/reports/?scope={scope}&{SEPTEMBER}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    report = figures.compute(db.session, find_scope(db.session, scope), parse_period({"month": "2026-09"}, None))
    kinds = {(table.key, c.key): c.kind for table in report.tables for c in table.columns}
    expected = {key: figures.display(row[column], kinds[table.key, column]) for table in report.tables
                for row, links in zip(table.rows, table.links, strict=True) for column, key in links.items()}
    assert shown_figures(html) == expected
    assert expected["received"] == "6" and expected["answered.on_time"] == "4"
    assert "66.67%" in html and "÷" in html  # the response rate, and the definitions (口径) below


def test_each_figure_links_to_the_problems_behind_it(client, login, report_world):
    login(report_world.staff)
    html = client.get(f"/reports/?scope=community:{report_world.community.id}&{SEPTEMBER}").get_data(as_text=True)
    link = re.search(r'data-figure="answered.late"><a href="([^"]+)"', html).group(1).replace("&amp;", "&")
    listed = client.get(link).get_data(as_text=True)
    p2 = report_world.problems["p2"].id
    assert f'href="/issues/{p2}"' in listed
    assert len(re.findall(r'href="/issues/\d+"', listed)) == 1


def test_staff_default_to_their_community_last_month(client, login, report_world, frozen_clock):
    from datetime import UTC, datetime

    frozen_clock.set(datetime(2026, 10, 9, tzinfo=UTC))
    login(report_world.staff)
    html = client.get("/reports/").get_data(as_text=True)
    assert report_world.community.name in html and "2026-09-01" in html and "2026-09-30" in html


@pytest.mark.parametrize("who, scope, status", [
    ("staff", "community", 200), ("staff", "building", 200), ("staff", "other_community", 403), ("staff", "street", 403),
    ("other_staff", "community", 403), ("street_user", "street", 200), ("street_user", "other_community", 200),
    ("street_user", "department", 200), ("department_user", "department", 200),
    ("department_user", "community", 403), ("admin", "street", 200),
])
def test_each_reads_only_within_their_scope(client, login, report_world, who, scope, status):
    keys = {"community": f"community:{report_world.community.id}",
            "other_community": f"community:{report_world.other_community.id}",
            "building": f"building:{report_world.buildings[0].id}", "street": f"street:{report_world.street.id}",
            "department": f"department:{report_world.departments['方庄派出所'].id}"}
    login(getattr(report_world, who))
    assert client.get(f"/reports/?scope={keys[scope]}&{SEPTEMBER}").status_code == status
    assert client.get(f"/reports/problems?figure=received&scope={keys[scope]}&{SEPTEMBER}").status_code == status


def test_residents_may_not_read_reports(client, login, report_world, make_user):
    from app.models import Role

    login(make_user(Role.RESIDENT, report_world.problems["p1"].household))
    assert client.get("/reports/").status_code == 403


@pytest.mark.parametrize("query, message", [
    ("scope=city:1", "building:N"), ("month=2026-13", "YYYY-MM"), ("from=2026-09-30&to=2026-09-01", ""),
])
def test_bad_requests_say_what_is_wrong(client, login, report_world, query, message):
    login(report_world.staff)
    page = client.get(f"/reports/?{query}")
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)


@pytest.mark.parametrize("who", ["staff", "street_user", "admin", "department_user"])
def test_the_home_page_offers_the_reports(client, login, report_world, who):
    login(getattr(report_world, who))
    html = client.get("/").get_data(as_text=True)
    assert 'href="/reports/"' in html


def test_residents_home_has_no_reports(client, login, report_world, make_user):
    from app.models import Role

    login(make_user(Role.RESIDENT, report_world.problems["p1"].household))
    assert 'href="/reports/"' not in client.get("/").get_data(as_text=True)
