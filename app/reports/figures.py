"""Every figure of a report, computed once: the page, the CSV, the XLSX and the JSON render the same result.

build_report() returns it, so they cannot disagree.

A report is a list of tables. A table is data: columns (a key, a label, a kind: text, count, rate,
hours) and rows of values; beside each count sits the key of the figure it counts ("source.hotline"),
and Report.members[key] is the list of problems behind it (the drill-down page lists them).
Counting and listing turn the same signatures (queries.Signature, worked out in SQL) into figure keys
by one function (signature_keys): counted by signature for the page, listed problem by problem only
when a list is opened (Members), so a figure and its list agree.

The definitions (口径) are written here once, in DEFINITIONS, and shown on the page and in docs/reports.md.
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.problems.labels import source_labels, status_labels
from app.problems.models import CATEGORY_LABELS, Category, Source
from app.reports import queries
from app.reports.periods import Period, ReportScope
from app.reports.queries import Facts, OrderFacts, Signature, read_facts

# 办结时限: a problem resolved, or a department's work order done, within this many days is on time.
DONE_WITHIN = timedelta(days=7)
SATISFIED_FROM = 4  # a rating of 4 or 5 stars is satisfied

# The definitions (口径), in the order the page shows them.
DEFINITIONS = (
    (_l("Received"), _l("Problems reported in the period (Beijing time), from every source, in the scope.")),
    (_l("Response rate"), _l("Problems whose first public answer came within the feedback deadline (12 hours unless "
                             "the community set another) ÷ problems received.")),
    (_l("Resolution rate"), _l("Problems marked resolved (or closed) before the period ended ÷ problems received.")),
    (_l("Satisfaction rate"), _l("Problems the reporter confirmed with 4 or 5 stars ÷ problems confirmed and rated, "
                                 "before the period ended.")),
    (_l("On time, late, open"), _l("Resolved within 7 days of being reported; resolved later; not resolved when the "
                                   "period ended. A department's work order: done within 7 days of being dispatched.")),
    (_l("Times"), _l("Hours from the report to the first public answer, and to being resolved, for the problems that "
                     "got there before the period ended: the median and the 90th percentile.")),
    (_l("Status at the end"), _l("Resolved, confirmed or closed when that happened before the period ended; otherwise "
                                 "the open status it has (or, if it was resolved since, answered or reported).")),
)


@dataclass(frozen=True)
class Column:
    """A column of a table: its key (in the JSON and the CSV), its label, and the kind of its values."""

    key: str
    label: str
    kind: str = "count"  # text, count, rate (0..1), hours


@dataclass
class Table:
    """One table of the report: rows of values by column key, and the figure key behind each count."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)

    def add(self, values: dict[str, Any], links: dict[str, str] | None = None) -> None:
        """Append a row and the figure keys of its counts."""
        self.rows.append(values)
        self.links.append(links or {})

    def as_dict(self, link_for: Callable[[str], str]) -> dict[str, Any]:
        """The table as JSON: columns, rows, and per row the URL of the list behind each figure."""
        return {"key": self.key, "title": self.title,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
                "rows": self.rows,
                "links": [{column: link_for(key) for column, key in links.items()} for links in self.links]}


@dataclass
class Report:
    """A scope's figures for a period: its tables, and the problems behind each figure key."""

    scope: ReportScope
    period: Period
    tables: list[Table]
    members: Mapping[str, list[int]]  # figure key → the problems behind it (Members: read when asked)

    def table(self, key: str) -> Table:
        """The table called `key`."""
        return next(t for t in self.tables if t.key == key)

    def as_dict(self, link_for: Callable[[str], str]) -> dict[str, Any]:
        """The whole report as JSON."""
        return {"scope": self.scope.key, "name": self.scope.name, "from": self.period.first.isoformat(),
                "to": self.period.last.isoformat(), "tables": [t.as_dict(link_for) for t in self.tables]}


