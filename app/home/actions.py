"""What each role can do, as shown on the home page.

Features add their entries with `home_action(...)` when they register, so the home page
only ever offers what exists.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import LazyString

from app.models import Role, User


@dataclass(frozen=True)
class HomeAction:
    """One card on the home page."""

    roles: tuple[Role, ...]
    title: LazyString | str
    description: LazyString | str
    endpoint: str
    order: int = 50
    icon: str = "dot"
    # How many things wait for this person there (a number on the card; nothing at 0), if the card has a count.
    count: Callable[[User], int] | None = None


_ACTIONS: list[HomeAction] = []


def home_action(action: HomeAction) -> None:
    """Register a home-page card (idempotent, so app factories can run repeatedly)."""
    if action not in _ACTIONS:
        _ACTIONS.append(action)
        _ACTIONS.sort(key=lambda a: a.order)


def actions_for(roles: set[Role]) -> list[HomeAction]:
    """The cards for someone holding `roles`, each shown once."""
    return [a for a in _ACTIONS if roles.intersection(a.roles)]
