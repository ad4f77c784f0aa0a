"""Directory pages 通讯录: a building's phone list for its people, and its typed entries for the staff who keep them.

A page a person has opened is kept by the service worker (static/sw.js: pages network-first, the
last copy offline), so the numbers are there in a stairwell with no signal; nothing here is no-store.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.auth.permissions import can, require
from app.directory import queries
from app.directory.forms import ButtonForm, EntryForm
from app.directory.models import DirectoryEntry
from app.extensions import db
from app.models import Building
from app.views import attempt, perform

bp = Blueprint("directory", __name__, url_prefix="/directory")


def _get(model, ident):
    return db.session.get(model, ident) or abort(404)


def _page(building: Building):
    """The directory of one building."""
    require(current_user, "directory.view", building)
    return render_template("directory/show.html", building=building,
                           contacts=queries.directory(db.session, building),
                           editable=can(current_user, "directory.edit", building), button=ButtonForm())


@bp.get("/")
@login_required
def index():
    """My building's directory; for those over several buildings, which one (searchable)."""
    buildings = queries.managed_buildings(db.session, current_user)
    if len(buildings) == 1:
        return _page(buildings[0])  # shown here, not redirected: a redirect is never kept for offline use
    if not buildings:
        abort(403)
    search = request.args.get("q", "").strip()
    if search:
        buildings = [b for b in buildings if search in b.full_name]
    return render_template("directory/index.html", buildings=buildings, search=search)


@bp.get("/buildings/<int:building_id>")
@login_required
def show(building_id: int):
    """A building's directory: heads, staff in charge, property company, legal help, hotlines — each a tel: link."""
    return _page(_get(Building, building_id))


def _choices(form: EntryForm, building: Building) -> None:
    form.user_id.choices = [SelectChoice("", _("— none: type a name and number —"))] + [
        SelectChoice(str(u.id), f"{u.name} {u.phone}") for u in queries.staff_accounts(db.session, building)]


@bp.route("/buildings/<int:building_id>/new", methods=["GET", "POST"])
@login_required
def add(building_id: int):
    """Add a typed entry to the building's directory."""
    building = _get(Building, building_id)
    require(current_user, "directory.edit", building)
    form = EntryForm()
    _choices(form, building)
    if form.validate_on_submit() and attempt("directory.add", {**form.payload(), "building_id": building.id}, form):
        return _done(building, _("The entry is added."))
    return render_template("directory/entry.html", building=building, form=form, entry=None, button=ButtonForm())


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit(entry_id: int):
    """Change a typed entry (or remove it)."""
    entry = _get(DirectoryEntry, entry_id)
    require(current_user, "directory.edit", entry.building)
    form = EntryForm(obj=None if request.method == "POST" else entry)
    _choices(form, entry.building)
    if request.method == "GET":
        form.user_id.data = str(entry.user_id or "")
        form.kind.data = entry.kind.value
    if form.validate_on_submit() and attempt("directory.edit", {**form.payload(), "entry_id": entry.id}, form):
        return _done(entry.building, _("The entry is saved."))
    return render_template("directory/entry.html", building=entry.building, form=form, entry=entry,
                           button=ButtonForm())


def _done(building: Building, message: str):
    flash(message, "success")
    return redirect(url_for("directory.show", building_id=building.id))


@bp.post("/entries/<int:entry_id>/remove")
@login_required
def remove(entry_id: int):
    """Take a typed entry off the directory."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    return perform("directory.remove", {"entry_id": entry_id}, success=_("The entry is removed."),
                   done=lambda removed: url_for("directory.show", building_id=removed["building_id"]))


@bp.post("/entries/<int:entry_id>/move")
@login_required
def move(entry_id: int):
    """Move a typed entry one place up or down."""
    if not ButtonForm().validate_on_submit():
        abort(400)
    return perform("directory.move", {"entry_id": entry_id, "direction": request.form.get("direction", "")},
                   done=lambda moved: url_for("directory.show", building_id=moved["building_id"]))