def display(value: Any, kind: str) -> str:
    """A value as the page prints it: a rate as 66.67%, a change as +5.00%, hours to 1 decimal, nothing as —."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.2f}%"
    if kind == "change":
        return f"{value * 100:+.2f}%"
    if kind == "hours":
        return f"{value:.1f}"
    return str(value)


def _naive(moment: datetime) -> datetime:
    """An aware instant as the facts hold times: naive UTC (queries.read_facts)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _before(moment: datetime | None, end: datetime) -> bool:
    return moment is not None and moment < end


def signature_keys(s: Signature) -> list[str]:
    """The figure keys a problem of signature `s` counts under (each once): queries.Signature says what it was at the end."""
    keys = ["received", f"source.{s.source}", f"category.{s.category}", f"status.{s.status}"]
    keys += ["answered.none"] if s.answered == "none" else ["answered", f"answered.{s.answered}"]
    keys += ["resolved.open"] if s.resolved == "open" else ["resolved", f"resolved.{s.resolved}"]
    if s.rating:
        keys += ["rated", "satisfied"] if s.rating == "satisfied" else ["rated"]
    return keys


def unit_keys(s: Signature, keys: list[str], unit_kind: str) -> list[str]:
    """With a ranking by `unit_kind` ("community" or "building"), the keys of RANKED also as "<unit id>:<key>"."""
    if not unit_kind:
        return []
    unit = s.community_id if unit_kind == "community" else s.building_id
    return [f"{unit}:{key}" for key in keys if key in RANKED]


def order_keys(order: OrderFacts, end: datetime) -> Iterator[str]:
    """The figure keys a work order counts under: its department's dispatched, accepted, on time, late, open."""
    prefix = f"orders.{order.department_id}"
    yield f"{prefix}.dispatched"
    if _before(order.accepted_at, end):
        yield f"{prefix}.accepted"
    if _before(order.done_at, end):
        yield f"{prefix}.on_time" if order.done_at - order.dispatched_at <= DONE_WITHIN else f"{prefix}.late"
    else:
        yield f"{prefix}.open"


def rate(numerator: int, denominator: int) -> float | None:
    """The numerator ÷ denominator, rounded to 4 places (a percentage with 2 decimals); None when nothing to divide."""
    return round(numerator / denominator, 4) if denominator else None


def hours(values: list[float]) -> tuple[float | None, float | None]:
    """The median and the 90th percentile (statistics.quantiles, inclusive), in hours to 1 decimal."""
    if not values:
        return None, None
    median = statistics.median(values)
    p90 = values[0] if len(values) == 1 else statistics.quantiles(values, n=10, method="inclusive")[8]
    return round(median, 1), round(p90, 1)


# The figures each unit of a ranking is counted under too, as "<unit id>:<key>".
RANKED = ("received", "answered.on_time", "resolved", "rated", "satisfied")


def _escalated(facts: Facts) -> dict[int, list[int]]:
    """Escalation level → the problems escalated to it (each once, in id order)."""
    levels: dict[int, list[int]] = defaultdict(list)
    for problem_id in sorted(facts.escalations):
        for level in sorted(set(facts.escalations[problem_id])):
            levels[level].append(problem_id)
    return levels


def count(facts: Facts, end: datetime, unit_kind: str = "") -> Counter:
    """How many count under each figure key: the problems of each signature, the work orders of a department.

    With `unit_kind` ("community" or "building"), the figures of RANKED also per unit, as "<unit>:<key>".
    """
    counts: Counter = Counter()
    for signature, number in facts.groups:
        keys = signature_keys(signature)
        for key in keys + unit_keys(signature, keys, unit_kind):
            counts[key] += number
    if facts.reopened:
        counts["reopened"] = len(facts.reopened)
    for level, ids in _escalated(facts).items():
        counts[f"escalated.{level}"] = len(ids)
    for order in facts.orders:
        for key in order_keys(order, end):
            counts[key] += 1
    return counts


