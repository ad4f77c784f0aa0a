"""Open311 GeoReport v2 at /open311/v2: the same problems, for city platforms and existing clients.

Reading requests needs an api_key too (they hold residents' words); the service list is public.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import Forbidden

from app.auth import scope
from app.auth.permissions import can
from app.clock import LOCAL_TZ, utcnow
from app.commands import Context, Refused, execute
from app.extensions import csrf, db
from app.inputs import FIRST_YEAR, INT_MAX, INT_MIN, LAST_YEAR, date_in_range
from app.models import Building, Community
from app.open311.models import ApiKey, key_hash
from app.open311.services import request_json, service_json, to_xml
from app.problems.models import OPEN_STATUSES, Category, Dispatch, Problem

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)  # integrators authenticate with api_key, not a browser session
MAX_RESULTS = 1000


class Open311Error(Exception):
    """An error in the standard's shape: [{code, description}]."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def _respond(fmt: str, root: str, item: str, rows: list[dict], status: int = 200):
    if fmt == "xml":
        return Response(to_xml(root, item, rows), status=status, mimetype="text/xml")
    return jsonify(rows), status


@bp.errorhandler(Open311Error)
def _error(exc: Open311Error):
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return _respond(fmt, "errors", "error", [{"code": exc.status, "description": exc.description}], exc.status)


def _format(fmt: str) -> str:
    if fmt not in ("json", "xml"):
        raise Open311Error(404, "format must be json or xml")
    return fmt


def _api_key() -> ApiKey:
    key = request.values.get("api_key", "")
    found = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash(key), ApiKey.active.is_(True))) if key else None
    # A key acts as its staff account: once that account is switched off, so is the key (the list
    # reads by scope, which does not itself look at whether the account is active).
    if found is None or not found.user.is_active:
        raise Open311Error(403, "api_key is missing or not valid")
    return found


def _is_id(value: str) -> bool:
    """Whether `value` is a number that can be an id (digits, within the Integer range)."""
    return value.isascii() and value.isdigit() and len(value) <= 10 and int(value) <= INT_MAX


def _date(name: str) -> datetime | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C datetime") from None
    if not date_in_range(moment):  # year 1 or 9999 overflow once moved to UTC or by 90 days
        raise Open311Error(400, f"{name} must lie between the years {FIRST_YEAR} and {LAST_YEAR}")
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


@bp.get("/services.<fmt>")
def services(fmt: str):
    """The service list: one service per problem category; with `jurisdiction_id` (a community's id), its own."""
    fmt = _format(fmt)
    categories = list(Category)
    jurisdiction = request.args.get("jurisdiction_id")
    if jurisdiction:
        community = db.session.get(Community, int(jurisdiction)) if _is_id(jurisdiction) else None
        if community is None:
            raise Open311Error(404, "jurisdiction_id not found")
        categories = [c for c in categories if community.offers(c.value)]
    return _respond(fmt, "services", "service", [service_json(c) for c in categories])


