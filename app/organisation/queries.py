"""Reads for the set-up pages: a street's communities and departments, a community's buildings, a building's rooms."""
from __future__ import annotations

import re
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Building, Community, Department, Household, Role, Room, Street, User


def natural(text: str) -> tuple:
    """A sort key that puts 2号楼 before 10号楼 and 2门 before 10门 (numbers by value, not by digit)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text or ""))


class CommunityLine(NamedTuple):
    """One community in its street's table."""

    community: Community
    buildings: int
    rooms: int


class BuildingLine(NamedTuple):
    """One building in its community's table."""

    building: Building
    rooms: int
    households: int


def streets_for(session: Session, user: User) -> list[Street]:
    """The streets `user` sets up: every street for the admin, their own for a street office."""
    query = select(Street).order_by(Street.name)
    if not user.has_role(Role.ADMIN):
        query = query.where(Street.id.in_([a.street_id for a in user.roles if a.role == Role.STREET] or [-1]))
    return list(session.scalars(query))


def staff_communities(session: Session, user: User) -> list[Community]:
    """The communities `user` works in as staff."""
    ids = [a.community_id for a in user.roles if a.role == Role.STAFF]
    return list(session.scalars(select(Community).where(Community.id.in_(ids or [-1])).order_by(Community.name)))


def communities_of(session: Session, street: Street) -> list[CommunityLine]:
    """The street's communities with how many buildings and rooms each has (two grouped counts)."""
    communities = list(session.scalars(select(Community).where(Community.street_id == street.id).order_by(Community.name)))
    ids = [c.id for c in communities] or [-1]
    buildings = dict(session.execute(select(Building.community_id, func.count()).where(Building.community_id.in_(ids))
                                     .group_by(Building.community_id)).all())
    rooms = dict(session.execute(select(Building.community_id, func.count(Room.id)).join(Room, Room.building_id == Building.id)
                                 .where(Building.community_id.in_(ids)).group_by(Building.community_id)).all())
    return [CommunityLine(c, buildings.get(c.id, 0), rooms.get(c.id, 0)) for c in communities]


def departments_of(session: Session, street: Street) -> list[tuple[Department, int]]:
    """The street's departments and property companies, with how many buildings each company serves."""
    served = dict(session.execute(select(Building.property_department_id, func.count())
                                  .where(Building.property_department_id.is_not(None))
                                  .group_by(Building.property_department_id)).all())
    departments = session.scalars(select(Department).where(Department.street_id == street.id)
                                  .order_by(Department.kind, Department.name))
    return [(d, served.get(d.id, 0)) for d in departments]


def property_companies(session: Session, street_id: int) -> list[Department]:
    """The property companies a building of this street may be served by (the street's and city-wide ones)."""
    return list(session.scalars(select(Department).where(Department.kind == "property",
                                                         (Department.street_id == street_id) | Department.street_id.is_(None))
                                .order_by(Department.name)))


def buildings_of(session: Session, community: Community, search: str = "") -> list[BuildingLine]:
    """The community's buildings (matching `search` in name or address) with their room and household counts."""
    query = select(Building).where(Building.community_id == community.id).order_by(Building.name)
    if search:
        query = query.where(Building.name.contains(search) | Building.address.contains(search))
    buildings = sorted(session.scalars(query), key=lambda b: natural(b.name))
    ids = [b.id for b in buildings] or [-1]
    rooms = dict(session.execute(select(Room.building_id, func.count()).where(Room.building_id.in_(ids))
                                 .group_by(Room.building_id)).all())
    households = dict(session.execute(select(Household.building_id, func.count())
                                      .where(Household.building_id.in_(ids), Household.is_deleted.is_(False))
                                      .group_by(Household.building_id)).all())
    return [BuildingLine(b, rooms.get(b.id, 0), households.get(b.id, 0)) for b in buildings]


def street_buildings(session: Session, street: Street) -> list[Building]:
    """Every building of the street, by community and name (for choosing the ones a company serves)."""
    buildings = session.scalars(select(Building).join(Community).where(Community.street_id == street.id))
    return sorted(buildings, key=lambda b: (b.community.name, natural(b.name)))


class RoomLine(NamedTuple):
    """A room and whether a household is on record in it."""

    room: Room
    on_record: bool


def rooms_of(session: Session, building: Building) -> list[RoomLine]:
    """The building's rooms by unit, floor and number, each marked when the ledger has a household there."""
    rooms = session.scalars(select(Room).where(Room.building_id == building.id)
                            .order_by(Room.unit, Room.floor, Room.number))
    taken = {tuple(r) for r in session.execute(select(Household.unit, Household.room).where(
        Household.building_id == building.id, Household.is_deleted.is_(False)))}
    ordered = sorted(rooms, key=lambda r: (natural(r.unit), r.floor if r.floor is not None else -99, natural(r.number)))
    return [RoomLine(r, (r.unit, r.number) in taken) for r in ordered]
