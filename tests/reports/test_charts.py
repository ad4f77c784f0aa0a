"""Charts drawn on the server (SVG, no script), each beside its table; the A4 print view."""
import re
from datetime import UTC, datetime

from tests.reports.test_routes import SEPTEMBER


def test_each_chart_is_an_accessible_svg_beside_its_table(client, login, report_world):
    login(report_world.staff)
    html = client.get(f"/reports/?scope=community:{report_world.community.id}&{SEPTEMBER}").get_data(as_text=True)
    charts = re.findall(r'<svg class="report-chart".*?</svg>', html, re.S)
    assert len(charts) == 5  # rates, source, category, status, ranking
    for svg in charts:
        described = re.search(r'aria-describedby="(table-[a-z]+)"', svg).group(1)
        assert f'id="{described}"' in html  # the table equivalent is on the page
        assert 'role="img"' in svg and "<title" in svg and "<script" not in svg
    rates = next(svg for svg in charts if 'aria-describedby="table-rates"' in svg)
    assert "66.67%" in rates and "50.00%" in rates  # values written as text: no colour needed to read them
    assert "<script" not in html.split("<main", 1)[1]


def test_a_chart_escapes_names(client, login, report_world):
    from app.extensions import db

    report_world.buildings[0].name = "<b>6号楼</b>"
    db.session.commit()
    login(report_world.staff)
    html = client.get(f"/reports/?scope=community:{report_world.community.id}&{SEPTEMBER}").get_data(as_text=True)
    assert "<b>6号楼" not in html and "&lt;b&gt;6号楼" in html


def test_the_print_view_names_the_unit_the_period_and_the_day_printed(client, login, report_world, frozen_clock):
    frozen_clock.set(datetime(2026, 10, 8, 17, tzinfo=UTC))  # 9 October, 01:00 in Beijing
    login(report_world.staff)
    page = client.get(f"/reports/print?scope=community:{report_world.community.id}&{SEPTEMBER}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert report_world.community.name in html and "2026-09-01 – 2026-09-30" in html and "2026-10-09" in html
    assert 'class="report-chart"' in html and 'id="table-rates"' in html
