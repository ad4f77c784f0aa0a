"""Sign in, sign out and the language switch (HTML)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.auth.forms import ConfirmForm, LoginForm, PasswordChangeForm
from app.auth.limits import limit_sign_ins
from app.auth.services import authenticate, set_locale
from app.auth.sessions import current_sign_in, device_name, open_sign_ins, sign_in, sign_out
from app.clock import utcnow
from app.extensions import db
from app.models import SignInMethod
from app.views import attempt, perform

bp = Blueprint("auth", __name__, url_prefix="/auth")


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site (no open redirects)."""
    if not target or "\\" in target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
@limit_sign_ins
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


# -- my account: the password, and where I am signed in --------------------------------------


def _account_page(form: PasswordChangeForm, status: int = 200):
    user = current_user._get_current_object()
    here = current_sign_in(db.session)
    sign_ins = [(row, device_name(row.user_agent)) for row in open_sign_ins(db.session, user)]
    return render_template("auth/account.html", form=form, everywhere=ConfirmForm(), sign_ins=sign_ins,
                           here=here.id if here is not None else None), status


@bp.get("/account")
@login_required
def account():
    """My account 我的账户: change the password, see where I am signed in, sign out on all my devices."""
    return _account_page(PasswordChangeForm())


@bp.post("/account/password")
@login_required
def change_password():
    """Change the password (the current one, the new one twice); the other devices are signed out."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        here = current_sign_in(db.session)
        changed = attempt("account.change_password", {"current": form.current.data, "new": form.new.data,
                                                      "keep_sign_in": here.id if here is not None else None}, form)
        if changed is not None:
            flash(_("Your password is changed. Your other devices are signed out."), "info")
            return redirect(url_for("auth.account"))
    return _account_page(form, 400)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """退出所有设备: every session of mine ends, this one and the phones a login card opened included."""
    if not ConfirmForm().validate_on_submit():
        abort(400)

    def signed_out(_result) -> str:
        logout_user()
        flash(_("You have signed out on all your devices."), "info")
        return url_for("auth.login")

    return perform("account.sign_out_everywhere", {}, done=signed_out)
