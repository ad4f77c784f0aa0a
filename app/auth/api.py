"""The JSON session API used by the offline client."""
from __future__ import annotations

from flask import Blueprint, jsonify, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from pydantic import BaseModel, Field, field_validator

from app.api import ApiError, ErrorOut, documented, validate
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


class RoleOut(BaseModel):
    """One role of the person and where it applies."""

    role: str
    scope: str | None
    household_id: int | None
    building_id: int | None
    community_id: int | None
    street_id: int | None
    department_id: int | None


class UserOut(BaseModel):
    """The signed-in person as the client sees them (user_json)."""

    id: int
    name: str
    phone: str
    locale: str
    care_mode: bool
    roles: list[RoleOut]


class MeOut(BaseModel):
    """GET /api/v1/me."""

    user: UserOut


class SessionOut(MeOut):
    """A new session: the person and a fresh CSRF token."""

    csrf_token: str


class CsrfOut(BaseModel):
    """A CSRF token for the X-CSRFToken header of the next writes."""

    csrf_token: str


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
@documented("A fresh CSRF token, to send as X-CSRFToken with every write.", {200: CsrfOut}, signed_in=False)
def csrf_token():
    """A fresh CSRF token; the client fetches one before each flush of its outbox."""
    return jsonify(csrf_token=generate_csrf())


@bp.post("/session")
@documented("Sign in with phone and password; sets the session cookie.", {200: SessionOut, 400: ErrorOut,
            401: ErrorOut, 429: ErrorOut}, body=SessionIn, signed_in=False)
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
@documented("Sign out this device.", {204: None})
@login_required
def delete_session():
    """Sign out this device: its sign-in ends on the server (a copied cookie stops working too)."""
    sign_out(db.session, current_user._get_current_object(), now=utcnow())
    db.session.commit()
    return "", 204


@bp.get("/me")
@documented("The signed-in person, with roles and scopes.", {200: MeOut})
@login_required
def me():
    """The signed-in user, with roles and scopes."""
    return jsonify(user=user_json(current_user))
