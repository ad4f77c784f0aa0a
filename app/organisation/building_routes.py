"""Setting up buildings 楼 and their rooms 房间 (HTML): community staff, their street and the admin."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.auth.permissions import require
from app.extensions import db
from app.models import Building, Community, Room
from app.organisation import queries
from app.organisation.forms import BuildingForm, GenerateRoomsForm, RoomForm
from app.organisation.routes import bp
from app.organisation.schemas import split_units
from app.views import attempt, form_refused, perform


def managed_building(building_id: int) -> Building:
    """The building, if the signed-in person sets up its community's buildings (404 / 403 otherwise)."""
    building = db.get_or_404(Building, building_id)
    require(current_user, "organisation.buildings.manage", building.community)
    return building


def _building_form(community: Community, building: Building | None = None) -> BuildingForm:
    form = BuildingForm(obj=building)
    form.property_department_id.choices = [SelectChoice(0, _("None"))] + [
        SelectChoice(d.id, d.name) for d in queries.property_companies(db.session, community.street_id)]
    if building is not None and not form.is_submitted():
        form.property_department_id.data = building.property_department_id or 0
    return form


def _building_payload(form: BuildingForm, community: Community, building: Building | None = None) -> dict:
    return {"name": form.name.data, "address": form.address.data or "", "community_id": community.id,
            "building_id": building.id if building else None,
            "property_department_id": form.property_department_id.data or None}


@bp.route("/communities/<int:community_id>/buildings/new", methods=["GET", "POST"])
@login_required
def new_building(community_id: int):
    """Add a building to the community."""
    community = db.get_or_404(Community, community_id)
    require(current_user, "organisation.buildings.manage", community)
    form = _building_form(community)
    if form.validate_on_submit() and (result := attempt("organisation.building.save", _building_payload(form, community), form)):
        flash(_("%(name)s added. Generate its rooms next.", name=result["name"]), "success")
        return redirect(url_for("organisation.building", building_id=result["id"]))
    return render_template("organisation/building_new.html", community=community, form=form), 400 if form.errors else 200


@bp.route("/buildings/<int:building_id>", methods=["GET", "POST"])
@login_required
def building(building_id: int):
    """A building: its name, address and property company, and its rooms."""
    item = managed_building(building_id)
    form = _building_form(item.community, item)
    if form.validate_on_submit() and attempt("organisation.building.save", _building_payload(form, item.community, item), form):
        flash(_("Saved."), "success")
        return redirect(url_for("organisation.building", building_id=item.id))
    return render_template("organisation/building.html", building=item, form=form,
                           generate=GenerateRoomsForm(prefix="generate", formdata=None),
                           room_form=RoomForm(prefix="room", formdata=None),
                           rooms=queries.rooms_of(db.session, item)), 400 if form.errors else 200


@bp.post("/buildings/<int:building_id>/rooms/generate")
@login_required
def generate_rooms(building_id: int):
    """Add the rooms of units × floors × rooms per floor."""
    item = managed_building(building_id)
    form = GenerateRoomsForm(prefix="generate")
    back = url_for("organisation.building", building_id=item.id)
    if not form.validate_on_submit():
        return form_refused(form, back)
    return perform("organisation.rooms.generate", {
        "building_id": item.id, "units": split_units(form.units.data), "floors": form.floors.data,
        "per_floor": form.per_floor.data}, done=back, success=lambda r: _("%(n)s rooms added.", n=r["added"]))


@bp.post("/buildings/<int:building_id>/rooms")
@login_required
def add_room(building_id: int):
    """Add one room."""
    item = managed_building(building_id)
    form = RoomForm(prefix="room")
    back = url_for("organisation.building", building_id=item.id)
    if not form.validate_on_submit():
        return form_refused(form, back)
    return perform("organisation.room.save", {"building_id": item.id, "unit": form.unit.data or "",
                                              "floor": form.floor.data, "number": form.number.data},
                   done=back, success=lambda r: _("Room %(label)s added.", label=f"{r['unit']} {r['number']}".strip()))


@bp.route("/rooms/<int:room_id>", methods=["GET", "POST"])
@login_required
def room(room_id: int):
    """Renumber a room (a household on record there moves with it)."""
    item = db.get_or_404(Room, room_id)
    building = managed_building(item.building_id)
    form = RoomForm(obj=item)
    if form.validate_on_submit() and attempt("organisation.room.save", {
            "room_id": item.id, "building_id": building.id, "unit": form.unit.data or "", "floor": form.floor.data,
            "number": form.number.data}, form):
        flash(_("Saved."), "success")
        return redirect(url_for("organisation.building", building_id=building.id))
    return render_template("organisation/room.html", room=item, building=building, form=form), 400 if form.errors else 200


@bp.post("/rooms/<int:room_id>/remove")
@login_required
def remove_room(room_id: int):
    """Remove a room nobody is on record in."""
    item = db.get_or_404(Room, room_id)
    building = managed_building(item.building_id)
    return perform("organisation.room.remove", {"room_id": item.id},
                   done=url_for("organisation.building", building_id=building.id), success=_("Room removed."))
