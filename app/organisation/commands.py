"""Setting up the organisation, one command per thing a person does (app/commands.py).

The pages (app/organisation/routes.py) run them through app.views; each loads what it acts on,
checks permission once (app/organisation/permissions.py) and calls the services. The workbook
import is `organisation.import` (app/organisation/importer.py does the work).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.auth.permissions import require
from app.commands import Conflict, Context, Refused, command, get_or_refuse
from app.models import Building, Community, Department, DepartmentKind, Room, Street
from app.organisation import importer, services
from app.organisation.schemas import (
    BuildingIn,
    CategoriesIn,
    CommunityIn,
    DepartmentIn,
    RoomIn,
    RoomRemoveIn,
    RoomsGenerateIn,
    ServedBuildingsIn,
    StreetIn,
)
from app.organisation.workbook import WorkbookIn
from app.problems.models import Category


def _street(ctx: Context, street_id: int) -> Street:
    street = get_or_refuse(ctx.session, Street, street_id, _("This street does not exist."))
    require(ctx.user, "organisation.street.manage", street)
    return street


def _community(ctx: Context, community_id: int, action: str) -> Community:
    community = get_or_refuse(ctx.session, Community, community_id, _("This community does not exist."))
    if action == "organisation.street.manage":
        require(ctx.user, action, community.street)
    else:
        require(ctx.user, action, community)
    return community


def _building(ctx: Context, building_id: int) -> Building:
    building = get_or_refuse(ctx.session, Building, building_id, _("This building does not exist."))
    require(ctx.user, "organisation.buildings.manage", building.community)
    return building


@command("organisation.street.save", StreetIn)
def save_street(ctx: Context, data: StreetIn) -> dict:
    """The admin opens a street 街道; the admin or the street itself changes its name and district."""
    if data.street_id is None:
        require(ctx.user, "organisation.street.create")
        street = None
    else:
        street = _street(ctx, data.street_id)
    street = services.save_street(ctx.session, street, data)
    return {"id": street.id, "name": street.name, "district": street.district}


@command("organisation.community.save", CommunityIn)
def save_community(ctx: Context, data: CommunityIn) -> dict:
    """A street opens a community 社区 or changes its name, feedback hours and vote defaults."""
    street = _street(ctx, data.street_id)
    community = None
    if data.community_id is not None:
        community = _community(ctx, data.community_id, "organisation.street.manage")
        if community.street_id != street.id:
            raise Refused(_("This community is not in this street."), "not_found")
    community = services.save_community(ctx.session, street, community, data)
    return {"id": community.id, "street_id": street.id, "name": community.name}


@command("organisation.community.categories", CategoriesIn)
def save_categories(ctx: Context, data: CategoriesIn) -> dict:
    """The problem categories a community uses (its report form and Open311 services follow them)."""
    community = _community(ctx, data.community_id, "organisation.street.manage")
    services.set_categories(community, [c.value for c in data.categories], [c.value for c in Category])
    ctx.session.flush()
    return {"id": community.id, "categories": [c.value for c in Category if community.offers(c.value)]}


def _property_company(ctx: Context, community: Community, department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    company = ctx.session.get(Department, department_id)
    if company is None or company.kind != DepartmentKind.PROPERTY or company.street_id not in (None, community.street_id):
        raise Refused(_("Choose one of this street's property companies."), field="property_department_id")
    return company


@command("organisation.building.save", BuildingIn)
def save_building(ctx: Context, data: BuildingIn) -> dict:
    """Add a building 楼 to a community, or change its name, address and property company 物业."""
    community = _community(ctx, data.community_id, "organisation.buildings.manage")
    building = None
    if data.building_id is not None:
        building = _building(ctx, data.building_id)
        if building.community_id != community.id:
            raise Refused(_("This building is not in this community."), "not_found")
    building = services.save_building(ctx.session, community, building, data,
                                      _property_company(ctx, community, data.property_department_id))
    return {"id": building.id, "community_id": community.id, "name": building.name}


@command("organisation.rooms.generate", RoomsGenerateIn)
def generate_rooms(ctx: Context, data: RoomsGenerateIn) -> dict:
    """Add a building's rooms from units × floors × rooms per floor; rooms it already has are kept."""
    building = _building(ctx, data.building_id)
    if len(data.units) * data.floors * data.per_floor > services.MAX_ROOMS_PER_BUILDING:
        raise Refused(_("At most %(n)s rooms per building.", n=services.MAX_ROOMS_PER_BUILDING), field="floors")
    added = services.generate_rooms(ctx.session, building, data.units, data.floors, data.per_floor)
    return {"building_id": building.id, "added": added}


