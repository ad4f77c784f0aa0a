"""Setting up the organisation: streets, communities, buildings, rooms, departments. Flush, never commit.

Plain functions with explicit arguments; each refuses with `Refused` on the field a person would
correct (a name already taken, a room someone is on record in).
"""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.commands import Refused
from app.database import insert_many
from app.models import Building, Community, Department, DepartmentKind, Household, Room, Street
from app.organisation.schemas import BuildingIn, CommunityIn, DepartmentIn, RoomIn, StreetIn

MAX_ROOMS_PER_BUILDING = 2000  # a tower of 40 floors with 8 flats a floor in 6 units is 1,920


def _taken(session: Session, model, exclude_id: int | None, *where) -> bool:
    query = select(func.count()).select_from(model).where(*where)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return bool(session.scalar(query))


def save_street(session: Session, street: Street | None, data: StreetIn) -> Street:
    """Create a street (street None) or rename it; names are unique."""
    if _taken(session, Street, street.id if street else None, Street.name == data.name):
        raise Refused(_("A street with this name already exists."), field="name")
    if street is None:
        street = Street(name=data.name)
        session.add(street)
    street.name, street.district = data.name, data.district
    session.flush()
    return street


def save_community(session: Session, street: Street, community: Community | None, data: CommunityIn) -> Community:
    """Create a community of `street` (community None) or change its name, feedback hours and vote defaults."""
    if _taken(session, Community, community.id if community else None,
              Community.street_id == street.id, Community.name == data.name):
        raise Refused(_("This street already has a community of this name."), field="name")
    if community is None:
        community = Community(street_id=street.id, name=data.name)
        session.add(community)
    community.name, community.feedback_hours = data.name, data.feedback_hours
    community.vote_quorum, community.vote_threshold = data.vote_quorum, data.vote_threshold
    session.flush()
    return community


def set_categories(community: Community, enabled: Iterable[str], every: Iterable[str]) -> None:
    """Keep the categories the community uses: the others (of `every`) are stored as disabled."""
    enabled = set(enabled)
    community.disabled_categories = " ".join(c for c in every if c not in enabled)


def save_building(session: Session, community: Community, building: Building | None, data: BuildingIn,
                  property_company: Department | None) -> Building:
    """Create a building in `community` (building None) or change its name, address and property company."""
    if _taken(session, Building, building.id if building else None,
              Building.community_id == community.id, Building.name == data.name):
        raise Refused(_("This community already has a building of this name."), field="name")
    if building is None:
        building = Building(community_id=community.id, name=data.name)
        session.add(building)
    building.name, building.address = data.name, data.address
    building.property_department_id = property_company.id if property_company else None
    session.flush()
    return building


def room_number(floor: int, index: int) -> str:
    """The number of the `index`-th room (from 1) of `floor`, as buildings here count: 101 … 603, 1201."""
    return f"{floor}{index:02d}"


def generate_rooms(session: Session, building: Building, units: list[str], floors: int, per_floor: int) -> int:
    """Add every room of units × floors × rooms per floor the building does not have yet; how many were added."""
    have = {tuple(r) for r in session.execute(select(Room.unit, Room.number).where(Room.building_id == building.id))}
    rows = [(building.id, unit, floor, room_number(floor, n))
            for unit in units for floor in range(1, floors + 1) for n in range(1, per_floor + 1)
            if (unit, room_number(floor, n)) not in have]
    insert_many(session, Room.__table__, ("building_id", "unit", "floor", "number"), rows)
    return len(rows)


def household_in(session: Session, room: Room) -> Household | None:
    """The ledger's household on record in `room` (same building, unit and number), if any."""
    return session.scalar(select(Household).where(
        Household.building_id == room.building_id, Household.unit == room.unit, Household.room == room.number,
        Household.is_deleted.is_(False)))


def _room_taken(session: Session, building_id: int, unit: str, number: str, exclude_id: int | None) -> bool:
    return _taken(session, Room, exclude_id, Room.building_id == building_id, Room.unit == unit, Room.number == number)


def save_room(session: Session, building: Building, room: Room | None, data: RoomIn) -> Room:
    """Add a room (room None) or renumber one; a household on record there moves with its room."""
    if _room_taken(session, building.id, data.unit, data.number, room.id if room else None):
        raise Refused(_("This building already has this room."), field="number")
    if room is None:
        room = Room(building_id=building.id, unit=data.unit, floor=data.floor, number=data.number)
        session.add(room)
    else:
        household = household_in(session, room)
        if household is not None:  # the ledger's household is found by the room's numbers: keep the pair
            household.unit, household.room, household.floor = data.unit, data.number, data.floor
        room.unit, room.floor, room.number = data.unit, data.floor, data.number
    session.flush()
    return room


def remove_room(session: Session, room: Room) -> None:
    """Remove a room nobody is on record in (the ledger has no household there)."""
    if household_in(session, room) is not None:
        raise Refused(_("Someone is on record in this room: it cannot be removed."), field="room_id")
    session.delete(room)
    session.flush()


def save_department(session: Session, street: Street, department: Department | None, data: DepartmentIn) -> Department:
    """Create a department or property company of `street`, or change its name, kind and duty phone."""
    if _taken(session, Department, department.id if department else None, Department.name == data.name):
        raise Refused(_("A department with this name already exists."), field="name")
    if department is None:
        department = Department(name=data.name, kind=data.kind, street_id=street.id)
        session.add(department)
    elif department.kind == DepartmentKind.PROPERTY and data.kind != DepartmentKind.PROPERTY and serves_buildings(
            session, department):
        raise Refused(_("This property company serves buildings: give them another one first."), field="kind")
    department.name, department.kind, department.duty_phone = data.name, data.kind, data.duty_phone
    session.flush()
    return department


def serves_buildings(session: Session, company: Department) -> bool:
    """True when some building has `company` as its property company."""
    return bool(session.scalar(select(func.count()).select_from(Building)
                               .where(Building.property_department_id == company.id)))


def street_building_ids(session: Session, street: Street) -> set[int]:
    """The ids of every building of the street."""
    return set(session.scalars(select(Building.id).join(Community).where(Community.street_id == street.id)))


def set_served_buildings(session: Session, street: Street, company: Department, building_ids: set[int]) -> int:
    """The street's buildings `company` serves become exactly `building_ids`; how many changed hands."""
    mine = street_building_ids(session, street)
    unknown = building_ids - mine
    if unknown:
        raise Refused(_("Some of these buildings are not in this street."), field="building_ids")
    changed = session.execute(update(Building).where(Building.id.in_(sorted(building_ids)),
                                                     Building.property_department_id.is_distinct_from(company.id))
                              .values(property_department_id=company.id)).rowcount if building_ids else 0
    changed += session.execute(update(Building).where(Building.id.in_(sorted(mine - building_ids)),
                                                      Building.property_department_id == company.id)
                               .values(property_department_id=None)).rowcount
    session.flush()
    return changed
