"""Login card pages: the card holders of a building, a holder's card, printing, revoking, and /card/<token>.

The sign-in address is /card/<token> rather than /logincards/…: it is what the QR code holds,
and a shorter address makes a smaller code that phone cameras read more easily from paper.
"""
from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.auth import scope
from app.auth.permissions import can_each, require
from app.auth.sessions import sign_out
from app.clock import utcnow
from app.database import immediate_transactions
from app.extensions import db, limiter
from app.logincards import services
from app.logincards.forms import ConfirmForm, IssueForm
from app.logincards.models import LoginCard, SignInOutcome
from app.logincards.permissions import ISSUERS
from app.logincards.qr import qr_png_data_uri
from app.models import Building, Household, Role, User
from app.views import attempt, perform

bp = Blueprint("logincards", __name__)

# A device signed in by a card carries this signed cookie (card id, user id), so revoking a
# lost card also signs out the phones it opened — the remember cookie alone would keep them
# signed in for months.
DEVICE_COOKIE = "siheyuan_card"

REFUSALS = {
    SignInOutcome.REVOKED: 410,
    SignInOutcome.INACTIVE: 403,
    SignInOutcome.UNKNOWN: 404,
}


def refusal_message(outcome: SignInOutcome) -> str:
    """What the person holding the card reads when it does not sign them in."""
    return {
        SignInOutcome.REVOKED: _("This login card has been cancelled. Please ask your building head to print a new one."),
        SignInOutcome.INACTIVE: _("This account has been switched off. Please ask your building head or the community."),
        SignInOutcome.UNKNOWN: _("This login card is not valid. Please ask your building head to print a new one."),
    }[outcome]


def _user() -> User:
    return current_user._get_current_object()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="logincards-device")


def remember_days() -> int:
    """How long a phone signed in by a card stays signed in."""
    return int(current_app.config["LOGINCARD_REMEMBER_DAYS"])


def card_limit() -> str:
    """The configured rate for card requests that fail."""
    return current_app.config["LOGINCARD_RATE_LIMIT"]


def failed_card(response) -> bool:
    """Only refused cards count towards the limit, so a family scanning their cards is never blocked."""
    return response.status_code not in (200, 302, 303)