@command("organisation.room.save", RoomIn)
def save_room(ctx: Context, data: RoomIn) -> dict:
    """Add one room to a building, or renumber one (its household on record moves with it)."""
    building = _building(ctx, data.building_id)
    room = None
    if data.room_id is not None:
        room = get_or_refuse(ctx.session, Room, data.room_id, _("This room does not exist."))
        if room.building_id != building.id:
            raise Refused(_("This room does not exist."), "not_found")
    room = services.save_room(ctx.session, building, room, data)
    return {"id": room.id, "building_id": building.id, "unit": room.unit, "floor": room.floor, "number": room.number}


@command("organisation.room.remove", RoomRemoveIn)
def remove_room(ctx: Context, data: RoomRemoveIn) -> dict:
    """Remove a room nobody is on record in."""
    room = get_or_refuse(ctx.session, Room, data.room_id, _("This room does not exist."))
    building = _building(ctx, room.building_id)
    services.remove_room(ctx.session, room)
    return {"id": data.room_id, "building_id": building.id}


@command("organisation.department.save", DepartmentIn)
def save_department(ctx: Context, data: DepartmentIn) -> dict:
    """A street adds a city department 职能部门 or property company 物业, or changes one."""
    street = _street(ctx, data.street_id)
    department = None
    if data.department_id is not None:
        department = get_or_refuse(ctx.session, Department, data.department_id, _("This department does not exist."))
        if department.street_id != street.id:
            raise Refused(_("This department is not in this street."), "not_found")
    department = services.save_department(ctx.session, street, department, data)
    return {"id": department.id, "name": department.name, "kind": department.kind.value}


@command("organisation.department.buildings", ServedBuildingsIn)
def served_buildings(ctx: Context, data: ServedBuildingsIn) -> dict:
    """Which of the street's buildings a property company serves (Building.property_department_id)."""
    company = get_or_refuse(ctx.session, Department, data.department_id, _("This department does not exist."))
    if company.street_id is None:
        raise Refused(_("This department is not in this street."), "not_found")
    street = _street(ctx, company.street_id)
    if company.kind != DepartmentKind.PROPERTY:
        raise Refused(_("Only a property company serves buildings."), field="building_ids")
    changed = services.set_served_buildings(ctx.session, street, company, set(data.building_ids))
    return {"id": company.id, "changed": changed}


@command("organisation.import", WorkbookIn)
def import_workbook(ctx: Context, data: WorkbookIn) -> dict:
    """Write a checked workbook into a street, all of it in one transaction, or nothing if a row is wrong.

    The rows are checked again against the database as it is now (someone may have changed it since
    the preview); the answer counts what was new, changed and unchanged on each sheet.
    """
    street = _street(ctx, data.street_id)
    plan = importer.plan(ctx.session, street, data)
    if plan.errors:
        first = plan.errors[0]
        raise Refused(_("Nothing was saved: %(sheet)s, row %(row)s, column %(column)s: %(message)s",
                        sheet=first.sheet, row=first.row, column=first.column, message=first.message), "invalid")
    try:
        importer.apply(ctx.session, street, plan)
    except IntegrityError:  # another import or page added the same name since the rows were checked
        raise Conflict(_("Someone changed this street at the same moment. "
                         "Nothing was saved: please upload the file again.")) from None
    return {"street_id": street.id, "counts": plan.counts()}