def list_members(facts: Facts, end: datetime, unit_kind: str = "") -> dict[str, list[int]]:
    """The problems behind each figure key: the same keys as count(), problem by problem (in id order).

    A problem figure's count is the length of its list; a work-order figure lists the orders' problems.
    """
    members: dict[str, list[int]] = defaultdict(list)
    for problem_id, signature in facts.signed():
        keys = signature_keys(signature)
        for key in keys + unit_keys(signature, keys, unit_kind):
            members[key].append(problem_id)
    if facts.reopened:
        members["reopened"] = sorted(facts.reopened)
    for level, ids in _escalated(facts).items():
        members[f"escalated.{level}"] = ids
    for order in facts.orders:
        for key in order_keys(order, end):
            if not members[key] or members[key][-1] != order.problem_id:
                members[key].append(order.problem_id)
    return dict(members)


class Members(Mapping):
    """Figure key → the problems behind it, read from the database the first time a list is asked for.

    A report's page shows only counts (SQL counts them); the ids of ~100,000 problems are read only
    for a figure's list page, by the same signatures, so each list is as long as its figure says.
    """

    def __init__(self, load: Callable[[], dict[str, list[int]]]):
        self._load = load
        self._loaded: dict[str, list[int]] | None = None
        self.fixed: dict[str, list[int]] = {}  # lists known when the report was built (hotspots)

    def _all(self) -> dict[str, list[int]]:
        if self._loaded is None:
            self._loaded = {**self._load(), **self.fixed}
        return self._loaded

    def __getitem__(self, key: str) -> list[int]:
        if key in self.fixed:
            return self.fixed[key]
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


@dataclass
class Context:
    """What a report sets its period beside: the previous period, the units it ranks, the last 30 days."""

    previous: Facts  # only its groups: the ranking and the rising categories set counts beside
    unit_kind: str = ""  # "community" for a street, "building" for a community, "" otherwise
    units: list[tuple[int, str]] = field(default_factory=list)
    recent: list[tuple[int, int, str]] = field(default_factory=list)  # (id, building id, category)


def build_report(scope: ReportScope, period: Period, facts: Facts, context: Context | None = None) -> Report:
    """Every table of the report on problems, from the facts read for `scope` and `period` (and `context`)."""
    context = context or Context(Facts([]))
    end = _naive(period.end)
    counts = count(facts, end, context.unit_kind)
    previous = count(context.previous, _naive(period.previous().end), context.unit_kind)
    members = Members(lambda: list_members(facts, end, context.unit_kind))
    tables = [_rates(counts), _summary(counts), _times(facts)]
    tables += _breakdowns(counts)
    tables += [_escalations(counts), _orders(counts, facts)]
    tables += [_ranking(context, counts, previous), _hotspots(context.recent, members), _rising(counts, previous)]
    return Report(scope, period, [t for t in tables if t is not None], members)


def _rates(counts: Counter) -> Table:
    table = Table("rates", _("The three rates"), [
        Column("figure", _("Rate"), "text"), Column("numerator", _("Counted")), Column("denominator", _("Out of")),
        Column("rate", _("Rate"), "rate")])
    for name, numerator, denominator in ((_("Response rate"), "answered.on_time", "received"),
                                         (_("Resolution rate"), "resolved", "received"),
                                         (_("Satisfaction rate"), "satisfied", "rated")):
        table.add({"figure": name, "numerator": counts[numerator], "denominator": counts[denominator],
                   "rate": rate(counts[numerator], counts[denominator])},
                  {"numerator": numerator, "denominator": denominator})
    return table


def _summary(counts: Counter) -> Table:
    table = Table("summary", _("Problems received"), [
        Column("figure", _("Figure"), "text"), Column("count", _("Number of problems")),
        Column("share", _("Share"), "rate")])
    rows = (("received", _("Received")), ("answered.on_time", _("Answered on time")),
            ("answered.late", _("Answered late")), ("answered.none", _("Not answered")),
            ("resolved.on_time", _("Resolved on time")), ("resolved.late", _("Resolved late")),
            ("resolved.open", _("Open at the end")), ("reopened", _("Reopened")),
            ("rated", _("Confirmed and rated")), ("satisfied", _("Satisfied (4–5 stars)")))
    for key, label in rows:
        table.add({"figure": label, "count": counts[key], "share": rate(counts[key], counts["received"])},
                  {"count": key})
    return table


