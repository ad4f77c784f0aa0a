"""Permissions in one place: `can(user, action, target)`.

Each action has one rule function. Features mark their rules with @rule (their init_app
registers them: app/registry.py), and
views, the JSON API and sync handlers all ask `can()` (or `require()`), never the roles
directly, so a rule cannot differ between the page and the API.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from werkzeug.exceptions import Forbidden

from app.auth import scope
from app.models import Building, Household, Role, User
from app.registry import registers

Rule = Callable[[User, Any], bool]
_RULES: dict[str, Rule] = {}
# A rule's batch form: the same decision for many targets in one go (one query, not one per target).
ManyRule = Callable[[User, Sequence[Any]], Iterable[bool]]
_MANY_RULES: dict[str, ManyRule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    """Mark the rule deciding `action` (registered by its feature's init_app); each action has exactly one."""

    def add(func: Rule) -> None:
        if _RULES.get(action, func) is not func:
            raise ValueError(f"permission rule for {action!r} registered twice")
        _RULES[action] = func

    return registers(add)


def can(user: User | None, action: str, target: Any = None) -> bool:
    """True when `user` may perform `action` on `target`."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    try:
        decide = _RULES[action]
    except KeyError:
        raise LookupError(f"no permission rule for {action!r}") from None
    return bool(decide(user, target))


def rule_for_many(action: str) -> Callable[[ManyRule], ManyRule]:
    """Mark the batch form of `action`'s rule, for callers deciding a whole sync batch at once.

    It must answer for each target exactly what the rule does: define the rule through it, so the
    decision has one body.
    """

    def add(func: ManyRule) -> None:
        if _MANY_RULES.get(action, func) is not func:
            raise ValueError(f"batch permission rule for {action!r} registered twice")
        _MANY_RULES[action] = func

    return registers(add)


def can_each(user: User | None, action: str, targets: Sequence[Any]) -> list[bool]:
    """`can(user, action, target)` for each target, in order; one query where the rule has a batch form."""
    many = _MANY_RULES.get(action)
    if many is None or not targets:
        return [can(user, action, target) for target in targets]
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return [False] * len(targets)
    return [bool(allowed) for allowed in many(user, targets)]


def require(user: User | None, action: str, target: Any = None) -> None:
    """Raise 403 Forbidden unless `can(user, action, target)`."""
    if not can(user, action, target):
        raise Forbidden(description=action)


def registered_actions() -> list[str]:
    """All actions with a rule (for tests of the permission matrix)."""
    return sorted(_RULES)


# -- the foundation's own rules -------------------------------------------------------


@rule("building.view")
def _view_building(user: User, building: Building) -> bool:
    """Residents see their own building; heads, staff and street see their scope."""
    return scope.covers_building(user, building.id)


@rule("household.view")
def _view_household(user: User, household: Household) -> bool:
    """A household's ledger entry: its own members, and those who manage its building."""
    if household.id in scope.own_household_ids(user):
        return True
    return scope.covers_building(user, household.building_id, (Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN))


@rule("household.manage")
def _manage_household(user: User, household: Household) -> bool:
    """Editing the ledger: building heads of the building, staff and street above it."""
    return scope.covers_building(user, household.building_id, (Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN))


@rule("org.admin")
def _admin(user: User, target: Any = None) -> bool:
    """Setting up streets, communities, buildings and accounts."""
    return user.has_role(Role.ADMIN)
