"""Who may read and who may edit a building's directory 通讯录 (registered with app.auth.permissions)."""
from __future__ import annotations

from app.auth import scope
from app.auth.permissions import rule
from app.models import Building, Role, User

# The typed entries are the community's to keep: its staff, and the street and admin above them.
EDITORS = (Role.STAFF, Role.STREET, Role.ADMIN)


@rule("directory.view")
def _view(user: User, building: Building) -> bool:
    """The people of the building (residents, heads) and those over it (its community's staff, street, admin)."""
    return scope.covers_building(user, building.id)


@rule("directory.edit")
def _edit(user: User, building: Building) -> bool:
    """Add, change, remove and order the typed entries: staff of the building's community, street, admin."""
    return scope.covers_building(user, building.id, EDITORS)