def _times(facts: Facts) -> Table:
    answered, resolved = facts.answer_hours, facts.resolve_hours
    table = Table("times", _("Time taken (hours)"), [
        Column("figure", _("From the report to"), "text"), Column("count", _("Number of problems")),
        Column("median", _("Median"), "hours"), Column("p90", _("90th percentile"), "hours")])
    for label, values, key in ((_("the first answer"), answered, "answered"), (_("being resolved"), resolved, "resolved")):
        median, p90 = hours(values)
        table.add({"figure": label, "count": len(values), "median": median, "p90": p90}, {"count": key})
    return table


def _breakdown(key: str, title: str, heading: str, labels: dict[str, str], counts: Counter) -> Table:
    table = Table(key, title, [Column("name", heading, "text"), Column("count", _("Number of problems")),
                               Column("share", _("Share"), "rate")])
    for value, label in labels.items():
        figure = f"{key}.{value}"
        table.add({"name": label, "count": counts[figure], "share": rate(counts[figure], counts["received"])},
                  {"count": figure})
    return table


def _breakdowns(counts: Counter) -> list[Table]:
    sources = {s.value: str(label) for s, label in source_labels().items() if s != Source.PLATFORM or
               counts[f"source.{s.value}"]}
    categories = {c.value: str(CATEGORY_LABELS[c]) for c in Category}
    statuses = dict(status_labels())
    return [_breakdown("source", _("By source"), _("Source"), sources, counts),
            _breakdown("category", _("By category"), _("Category"), categories, counts),
            _breakdown("status", _("By status at the end of the period"), _("Status"), statuses, counts)]


def _escalations(counts: Counter) -> Table:
    table = Table("escalations", _("Escalations"), [Column("level", _("Escalated to"), "text"),
                                                     Column("count", _("Number of problems"))])
    for level, label in ((2, _("Community")), (3, _("Street"))):
        table.add({"level": label, "count": counts[f"escalated.{level}"]}, {"count": f"escalated.{level}"})
    return table


ORDER_COLUMNS = ("dispatched", "accepted", "on_time", "late", "open")


def _orders(counts: Counter, facts: Facts) -> Table:
    table = Table("orders", _("Work orders by department"), [
        Column("department", _("Department"), "text"), Column("dispatched", _("Dispatched")),
        Column("accepted", _("Reported for duty")), Column("on_time", _("Done on time")),
        Column("late", _("Done late")), Column("open", _("Not done"))])
    departments = dict.fromkeys((o.department_id, o.department) for o in facts.orders)
    for department_id, name in sorted(departments, key=lambda d: d[1]):
        keys = {column: f"orders.{department_id}.{column}" for column in ORDER_COLUMNS}
        table.add({"department": name, **{column: counts[key] for column, key in keys.items()}}, keys)
    return table


def compute(session, scope: ReportScope, period: Period) -> Report:
    """The report of `scope` for `period`: read once (queries.py), computed once (build_report)."""
    previous = period.previous()
    kind, units = queries.units(session, scope)
    recent = queries.recent_problems(session, scope, period.end - HOTSPOT_WINDOW, period.end)
    context = Context(Facts(queries.read_groups(session, scope, previous, DONE_WITHIN, SATISFIED_FROM)),
                      kind, units, recent)
    report = build_report(scope, period, read_facts(session, scope, period, DONE_WITHIN, SATISFIED_FROM), context)
    hot = {building for building, _category in _hot_groups(recent)}
    names = queries.building_names(session, hot)
    for row in report.table("hotspots").rows:
        row["building"] = names.get(row["building"], row["building"])
    return report


