"""Reads of reach for the data layer: statements built once per combination of roles, and what a page read beside its rows.

scope.py asks the questions features ask ("does this user's role reach that building?"); the
statements that answer them are built here once per combination of roles (a person has one to
three), their scopes bound at each run: building a statement cost more than running it. A page's
own read (a feature's queries.py) selects reach_columns() beside the building or problem it loads
and hands the values to remember_reach(), so the permission checks that follow (scope.covers_building)
find the answer in the session instead of asking the database.
"""
from __future__ import annotations

from functools import cache

from sqlalchemy import ColumnElement, Select, bindparam, event, false, or_, select, true
from sqlalchemy.orm import Session

from app.database import plain_rows
from app.models import Building, Community, Household, Role, User


def reach_condition(role: Role, value) -> ColumnElement[bool]:
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


def scope_of(assignment) -> int | bool | None:
    """The id a role assignment's scope is (True for admin: everywhere); None when it reaches nothing."""
    if assignment.role == Role.ADMIN:
        return True
    column = {Role.RESIDENT: "household_id", Role.BUILDING_HEAD: "building_id", Role.STAFF: "community_id",
              Role.STREET: "street_id"}.get(assignment.role)
    return getattr(assignment, column) if column else None


def building_ids(user: User, roles: tuple[Role, ...] | None = None) -> Select:
    """A SELECT of the ids of the buildings the user's roles (or only `roles`) cover."""
    conditions = [reach_condition(a.role, value) for a in user.roles if roles is None or a.role in roles
                  if (value := scope_of(a)) is not None]
    return select(Building.id).where(or_(*conditions) if conditions else false())


def reach(user: User, roles: tuple[Role, ...] | None = None) -> tuple[tuple[Role, ...], dict]:
    """The roles of the user's assignments that reach somewhere (of `roles`), and their scopes as s<i> parameters.

    The shape is the key of the statements built once (reached(), reach_columns()); the parameters
    bind them for this user.
    """
    reaching = [(a.role, value) for a in user.roles if roles is None or a.role in roles
                if (value := scope_of(a)) is not None]
    return (tuple(role for role, _ in reaching),
            {f"s{i}": value for i, (_, value) in enumerate(reaching) if value is not True})


@cache
def reached(shape: tuple[Role, ...]) -> Select:
    """The ids of the buildings that roles of `shape` over the scopes bound as s<i> reach (see reach()).

    Built once per combination of roles, to be embedded in statements that are built once too.
    """
    return select(Building.id).where(or_(*[reach_condition(role, bindparam(f"s{i}")) for i, role in enumerate(shape)]))


@cache
def reach_columns(shape: tuple[Role, ...]) -> tuple[ColumnElement[bool], ...]:
    """For each role of `shape`, whether a role over the scope bound as s<i> reaches the row's Building.

    A page that loads its building (or a problem joined to it) selects these beside it and hands
    their values to remember_reach().
    """
    return tuple(reach_condition(role, bindparam(f"s{i}")).label(f"r{i}") for i, role in enumerate(shape))


@cache
def _reaching(shape: tuple[Role, ...]) -> Select:
    """One row for a building: for each role of `shape`, whether it reaches the building."""
    return select(*reach_columns(shape)).where(Building.id == bindparam("building_id"))


# session.info key: (user id, assignments, building id) → the roles reaching the building, as read
# with a page's rows in the session's current transaction (remember_reach).
_MEMO = "reach"


def _memo_key(user: User, building_id: int) -> tuple:
    # Keyed by the assignments themselves, so a role given or taken is never answered from memory.
    return (user.id, tuple((a.role, a.household_id, a.building_id, a.community_id, a.street_id) for a in user.roles),
            building_id)


def _hits(shape: tuple[Role, ...], flags) -> frozenset[Role]:
    return frozenset(role for role, hit in zip(shape, flags, strict=False) if hit)


def remember_reach(session: Session, user: User, building_id: int, shape: tuple[Role, ...], flags) -> None:
    """Note which of the user's roles reach the building, as read beside a row of it (reach_columns(shape)).

    For the rest of the session's transaction, or until it writes (a flush may move a building or
    change a role): see forget_reach_on_writes.
    """
    session.info.setdefault(_MEMO, {})[_memo_key(user, building_id)] = _hits(shape, flags)


def roles_reaching(session: Session, user: User, building_id: int, roles: tuple[Role, ...] | None = None) -> frozenset[Role]:
    """The roles among the user's assignments (or those of `roles`) that reach the building.

    What a page read beside the building in this transaction (remember_reach), else one query.
    """
    memo = session.info.get(_MEMO)
    found = memo.get(_memo_key(user, building_id)) if memo else None
    if found is not None:
        return found if roles is None else found & frozenset(roles)
    shape, params = reach(user, roles)
    if not shape:
        return frozenset()
    row = plain_rows(session, _reaching(shape), {**params, "building_id": building_id}).first()
    return _hits(shape, row or ())


def _forget(session: Session, *_args) -> None:
    session.info.pop(_MEMO, None)


def forget_reach_on_writes() -> None:
    """Drop what remember_reach noted when a session writes or its transaction ends (registered once, by auth's init_app)."""
    for name in ("after_flush", "after_transaction_end"):
        if not event.contains(Session, name, _forget):
            event.listen(Session, name, _forget)
