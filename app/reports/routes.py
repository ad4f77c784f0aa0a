"""Report pages: a scope's month (or any dates), the problems behind a figure; thin views over figures.py."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_login import current_user, login_required
from pydantic import BaseModel, ConfigDict, Field

from app.api import ErrorOut, documented
from app.auth.permissions import can
from app.clock import to_local, utcnow
from app.extensions import db
from app.problems.labels import source_labels, status_labels
from app.problems.models import CATEGORY_LABELS
from app.reports import charts, exports, figures, queries, sections
from app.reports.periods import ReportScope, default_scope, find_scope, parse_period
from app.reports.permissions import may_read_reports

bp = Blueprint("reports", __name__, url_prefix="/reports")
api = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports")

# How many problems the list behind a figure shows at most (the figure says how many there are).
LIST_LIMIT = 500


class ReportQuery(BaseModel):
    """GET /api/v1/reports: whose report, and for when (default: my widest scope, last month in Beijing)."""

    model_config = ConfigDict(populate_by_name=True)

    scope: str | None = Field(default=None, description="building:N, community:N, street:N or department:N.")
    month: str | None = Field(default=None, description="YYYY-MM (Beijing calendar month).")
    from_: str | None = Field(default=None, alias="from", description="YYYY-MM-DD, with `to` (both included).")
    to: str | None = Field(default=None, description="YYYY-MM-DD.")


class ColumnOut(BaseModel):
    """A column: its key in the rows, its label, and its kind (text, count, rate 0..1, change, hours)."""

    key: str
    label: str
    kind: str


class TableOut(BaseModel):
    """One table: rows of values by column key; links[i][column] is the list behind that figure of row i."""

    key: str
    title: str
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]
    links: list[dict[str, str]]


class DefinitionOut(BaseModel):
    """A definition (口径)."""

    term: str
    text: str


class ReportOut(BaseModel):
    """A report: the same figures as the page, the CSV and the XLSX."""

    model_config = ConfigDict(populate_by_name=True)

    scope: str
    name: str
    from_: str = Field(alias="from")
    to: str
    tables: list[TableOut]
    definitions: list[DefinitionOut]


def requested_scope() -> ReportScope:
    """The scope the query string names (or the person's widest), refused with 403 when out of their reach."""
    key = request.args.get("scope", "")
    found = find_scope(db.session, key) if key else default_scope(db.session, current_user)
    if found is None or not can(current_user, "report.view", found):
        abort(403)
    return found


def requested_report() -> figures.Report:
    """The report the query string asks for (scope, period), computed once for whatever renders it."""
    if not may_read_reports(current_user):
        abort(403)
    scope = requested_scope()
    period = parse_period(request.args, utcnow())
    report = figures.compute(db.session, scope, period)
    report.tables += sections.sections(db.session, scope, period, utcnow())
    return report


def link_maker(report: figures.Report, endpoint: str = "reports.problems", **extra):
    """A function giving the URL of the list behind a figure key of `report`."""
    base = {"scope": report.scope.key, **report.period.args(), **extra}
    # A section's figure may link to another feature's page (a notice's reach): its URL is the key.
    root = request.host_url.rstrip("/") if extra.get("_external") else ""
    return lambda key: root + key if key.startswith("/") else url_for(endpoint, figure=key, **base)


@bp.route("/")
@login_required
def index():
    """The report: the three rates, the problems' figures and tables, their definitions (口径)."""
    report = requested_report()
    return render_template("reports/index.html", report=report, link_for=link_maker(report), chart_of=charts.chart,
                           definitions=figures.DEFINITIONS, scopes=queries.scope_choices(db.session, current_user))


@bp.route("/print")
@login_required
def print_view():
    """The report on A4 pages in Chinese: the unit's name, the period and the day it was printed."""
    report = requested_report()
    return render_template("reports/print.html", report=report, link_for=link_maker(report), chart_of=charts.chart,
                           definitions=figures.DEFINITIONS, printed_on=to_local(utcnow()).date().isoformat())


@bp.route("/problems")
@login_required
def problems():
    """The problems behind one figure of the report (every figure links here)."""
    report = requested_report()
    key = request.args.get("figure", "")
    ids = report.members.get(key, [])
    listed = queries.problems_listed(db.session, ids[:LIST_LIMIT])
    return render_template("reports/problems.html", report=report, key=key, total=len(ids), problems=listed,
                           limit=LIST_LIMIT, categories=CATEGORY_LABELS, sources=source_labels(),
                           statuses=status_labels(), title=figures.figure_title(key, report))


@bp.route("/export.<any(csv, xlsx):extension>")
@login_required
def export(extension: str):
    """The report's tables as CSV (?table=<key> for one) or as an XLSX workbook, one sheet per table."""
    report = requested_report()
    if extension == "xlsx":
        return _download(exports.to_xlsx(report), exports.filename(report, "xlsx"),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    wanted = request.args.get("table")
    tables = [t for t in report.tables if t.key == wanted] if wanted else None
    if wanted and not tables:
        abort(404)
    return _download(exports.to_csv(report, tables), exports.filename(report, "csv"), "text/csv; charset=utf-8")


def _download(data: bytes, name: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@api.get("")
@documented("A report's figures: the same tables as the page, with the link to the list behind each figure.",
            {200: ReportOut, 400: ErrorOut, 403: ErrorOut}, query=ReportQuery)
@login_required
def api_report():
    """The report as JSON (?scope=community:3&from=2026-09-01&to=2026-09-30, or &month=2026-09)."""
    report = requested_report()
    return jsonify({**report.as_dict(link_maker(report, _external=True)),
                    "definitions": [{"term": str(term), "text": str(text)} for term, text in figures.DEFINITIONS]})
