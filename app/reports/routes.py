"""Report pages: a scope's month (or any dates), the problems behind a figure; thin views over figures.py."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.permissions import can
from app.clock import utcnow
from app.extensions import db
from app.problems.labels import source_labels, status_labels
from app.problems.models import CATEGORY_LABELS
from app.reports import figures, queries
from app.reports.periods import ReportScope, default_scope, find_scope, parse_period
from app.reports.permissions import may_read_reports

bp = Blueprint("reports", __name__, url_prefix="/reports")

# How many problems the list behind a figure shows at most (the figure says how many there are).
LIST_LIMIT = 500


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
    return figures.compute(db.session, scope, period)


def link_maker(report: figures.Report, endpoint: str = "reports.problems", **extra):
    """A function giving the URL of the list behind a figure key of `report`."""
    base = {"scope": report.scope.key, **report.period.args(), **extra}
    return lambda key: url_for(endpoint, figure=key, **base)


@bp.route("/")
@login_required
def index():
    """The report: the three rates, the problems' figures and tables, their definitions (口径)."""
    report = requested_report()
    return render_template("reports/index.html", report=report, link_for=link_maker(report),
                           definitions=figures.DEFINITIONS, scopes=queries.scope_choices(db.session, current_user))


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
