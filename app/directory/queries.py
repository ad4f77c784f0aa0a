"""Reads of the building's directory 通讯录: who to call, in the order shown.

Care mode and the home page show it through slots; these reads are the one answer for the
directory page, those slots and the tests. Nothing here writes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.auth import scope
from app.directory.models import DirectoryEntry, EntryKind
from app.models import Building, Role, RoleAssignment, User

HEAD_LABEL = _l("Building head")
PROPERTY_LABEL = _l("Property management")
KIND_LABELS = {
    EntryKind.STAFF: _l("Community staff in charge"),
    EntryKind.LEGAL: _l("Legal-service specialist"),
    EntryKind.HOTLINE: _l("Hotline"),
    EntryKind.OTHER: _l("Other"),
}


@dataclass(frozen=True)
class Contact:
    """One line of the directory: a name, a role label and a phone; `entry_id` for the typed ones."""

    name: str
    label: str
    phone: str
    kind: str  # "head", "property" or an EntryKind value
    entry_id: int | None = None

    @property
    def tel(self) -> str:
        """The phone as a tel: address (digits and a leading +: 010-6761 0001 → tel:01067610001)."""
        return "tel:" + re.sub(r"(?!^\+)[^0-9]", "", self.phone)


def building_heads(session: Session, building: Building) -> list[Contact]:
    """The building's heads 楼长, live from their role assignments (active accounts only)."""
    users = session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.BUILDING_HEAD, RoleAssignment.building_id == building.id,
               User.active.is_(True))
        .order_by(User.id)
    ).unique()
    return [Contact(u.name, str(HEAD_LABEL), u.phone, "head") for u in users]


def entries(session: Session, building: Building) -> list[DirectoryEntry]:
    """The typed entries of the building, in the staff's order."""
    return list(session.scalars(select(DirectoryEntry).where(DirectoryEntry.building_id == building.id)
                                .options(selectinload(DirectoryEntry.user))
                                .order_by(DirectoryEntry.position, DirectoryEntry.id)))


def entry_contact(entry: DirectoryEntry) -> Contact | None:
    """A typed entry as shown; one naming a staff account shows the account's (None once it is switched off or gone)."""
    name, phone = entry.name, entry.phone
    if entry.user_id is not None:
        if entry.user is None or not entry.user.active:
            return None
        name, phone = entry.user.name, entry.user.phone
    if not phone:
        return None
    return Contact(name, entry.label or str(KIND_LABELS[entry.kind]), phone, entry.kind.value, entry.id)


def property_contact(building: Building) -> Contact | None:
    """The property company serving the building, by its duty phone (None without one)."""
    company = building.property_department
    if company is None or not company.duty_phone:
        return None
    return Contact(company.name, str(PROPERTY_LABEL), company.duty_phone, "property")


def directory(session: Session, building: Building) -> list[Contact]:
    """The whole directory: its heads, the property company, then the typed entries in order."""
    typed = [c for c in map(entry_contact, entries(session, building)) if c is not None]
    company = property_contact(building)
    return [*building_heads(session, building), *([company] if company else []), *typed]


def home_buildings(session: Session, user: User) -> list[Building]:
    """The buildings whose directory belongs on the person's home page: where they live and those they head."""
    ids = scope.building_ids(user, (Role.RESIDENT, Role.BUILDING_HEAD))
    return list(session.scalars(select(Building).where(Building.id.in_(ids)).order_by(Building.id)))


def managed_buildings(session: Session, user: User) -> list[Building]:
    """Every building whose directory the person may open, by community and name (the list page)."""
    return list(session.scalars(select(Building).where(Building.id.in_(scope.building_ids(user)))
                                .order_by(Building.community_id, Building.name)))


def staff_accounts(session: Session, building: Building) -> list[User]:
    """The active staff accounts of the building's community: who may be its 包楼居干."""
    return list(session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.STAFF, RoleAssignment.community_id == building.community_id,
               User.active.is_(True))
        .order_by(User.name, User.id)
    ).unique())
