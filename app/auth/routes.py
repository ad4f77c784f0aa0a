"""Sign in, sign out and the language switch (HTML)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.forms import LoginForm
from app.auth.services import authenticate, set_locale
from app.auth.sessions import sign_in, sign_out
from app.clock import utcnow
from app.extensions import db, limiter
from app.models import SignInMethod

bp = Blueprint("auth", __name__, url_prefix="/auth")


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site (no open redirects)."""
    if not target or "\\" in target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def login_limit() -> str:
    """The configured rate for sign-in attempts."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def failed_login(response) -> bool:
    """Only failed attempts count towards the limit (a success redirects or answers 200 JSON)."""
    return response.status_code not in (200, 302, 303) or response.headers.get("X-Login-Failed") == "1"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], deduct_when=failed_login)
def login():
    """Phone + password sign-in; failures re-render the form with a message."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.phone.data, form.password.data, now=utcnow())
        if user is not None:
            if form.care_mode.data:
                user.care_mode = True  # the big switch on the login page; turned off in the care settings
            sign_in(db.session, user, method=SignInMethod.PASSWORD, remember=form.remember.data, now=utcnow())
            db.session.commit()
            session["locale"] = user.locale
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        form.password.errors.append(_("Wrong phone number or password."))
    status = 200 if request.method == "GET" else 400
    response = current_app.make_response((render_template("auth/login.html", form=form), status))
    if request.method == "POST":
        response.headers["X-Login-Failed"] = "1"
    return response


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (POST with CSRF, so a link on another site cannot sign people out): the sign-in ends on the server."""
    sign_out(db.session, current_user._get_current_object(), now=utcnow())
    db.session.commit()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/locale", methods=["POST"])
def switch_locale():
    """Switch the interface language; remembered on the account when signed in."""
    locale = request.form.get("locale", "")
    languages = current_app.config["LANGUAGES"]
    if locale in languages:
        session["locale"] = locale
        if current_user.is_authenticated and set_locale(current_user, locale, languages):
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))
