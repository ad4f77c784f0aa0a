"""The JSON session API used by the offline client."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from pydantic import BaseModel, Field, field_validator

from app.api import ApiError, validate
from app.auth.forms import PHONE_PATTERN, normalise_phone
from app.auth.limits import limit_sign_ins
from app.auth.services import authenticate
from app.auth.sessions import sign_in, sign_out
from app.clock import utcnow
from app.extensions import db
from app.models import SignInMethod, User

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


class SessionIn(BaseModel):
    """Credentials for POST /api/v1/session."""

    phone: str = Field(pattern=PHONE_PATTERN)
    password: str = Field(min_length=1, max_length=128)
    remember: bool = False

    _phone = field_validator("phone", mode="before")(normalise_phone)


def user_json(user: User) -> dict:
    """The signed-in user as the client sees it."""
    return {
        "id": user.id,
        "name": user.name,
        "phone": user.phone,
        "locale": user.locale,
        "care_mode": user.care_mode,
        "roles": [
            {
                "role": a.role.value,
                "scope": a.scope_name,
                "household_id": a.household_id,
                "building_id": a.building_id,
                "community_id": a.community_id,
                "street_id": a.street_id,
                "department_id": a.department_id,
            }
            for a in user.roles
        ],
    }


@bp.get("/csrf")
def csrf_token():
    """A fresh CSRF token; the client fetches one before each flush of its outbox."""
    return jsonify(csrf_token=generate_csrf())


@bp.post("/session")
@limit_sign_ins
def create_session():
    """Sign in with {phone, password}; answers the user, roles and a fresh CSRF token."""
    data = validate(SessionIn, request.get_json(silent=True))
    user = authenticate(db.session, data.phone, data.password, now=utcnow())
    if user is None:
        raise ApiError("bad_credentials", _("Wrong phone number or password."), 401)
    sign_in(db.session, user, method=SignInMethod.PASSWORD, remember=data.remember, now=utcnow())
    db.session.commit()
    session["locale"] = user.locale
    return jsonify(user=user_json(user), csrf_token=generate_csrf())


@bp.delete("/session")
@login_required
def delete_session():
    """Sign out this device: its sign-in ends on the server (a copied cookie stops working too)."""
    sign_out(db.session, current_user._get_current_object(), now=utcnow())
    db.session.commit()
    return "", 204


@bp.get("/me")
@login_required
def me():
    """The signed-in user, with roles and scopes."""
    return jsonify(user=user_json(current_user))
