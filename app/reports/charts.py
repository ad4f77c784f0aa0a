"""Server-side SVG bar charts of a report's tables: no JavaScript, readable in black and white.

Hand-built rather than from a charting library (docs/reports.md says why): every chart here is one
series of horizontal bars, each labelled with its name and its value in text, so neither colour nor a
legend carries meaning. The bars are Okabe–Ito blue (#0072B2, safe for colour-blind readers) with a
black outline, so they print as grey boxes. The template (templates/reports/_chart_svg.html) draws what
chart() measures; the table the chart is drawn from stands beside it as its text equivalent.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.reports.figures import Table, display

# Which tables get a chart, and from which columns: (label column, value column).
CHARTED = {"rates": ("figure", "rate"), "source": ("name", "count"), "category": ("name", "count"),
           "status": ("name", "count"), "ranking": ("unit", "response")}
WIDTH, LABEL, BAR, GAP, TOP = 480, 130, 20, 8, 8
VALUE_ROOM = 70  # room right of the longest bar for its value


@dataclass(frozen=True)
class Bar:
    """One bar: where it is drawn, its label and its value as text."""

    y: float
    width: float
    label: str
    text: str


@dataclass(frozen=True)
class Chart:
    """A measured chart: its size, its bars, and the table it is drawn from."""

    key: str
    title: str
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]


def chart(table: Table) -> Chart | None:
    """The chart of `table` (None for tables without one, or with nothing to draw)."""
    if table.key not in CHARTED:
        return None
    label_key, value_key = CHARTED[table.key]
    kind = next(c.kind for c in table.columns if c.key == value_key)
    rows = [r for r in table.rows if r[value_key]] if kind == "count" else table.rows
    if not rows:
        return None
    top = 1.0 if kind == "rate" else max(r[value_key] or 0 for r in rows) or 1
    room = WIDTH - LABEL - VALUE_ROOM
    bars = [Bar(TOP + i * (BAR + GAP), room * (r[value_key] or 0) / top, str(r[label_key])[:12],
                display(r[value_key], kind)) for i, r in enumerate(rows)]
    return Chart(table.key, table.title, WIDTH, TOP * 2 + len(bars) * (BAR + GAP), LABEL, BAR, bars)