@bp.get("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str):
    """A service definition (no extra attributes: metadata is false for every service)."""
    _format(fmt)
    if code not in {c.value for c in Category}:
        raise Open311Error(404, "service_code not found")
    if fmt == "xml":
        return Response(to_xml("service_definition", "attributes", []).replace(
            b"<service_definition>", f"<service_definition><service_code>{code}</service_code>".encode()),
            mimetype="text/xml")
    return jsonify({"service_code": code, "attributes": []})


def _visible(key: ApiKey) -> list[Problem]:
    """Problems in the buildings the key's account covers (in SQL, so the 1000 newest are really returned)."""
    return list(db.session.scalars(
        select(Problem).options(selectinload(Problem.events),
                                selectinload(Problem.dispatches).selectinload(Dispatch.department),
                                selectinload(Problem.building).selectinload(Building.community))
        .where(Problem.is_deleted.is_(False), Problem.building_id.in_(scope.building_ids(key.user)),
               *request_filters())
        .order_by(Problem.reported_at.desc()).limit(MAX_RESULTS)))


def request_filters() -> list:
    """The standard's query parameters as SQL conditions."""
    conditions = []
    ids = request.args.get("service_request_id")
    if ids:
        try:
            numbers = [int(i) for i in ids.split(",")]
        except ValueError:
            raise Open311Error(400, "service_request_id must be numbers separated by commas") from None
        # A number beyond the ids' range names no request: it is left out, as an unknown id is.
        conditions.append(Problem.id.in_([n for n in numbers if INT_MIN <= n <= INT_MAX] or [-1]))
    codes = request.args.get("service_code")
    if codes:
        conditions.append(Problem.category.in_([c for c in codes.split(",") if c in {x.value for x in Category}]))
    start, end = _date("start_date"), _date("end_date")
    if start is None and not ids:  # the standard: without start_date, the most recent 90 days
        start = (end or utcnow()) - timedelta(days=90)
    if start:
        conditions.append(Problem.reported_at >= start)
    if end:
        conditions.append(Problem.reported_at <= end)
    status = request.args.get("status")
    if status:
        wanted = [s for s in status.split(",") if s in ("open", "closed")]
        if wanted == ["open"]:
            conditions.append(Problem.status.in_(OPEN_STATUSES))
        elif wanted == ["closed"]:
            conditions.append(Problem.status.not_in(OPEN_STATUSES))
    return conditions


@bp.get("/requests.<fmt>")
def requests_list(fmt: str):
    """Service requests, filtered as the standard defines, newest first (at most 1000)."""
    _format(fmt)
    key = _api_key()
    return _respond(fmt, "service_requests", "request", [request_json(p) for p in _visible(key)])


@bp.get("/requests/<int:request_id>.<fmt>")
def request_one(request_id: int, fmt: str):
    """One service request (still a list, as the standard has it)."""
    _format(fmt)
    key = _api_key()
    problem = db.session.get(Problem, request_id)
    if problem is None or problem.is_deleted or not can(key.user, "issue.view", problem):
        raise Open311Error(404, "service_request_id not found")
    return _respond(fmt, "service_requests", "request", [request_json(problem)])


@bp.post("/requests.<fmt>")
def create(fmt: str):
    """A city platform posts a request for a building (address_id = our building id): the `open311.report` command."""
    _format(fmt)
    key = _api_key()
    ctx = Context(session=db.session, user=key.user, now=utcnow(), uuid=str(uuid.uuid4()), client_id="open311")
    try:
        created = execute("open311.report", ctx, {
            "building_id": request.form.get("address_id", type=int) or 0, "category": request.form.get("service_code", ""),
            "text": request.form.get("description", "").strip(), "location": request.form.get("address_string", "")[:100]})
    except Forbidden:
        raise Open311Error(403, "this api_key may not report for that building") from None
    except Refused as exc:
        db.session.rollback()
        if "category" in exc.fields:
            raise Open311Error(400, "service_code is required and must be one of /services") from None
        raise Open311Error(400, "address_id (the building id) is required" if exc.code == "not_found" else exc.message) from None
    db.session.commit()
    return _respond(fmt, "service_requests", "request",
                    [{"service_request_id": str(created["id"]), "token": created["uuid"], "service_notice": _("Received."),
                      "account_id": ""}], 201)


@bp.get("/tokens/<token>.<fmt>")
def token_lookup(token: str, fmt: str):
    """The request id behind a token given at POST time."""
    _format(fmt)
    key = _api_key()
    problem = db.session.scalar(select(Problem).where(Problem.uuid == token))
    # Like request_one: a key reaches only its account's buildings, even by token.
    if problem is None or problem.is_deleted or not can(key.user, "issue.view", problem):
        raise Open311Error(404, "token not found")
    return _respond(fmt, "service_requests", "request", [{"service_request_id": str(problem.id), "token": token}])


