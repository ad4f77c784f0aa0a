"""Domain models. Importing this package registers every table with the metadata.

Features with their own tables keep them in app/<feature>/models.py and are imported
here so Alembic sees them.
"""
from app.models.accounts import Role, RoleAssignment, SignIn, SignInEnd, SignInMethod, User
from app.models.base import ChangeCounter, SyncedMixin, TimestampMixin, UTCDateTime
from app.models.org import Building, Community, ContactPreference, Department, DepartmentKind, Household, Room, Street

__all__ = [
    "Building",
    "ChangeCounter",
    "Community",
    "ContactPreference",
    "Department",
    "DepartmentKind",
    "Household",
    "Role",
    "RoleAssignment",
    "Room",
    "SignIn",
    "SignInEnd",
    "SignInMethod",
    "Street",
    "SyncedMixin",
    "TimestampMixin",
    "UTCDateTime",
    "User",
]
