"""Who sets up what (registered with app.auth.permissions).

The admin sets up everything and is the only one to create streets. A street office account 街道
edits its own street: its name, communities (with their feedback hours, vote defaults and problem
categories), departments and property companies, and imports the whole tree from a workbook.
Community staff 社区工作者 know their buildings: they edit their own community's buildings and
rooms, nothing above. Building heads, residents and departments set up nothing.
"""
from __future__ import annotations

from typing import Any

from app.auth.permissions import rule
from app.models import Community, Role, Street, User


def _street_ids(user: User) -> set[int]:
    return {a.street_id for a in user.roles if a.role == Role.STREET and a.street_id is not None}


def _staff_community_ids(user: User) -> set[int]:
    return {a.community_id for a in user.roles if a.role == Role.STAFF and a.community_id is not None}


@rule("organisation.view")
def _view(user: User, target: Any = None) -> bool:
    """The set-up pages at all: the admin, street offices and community staff."""
    return user.has_role(Role.ADMIN, Role.STREET, Role.STAFF)


@rule("organisation.street.create")
def _create_street(user: User, target: Any = None) -> bool:
    """A new street office: the admin only."""
    return user.has_role(Role.ADMIN)


@rule("organisation.street.manage")
def _manage_street(user: User, street: Street) -> bool:
    """The street itself, its communities, departments and the workbook import: the admin and that street."""
    return user.has_role(Role.ADMIN) or street.id in _street_ids(user)


@rule("organisation.buildings.manage")
def _manage_buildings(user: User, community: Community) -> bool:
    """A community's buildings and their rooms: the admin, its street, and its own staff."""
    return (user.has_role(Role.ADMIN) or community.street_id in _street_ids(user)
            or community.id in _staff_community_ids(user))
