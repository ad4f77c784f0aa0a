"""What the directory adds to other features' pages (app/slots.py): the home page and the care home page."""
from __future__ import annotations

from typing import Any

from flask import g

from app.auth.permissions import can
from app.directory import queries
from app.extensions import db
from app.models import Building, User


def _directory(building: Building) -> list[queries.Contact]:
    """The building's directory, read once per request however many slots of the page show it."""
    memo = g.setdefault("directories", {})
    if building.id not in memo:
        memo[building.id] = queries.directory(db.session, building)
    return memo[building.id]


def home_directories(user: User, **_: Any) -> dict[str, Any] | None:
    """The directory of each building the person lives in or heads, for their home page."""
    found = [{"building": b, "contacts": _directory(b)}
             for b in queries.home_buildings(db.session, user) if can(user, "directory.view", b)]
    return {"directories": found} if found else None


def care_call(building: Building, **_: Any) -> dict[str, Any]:
    """Care mode's fourth big action: the directory's first entry, the building head (给楼长打电话)."""
    head = next((c for c in _directory(building) if c.kind == "head"), None)
    return {"head": head}


def care_others(building: Building, **_: Any) -> dict[str, Any] | None:
    """The rest of the directory under the big actions, in large type (None when there is nothing more)."""
    contacts = _directory(building)
    first_head = next((c for c in contacts if c.kind == "head"), None)
    others = [c for c in contacts if c is not first_head]
    return {"others": others} if others else None
