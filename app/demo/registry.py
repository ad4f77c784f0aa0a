"""Features add their scenario data to the demo street here.

A loader receives the session and a DemoWorld (the street, communities, buildings,
departments and demo users by phone) and adds its own records. It must be idempotent:
`flask demo` is run again and again.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.models import Building, Community, Department, Street, User
from app.registry import registers


@dataclass
class DemoWorld:
    """What the base demo created, for feature loaders to build on."""

    street: Street
    communities: dict[str, Community] = field(default_factory=dict)
    buildings: dict[tuple[str, str], Building] = field(default_factory=dict)  # (community, building)
    departments: dict[str, Department] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # by phone


DemoLoader = Callable[[Session, DemoWorld], None]
_LOADERS: list[DemoLoader] = []


def _add(func: DemoLoader) -> None:
    if func not in _LOADERS:
        _LOADERS.append(func)


# Marks a feature's demo loader; its init_app registers it (loaders run after the base street exists,
# in the order the features are set up).
demo_loader = registers(_add)


def feature_loaders() -> list[DemoLoader]:
    """The registered loaders, in registration order."""
    return list(_LOADERS)
