"""Accounts pages: the people in my scope, a new account, a person's roles and log, and the changes to them."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.accounts import queries, services
from app.accounts.forms import ConfirmForm, CreateForm, NoteForm, RoleForm
from app.accounts.models import AccountChange
from app.auth.permissions import can, require
from app.extensions import db
from app.models import Household, Role, RoleAssignment, User
from app.views import attempt, perform

bp = Blueprint("accounts", __name__, url_prefix="/accounts")

CHANGE_NAMES = {
    AccountChange.CREATED: _l("Account created"),
    AccountChange.GRANTED: _l("Role given"),
    AccountChange.REVOKED: _l("Role removed"),
    AccountChange.DEACTIVATED: _l("Account switched off"),
    AccountChange.REACTIVATED: _l("Account switched on"),
    AccountChange.MOVED_OUT: _l("Moved out"),
}


@bp.context_processor
def _change_names():
    return {"CHANGE_NAMES": CHANGE_NAMES}


def _user() -> User:
    return current_user._get_current_object()



def role_place(value: str) -> dict:
    """"staff:12" as the payload's role and place_id (left for the command's schema to refuse if wrong)."""
    role, _sep, place = (value or "").partition(":")
    return {"role": role, "place_id": place}


def person_url(result: dict) -> str:
    """The person's page after a command about them."""
    return url_for("accounts.person", user_id=result["user_id"])


@bp.get("/")
@login_required
def index():
    """The people in my scope, searchable by name or phone, each linking to their page."""
    require(current_user, "accounts.list")
    search = request.args.get("q", "")[:50]
    found = queries.people(db.session, _user(), search)
    return render_template("accounts/index.html", people=found, search=search, full=len(found) >= queries.PAGE_SIZE,
                           can_create=bool(queries.options(db.session, _user())))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """A new street, staff or department account, with the initial password the creator hands over."""
    require(current_user, "accounts.list")
    choices = queries.options(db.session, _user())
    if not choices:
        abort(403)
    form = CreateForm()
    existing = None
    if form.validate_on_submit():
        created = attempt("accounts.create", {"name": form.name.data, "phone": form.phone.data,
                                              "password": form.password.data, **role_place(form.role_place.data)}, form)
        if created is not None:
            return redirect(person_url(created))
        existing = services.find_by_phone(db.session, form.phone.data)
    return render_template("accounts/new.html", form=form, choices=choices, existing=existing,
                           offer_role=form.role_place.data), 400 if form.errors else 200


@bp.get("/<int:user_id>")
@login_required
def person(user_id: int):
    """A person: their roles (remove, add), their account (switch off or on), their log."""
    item = db.get_or_404(User, user_id)
    require(current_user, "accounts.view", item)
    me = _user()
    return render_template("accounts/person.html", person=item, log=queries.log_of(db.session, item),
                           choices=queries.options(db.session, me, item) if item.active else [],
                           removable={a.id for a in item.roles if can(me, "accounts.revoke", a)},
                           movable={a.household_id for a in item.roles if can(me, "accounts.move_out", a)},
                           grant_form=RoleForm(formdata=None), confirm=ConfirmForm())


@bp.post("/<int:user_id>/grant")
@login_required
def grant(user_id: int):
    """Give the person a role (appoint a building head; add a role to an account that has the phone)."""
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    return perform("accounts.grant", {"user_id": user_id, **role_place(form.role_place.data)}, done=person_url,
                   back=url_for("accounts.person", user_id=user_id), success=_("The role is added."))


@bp.post("/roles/<int:assignment_id>/revoke")
@login_required
def revoke(assignment_id: int):
    """Take a role away (remove a building head)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    assignment = db.get_or_404(RoleAssignment, assignment_id)
    return perform("accounts.revoke", {"assignment_id": assignment_id}, done=person_url,
                   back=url_for("accounts.person", user_id=assignment.user_id), success=_("The role is removed."))


def _switch(user_id: int, action: str, *, done_message: str):
    """Ask, then switch the account off or on, with a note for the log."""
    item = db.get_or_404(User, user_id)
    form = NoteForm()
    if form.validate_on_submit():
        return perform(f"accounts.{action}", {"user_id": user_id, "note": form.note.data or ""}, done=person_url,
                       back=url_for("accounts.person", user_id=user_id),
                       success=lambda r: done_message if r["changed"] else None, category="info")
    require(current_user, f"accounts.{action}", item)
    if item.active == (action == "reactivate"):
        return redirect(url_for("accounts.person", user_id=user_id))
    return render_template("accounts/confirm.html", person=item, action=action, form=form), 400 if form.errors else 200


@bp.route("/<int:user_id>/deactivate", methods=["GET", "POST"])
@login_required
def deactivate(user_id: int):
    """Switch an account off: the person is signed out everywhere and cannot sign in."""
    return _switch(user_id, "deactivate", done_message=_("The account is switched off. It is signed out everywhere."))


@bp.route("/<int:user_id>/reactivate", methods=["GET", "POST"])
@login_required
def reactivate(user_id: int):
    """Switch an account back on."""
    return _switch(user_id, "reactivate", done_message=_("The account is switched on again."))


@bp.route("/<int:user_id>/move-out/<int:household_id>", methods=["GET", "POST"])
@login_required
def move_out(user_id: int, household_id: int):
    """Ask, then mark the person as moved out (搬离) of the household."""
    item = db.get_or_404(User, user_id)
    household = db.get_or_404(Household, household_id)
    form = NoteForm()
    if form.validate_on_submit():
        return perform("accounts.move_out", {"user_id": user_id, "household_id": household_id,
                                             "note": form.note.data or ""}, done=person_url,
                       back=url_for("accounts.person", user_id=user_id),
                       success=_("%(name)s is recorded as moved out.", name=item.name), category="info")
    residence = services.holds(item, Role.RESIDENT, services.scope_for(Role.RESIDENT, household_id))
    if residence is None:
        abort(404)
    require(current_user, "accounts.move_out", residence)
    return render_template("accounts/move_out.html", person=item, household=household, form=form), \
        400 if form.errors else 200