def card_url(token: str) -> str:
    """The absolute address the QR code holds (LOGINCARD_BASE_URL when the app sits behind a proxy)."""
    base = current_app.config.get("LOGINCARD_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("logincards.card", token=token)
    return url_for("logincards.card", token=token, _external=True)


def get_or_404(model, ident):
    """A row by id, or 404."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def home_household(user: User) -> Household | None:
    """The household printed on the card (a resident's first household)."""
    return next((a.household for a in user.roles if a.role == Role.RESIDENT and a.household is not None), None)


# -- devices signed in by a card -------------------------------------------------------


@bp.before_app_request
def _sign_out_revoked_device():
    """A phone signed in by a card that has since been revoked is signed out."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or request.endpoint == "static":
        return
    try:
        card_id, user_id = _serializer().loads(raw)
    except (BadSignature, TypeError, ValueError):
        g.drop_card_cookie = True
        return
    if not current_user.is_authenticated or current_user.id != user_id:
        g.drop_card_cookie = True  # signed out, or someone signed in with a password since
    elif not services.card_still_valid(db.session, card_id, user_id):
        logout_user()
        g.drop_card_cookie = True


@bp.after_app_request
def _drop_device_cookie(response):
    if g.get("drop_card_cookie"):
        response.delete_cookie(DEVICE_COOKIE)
    return response


# -- for building heads and staff ----------------------------------------------------------


@bp.get("/logincards/")
@login_required
def index():
    """The buildings whose residents I may print cards for."""
    buildings = db.session.scalars(select(Building).where(Building.id.in_(scope.building_ids(_user(), ISSUERS)))
                                   .order_by(Building.community_id, Building.id)).all()
    if not buildings:
        abort(403)
    return render_template("logincards/index.html", buildings=buildings)


@bp.get("/logincards/buildings/<int:building_id>")
@login_required
def building(building_id: int):
    """The resident accounts of a building and whether each has a working card."""
    item = get_or_404(Building, building_id)
    require(current_user, "logincard.list", item)
    holders = services.building_holders(db.session, item)
    allowed = can_each(current_user, "logincard.manage", [h.user for h in holders])
    return render_template("logincards/building.html", building=item, holders=holders,
                           manageable={h.user.id for h, ok in zip(holders, allowed, strict=True) if ok})


@bp.get("/logincards/users/<int:user_id>")
@login_required
def manage(user_id: int):
    """A resident's card: print, reprint or revoke it, and who used it when."""
    holder = get_or_404(User, user_id)
    require(current_user, "logincard.manage", holder)
    return render_template("logincards/manage.html", holder=holder, household=home_household(holder),
                           card=services.active_card(db.session, holder), cards=services.cards_of(db.session, holder),
                           sign_ins=services.sign_ins_of(db.session, holder), form=IssueForm())


def _printed(issued: dict):
    """The card to print: the token is in its QR code, shown only now."""
    holder = db.session.get(User, issued["user_id"])
    response = make_response(render_template("logincards/print.html", holder=holder, household=home_household(holder),
                                             card=db.session.get(LoginCard, issued["card_id"]),
                                             qr=qr_png_data_uri(card_url(issued["token"]))))
    # The page holds the token: no cache may keep it, and going back must not show it again.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/logincards/users/<int:user_id>/print")
@login_required
def print_card(user_id: int):
    """Issue a card and render it for printing, in one step: the token is shown only now."""
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    return perform("logincard.print", {"user_id": user_id, "care_mode": form.care_mode.data}, done=_printed,
                   back=url_for("logincards.manage", user_id=user_id))


@bp.route("/logincards/cards/<int:card_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(card_id: int):
    """Ask, then revoke (作废) a card: it stops working at once, and signs out the phones it opened."""
    form = ConfirmForm()
    if form.validate_on_submit():
        return perform("logincard.revoke", {"card_id": card_id},
                       done=lambda revoked: url_for("logincards.manage", user_id=revoked["user_id"]),
                       success=lambda revoked: _("The card is cancelled. It no longer signs anyone in.")
                       if revoked["revoked"] else None, category="info")
    card = get_or_404(LoginCard, card_id)
    require(current_user, "logincard.manage", card.user)
    if card.is_revoked:
        return redirect(url_for("logincards.manage", user_id=card.user_id))
    return render_template("logincards/revoke.html", card=card, form=form)


# -- for the person holding the card ---------------------------------------------------------


def _confirm_page(holder: User, form: ConfirmForm):
    """The card's page with its big sign-in button."""
    response = make_response(render_template("logincards/card.html", holder=holder, household=home_household(holder),
                                             form=form))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/card/<token>", methods=["GET", "POST"])
@limiter.limit(card_limit, deduct_when=failed_card)
def card(token: str):
    """Scanning a card opens this page; the big button (a POST with CSRF) signs in.

    Opening the address never signs anyone in, so a chat app's link preview or a browser's
    prefetch cannot use up or misuse a card. A refused card is logged either way.
    """
    form = ConfirmForm()
    signing_in = form.validate_on_submit()
    if not signing_in:
        item = services.find_card(db.session, token)
        if services.card_outcome(item) == SignInOutcome.OK:
            return _confirm_page(item.user, form)
        # This GET logs the refused card, but its SQLite transaction began as a reader, and a reader
        # cannot become a writer once another writer has committed. So end it and log in a write transaction.
        immediate_transactions()
        db.session.rollback()
    scanned = attempt("logincard.scan", {"token": token, "ip": request.remote_addr or "",
                                         "user_agent": request.user_agent.string, "sign_in": signing_in}, form)
    outcome = SignInOutcome(scanned["outcome"])
    if outcome != SignInOutcome.OK:
        return render_template("logincards/refused.html", message=refusal_message(outcome)), REFUSALS[outcome]
    holder = db.session.get(User, scanned["user_id"])
    if not signing_in:  # the card turned good between the two reads: still only the page
        return _confirm_page(holder, form)
    if current_user.is_authenticated:
        sign_out(db.session, current_user._get_current_object(), now=utcnow())  # someone else was signed in here
        db.session.commit()
    holder.sign_in_key = scanned["sign_in_key"]  # the sign-in the scan recorded (services.sign_in_with_card)
    login_user(holder, remember=True, duration=timedelta(days=remember_days()))
    session["locale"] = holder.locale
    flash(_("You are signed in. Next time just open Siheyuan: no need to scan the card again."), "info")
    response = redirect(url_for("home.index"))
    g.drop_card_cookie = False
    response.set_cookie(DEVICE_COOKIE, _serializer().dumps([scanned["card_id"], holder.id]),
                        max_age=remember_days() * 86400, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response
