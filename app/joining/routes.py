"""Joining's public pages: /join/<code> from the poster, the request's status, and 忘记密码.

Short addresses under /join: the poster's QR code holds one, and a shorter address makes a code
phone cameras read more easily. The heads' pages are in app/joining/review.py (same blueprint).
"""
from __future__ import annotations

from itertools import groupby

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from app.extensions import db, limiter
from app.joining import services
from app.joining.forms import ForgotForm, JoinForm, ResetForm
from app.joining.models import JoinRequest
from app.models import Building, Room
from app.views import attempt

bp = Blueprint("joining", __name__)

# The browser keeps the signed link to its request's status page in this cookie (and the page says to bookmark it).
STATUS_COOKIE = "siheyuan_join"
STATUS_DAYS = 180


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="joining-status")


def status_token(request_id: int) -> str:
    """The signed, unguessable part of a request's status address."""
    return _serializer().dumps(request_id)


def request_of(token: str | None) -> JoinRequest | None:
    """The join request a status token stands for, or None for a missing or forged one."""
    if not token:
        return None
    try:
        request_id = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    return db.session.get(JoinRequest, request_id) if isinstance(request_id, int) else None


def join_url(code: str) -> str:
    """The absolute address a poster's QR code holds (JOINING_BASE_URL when the app sits behind a proxy)."""
    base = current_app.config.get("JOINING_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("joining.join", code=code)
    return url_for("joining.join", code=code, _external=True)


def _limit(name: str):
    return lambda: current_app.config[name]


def _code_key() -> str:
    """Join requests are also counted per poster (per building)."""
    return "join-building:" + (request.view_args or {}).get("code", "")


def rooms_by_unit(building: Building) -> list[tuple[str, list[Room]]]:
    """The building's rooms grouped by unit, for the room picker."""
    rooms = db.session.query(Room).filter(Room.building_id == building.id).order_by(Room.unit, Room.floor, Room.number)
    return [(unit, list(group)) for unit, group in groupby(rooms, key=lambda r: r.unit)]


def _page(template: str, status: int = 200, **context):
    """A public page that no cache keeps and no search engine lists."""
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit(_limit("JOIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(_limit("JOIN_BUILDING_RATE_LIMIT"), methods=["POST"], key_func=_code_key)
def join(code: str):
    """The join page 实名入群: the group rules first, then who and where; a request waits for the head."""
    building, retired = services.find_code(db.session, code)
    if building is None:
        return _page("joining/gone.html", 410 if retired else 404, retired=retired)
    form = JoinForm()
    if form.validate_on_submit():
        room = form.room_id.data
        created = attempt("join.submit", {
            "code": code, "rules_accepted": bool(form.rules_accepted.data), "name": form.name.data,
            "phone": form.phone.data, "room_id": int(room) if str(room).isdigit() else 0,
            "password": None if form.wants_card.data else form.password.data}, form)
        if created is not None:
            token = status_token(created["id"])
            response = redirect(url_for("joining.status", token=token))
            response.set_cookie(STATUS_COOKIE, token, max_age=STATUS_DAYS * 86400, httponly=True, samesite="Lax",
                                secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
            return response
    mine = request_of(request.cookies.get(STATUS_COOKIE))
    return _page("joining/join.html", 400 if request.method == "POST" else 200, building=building, form=form,
                 units=rooms_by_unit(building), mine=mine)


@bp.get("/join/status/<token>")
def status(token: str):
    """Where the request stands: waiting, approved (sign in), or declined and why."""
    item = request_of(token)
    if item is None:
        return _page("joining/status.html", 404, item=None)
    return _page("joining/status.html", item=item, link=url_for("joining.status", token=token, _external=True))


@bp.get("/join/status")
def my_status():
    """The status page of the request this browser sent, if it sent one."""
    token = request.cookies.get(STATUS_COOKIE)
    if request_of(token) is not None:
        return redirect(url_for("joining.status", token=token))
    return _page("joining/status.html", item=None)


@bp.route("/join/forgot", methods=["GET", "POST"])
@limiter.limit(_limit("PASSWORD_FORGOT_RATE_LIMIT"), methods=["POST"])
def forgot():
    """忘记密码: the person gives their number; the answer is the same whether it has an account or not."""
    form = ForgotForm()
    if form.validate_on_submit() and attempt("password.forgot", {"phone": form.phone.data}, form) is not None:
        return _page("joining/forgot.html", form=form, asked=True)
    return _page("joining/forgot.html", 400 if request.method == "POST" else 200, form=form, asked=False)


def _failed_reset(response) -> bool:
    """Only refused codes count towards the address's limit."""
    return response.headers.get("X-Reset-Failed") == "1"


@bp.route("/join/new-password", methods=["GET", "POST"])
@limiter.limit(_limit("PASSWORD_CODE_RATE_LIMIT"), methods=["POST"], deduct_when=_failed_reset)
def new_password():
    """Set a new password with the one-time code the building head gave."""
    form = ResetForm()
    if form.validate_on_submit():
        result = attempt("password.use_code", {"phone": form.phone.data, "code": form.code.data,
                                               "password": form.password.data}, form)
        if result is not None and result["done"]:
            flash(_("Your new password is set. Sign in with it now."), "success")
            return redirect(url_for("auth.login"))
        if result is not None:
            form.code.errors.append(_("This code does not work: it is wrong, already used or more than a day old. "
                                      "Ask your building head for a new one."))
    response = _page("joining/new_password.html", 400 if request.method == "POST" else 200, form=form)
    if request.method == "POST":
        response.headers["X-Reset-Failed"] = "1"
    return response
