"""Which buildings, communities and households a user's roles reach.

Every feature asks these questions through here, so "what is in my scope" has one answer
for the HTML pages, the JSON API and the sync handlers alike.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from sqlalchemy import ColumnElement, Select, bindparam, false, or_, select, true

from app.database import plain_rows
from app.models import Building, Community, Household, Role, User


def _reach(role: Role, value) -> ColumnElement[bool]:
    """Where a role over the scope `value` (an id, or a bound parameter standing for one) reaches: a condition on Building."""
    if role == Role.ADMIN:
        return true()
    if role == Role.RESIDENT:
        return Building.id == select(Household.building_id).where(Household.id == value).scalar_subquery()
    if role == Role.BUILDING_HEAD:
        return Building.id == value
    if role == Role.STAFF:
        return Building.community_id == value
    return Building.community_id.in_(select(Community.id).where(Community.street_id == value))  # STREET


def _scope_of(a) -> int | bool | None:
    """The id a role assignment's scope is (True for admin: everywhere); None when it reaches nothing."""
    if a.role == Role.ADMIN:
        return True
    column = {Role.RESIDENT: "household_id", Role.BUILDING_HEAD: "building_id", Role.STAFF: "community_id",
              Role.STREET: "street_id"}.get(a.role)
    return getattr(a, column) if column else None


def _condition(a):
    """Where one role assignment reaches: a condition on Building (None when it reaches nothing)."""
    value = _scope_of(a)
    return None if value is None else _reach(a.role, value)


def building_ids(user: User, roles: tuple[Role, ...] | None = None) -> Select:
    """A SELECT of the ids of the buildings the user's roles (or only `roles`) cover."""
    conditions = [c for a in user.roles if roles is None or a.role in roles if (c := _condition(a)) is not None]
    return select(Building.id).where(or_(*conditions) if conditions else false())


@cache
def reached(shape: tuple[Role, ...]) -> Select:
    """The ids of the buildings that roles of `shape` over the scopes bound as s<i> reach (see reach()).

    Built once per combination of roles, to be embedded in statements that are built once too.
    """
    return select(Building.id).where(or_(*[_reach(role, bindparam(f"s{i}")) for i, role in enumerate(shape)]))


def reach(user: User, roles: tuple[Role, ...] | None = None) -> tuple[tuple[Role, ...], dict]:
    """The roles of the user's assignments that reach somewhere (of `roles`), and their scopes as s<i> parameters.

    The shape is the key of statements built once (reached()); the parameters bind them for this user.
    """
    reaching = [(a.role, value) for a in user.roles if roles is None or a.role in roles
                if (value := _scope_of(a)) is not None]
    return (tuple(role for role, _ in reaching),
            {f"s{i}": value for i, (_, value) in enumerate(reaching) if value is not True})


def community_ids(user: User, roles: tuple[Role, ...] | None = None) -> Select:
    """A SELECT of the ids of the communities whose buildings the user's roles cover."""
    return select(Building.community_id).where(Building.id.in_(building_ids(user, roles))).distinct()


# Inside remembering(): building id → the roles of the user's assignments reaching it, per user and roles.
_remembered: ContextVar[dict | None] = ContextVar("scope_remembered", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Within the block, answer covers_building once per user and building, with one query for all roles.

    A page asking several rules about one building (the problem page: view, internal notes, escalate,
    dispatch, resolve) then costs one query instead of one per rule. Only for reads: a block that
    changes roles or moves buildings would get the answers from before the change.
    """
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


@cache
def reach_columns(shape: tuple[Role, ...]) -> tuple[ColumnElement[bool], ...]:
    """For each role of `shape`, whether a role over the scope bound as s<i> reaches the row's Building.

    Built once per combination of roles (a person has one to three), the ids bound (reach()): building
    the statement cost more than running it, and every page checks a building. A page that loads its
    building (or a problem joined to it) selects these beside it and hands them to remember_reach(),
    so the permission check that follows needs no query of its own.
    """
    return tuple(_reach(role, bindparam(f"s{i}")).label(f"r{i}") for i, role in enumerate(shape))


@cache
def _reaching(shape: tuple[Role, ...]) -> Select:
    """One row for a building: for each role of `shape`, whether it reaches the building."""
    return select(*reach_columns(shape)).where(Building.id == bindparam("building_id"))


def _roles_reaching(user: User, building_id: int, roles: tuple[Role, ...] | None = None) -> frozenset[Role]:
    """The roles among the user's assignments (or those of `roles`) that reach the building, in one query."""
    from app.extensions import db

    shape, params = reach(user, roles)
    if not shape:
        return frozenset()
    row = plain_rows(db.session, _reaching(shape), {**params, "building_id": building_id}).first()
    return _hits(shape, row or ())


def _hits(shape: tuple[Role, ...], flags) -> frozenset[Role]:
    return frozenset(role for role, hit in zip(shape, flags, strict=False) if hit)


def _memo_key(user: User, building_id: int) -> tuple:
    # Keyed by the assignments themselves, so a role given or taken is never answered from memory.
    return (user.id, tuple((a.role, a.household_id, a.building_id, a.community_id, a.street_id) for a in user.roles),
            building_id)


def remember_reach(user: User, building_id: int, shape: tuple[Role, ...], flags) -> None:
    """Inside remembering(): note which of the user's roles reach the building, read beside it.

    `shape` is reach(user)[0] and `flags` the values of reach_columns(shape) on the building's row;
    outside remembering() this does nothing and covers_building asks the database itself.
    """
    memo = _remembered.get()
    if memo is not None:
        memo[_memo_key(user, building_id)] = _hits(shape, flags)


def covers_building(user: User, building_id: int, roles: tuple[Role, ...] | None = None) -> bool:
    """True when one of the user's roles (or of `roles`) reaches the building."""
    memo = _remembered.get()
    if memo is None:
        return bool(_roles_reaching(user, building_id, roles))
    key = _memo_key(user, building_id)
    if key not in memo:
        memo[key] = _roles_reaching(user, building_id)
    found = memo[key]
    return bool(found) if roles is None else any(role in found for role in roles)


def own_household_ids(user: User) -> list[int]:
    """The households the user belongs to as a resident (usually one)."""
    return [a.household_id for a in user.roles if a.role == Role.RESIDENT and a.household_id is not None]


# Those who manage buildings (rather than merely live in one).
MANAGERS = (Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN)


def managed_building_ids(user: User) -> Select:
    """Buildings the user manages (head, staff, street, admin) — not merely lives in."""
    return building_ids(user, MANAGERS)