def figure_title(key: str, report: Report) -> str:
    """What the figure `key` is, in words: the table, the row and the column it stands in."""
    for table in report.tables:
        for row, links in zip(table.rows, table.links, strict=True):
            for column, linked in links.items():
                if linked == key:
                    label = next(c.label for c in table.columns if c.key == column)
                    return f"{table.title} · {next(iter(row.values()))} · {label}"
    return ""


# 未诉先办: a building with this many problems of one category in the 30 days up to the period's end.
HOTSPOT_WINDOW = timedelta(days=30)
HOTSPOT_FROM = 3
RATES = (("response", "answered.on_time", "received"), ("resolution", "resolved", "received"),
         ("satisfaction", "satisfied", "rated"))


def change(now: float | None, before: float | None) -> float | None:
    """How much a rate moved since the period before (None when either is unknown)."""
    return round(now - before, 4) if now is not None and before is not None else None


def _ranking(context: Context, counts: Counter, previous: Counter) -> Table | None:
    if not context.unit_kind:
        return None
    names = {"response": _("Response rate"), "resolution": _("Resolution rate"), "satisfaction": _("Satisfaction rate")}
    columns = [Column("rank", _("Rank")), Column("unit", _("Community") if context.unit_kind == "community"
                                                      else _("Building"), "text"), Column("received", _("Received"))]
    for name, _numerator, _denominator in RATES:
        columns += [Column(name, names[name], "rate"), Column(f"{name}_before", _("Period before"), "rate"),
                    Column(f"{name}_change", _("Change since then"), "change")]
    table = Table("ranking", _("Ranking by the three rates"), columns)
    rows = []
    for unit, unit_name in context.units:
        row, links = {"unit": unit_name, "received": counts[f"{unit}:received"]}, {"received": f"{unit}:received"}
        for name, numerator, denominator in RATES:
            row[name] = rate(counts[f"{unit}:{numerator}"], counts[f"{unit}:{denominator}"])
            row[f"{name}_before"] = rate(previous[f"{unit}:{numerator}"], previous[f"{unit}:{denominator}"])
            row[f"{name}_change"] = change(row[name], row[f"{name}_before"])
            links[name] = f"{unit}:{numerator}"
        rows.append((row, links))
    # Best first: response, then resolution, then satisfaction rate; a unit without problems last.
    rows.sort(key=lambda r: tuple(-(r[0][name] if r[0][name] is not None else -1) for name, _n, _d in RATES))
    for rank, (row, links) in enumerate(rows, 1):
        table.add({"rank": rank, **row}, links)
    return table


def _hot_groups(recent: list[tuple[int, int, str]]) -> dict[tuple[int, str], list[int]]:
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for problem_id, building, category in recent:
        groups[(building, category)].append(problem_id)
    return {group: ids for group, ids in groups.items() if len(ids) >= HOTSPOT_FROM}


def _hotspots(recent: list[tuple[int, int, str]], members: Members) -> Table:
    table = Table("hotspots", _("Hotspots: 3 or more problems of one category in a building in 30 days"), [
        Column("building", _("Building"), "text"), Column("category", _("Category"), "text"),
        Column("count", _("Number of problems"))])
    groups = _hot_groups(recent)
    labels = {c.value: str(CATEGORY_LABELS[c]) for c in Category}  # once, not per row (gettext each time)
    for (building, category), ids in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
        key = f"hotspot.{building}.{category}"
        members.fixed[key] = ids
        table.add({"building": building, "category": labels[category], "count": len(ids)},
                  {"count": key})
    return table


def _rising(counts: Counter, previous: Counter) -> Table:
    table = Table("rising", _("Categories rising on the period before"), [
        Column("category", _("Category"), "text"), Column("count", _("This period")),
        Column("before", _("Period before"), "count"), Column("more", _("More by"), "count")])
    rising = [(c, counts[f"category.{c.value}"], previous[f"category.{c.value}"]) for c in Category]
    for category, now, before in sorted(rising, key=lambda r: r[2] - r[1]):
        if now > before:
            table.add({"category": str(CATEGORY_LABELS[category]), "count": now, "before": before, "more": now - before},
                      {"count": f"category.{category.value}"})
    return table
