"""The mutation registry: each feature registers the offline writes it accepts.

A mutation is an intent ("visit.add", "issue.report", "vote.cast"), not a row overwrite.
The sync endpoint (app/sync/routes.py) looks the type up here, validates the payload with
the registered pydantic schema, checks nothing itself, and calls the handler inside the
mutation's own transaction. Handlers call the same service functions as the HTML routes;
they raise:

- `Rejected(message)` for a write that can never apply (a readable, translated reason);
- `Conflict(message, server_version)` when the server's state wins (e.g. the household
  already voted) — the device shows both versions to the person (`keep_writes=True` keeps
  what the handler wrote, such as the attempt in a history);
- `werkzeug.exceptions.Forbidden` (via `permissions.require`) when out of scope — the
  sync engine reports it as `rejected` with the standard message.

Pull sources work the same way: each feature registers a function returning what changed
in the user's scope between two change numbers.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.models import User


@dataclass
class MutationContext:
    """Everything a handler may use besides the payload."""

    session: Session
    user: User
    mutation_id: str  # the client's UUID: handlers may use it as the new row's public id
    client_id: str
    client_time: datetime | None
    now: datetime
    attachments: list[Any] = field(default_factory=list)  # uploads sent with this mutation


class Rejected(Exception):
    """The mutation can never apply; `message` tells the person why, in their language."""

    def __init__(self, message: str, code: str = "rejected", fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message, self.code, self.fields = message, code, fields or {}


class Conflict(Exception):
    """The server's state wins; `server_version` is shown beside the device's version.

    With `keep_writes`, what the handler wrote before raising is committed with the answer
    (e.g. the losing attempt kept in a history as not counted); by default it is rolled back.
    """

    def __init__(self, message: str, server_version: dict[str, Any] | None = None, *, keep_writes: bool = False):
        super().__init__(message)
        self.message, self.server_version, self.keep_writes = message, server_version or {}, keep_writes


Handler = Callable[[MutationContext, BaseModel], dict[str, Any] | None]


@dataclass
class BulkWrite:
    """A bulk handler's answer, once it has checked its items: how to write them.

    The engine may ask for it before it takes the write lock (SQLite's is the database's), so a
    bulk handler only reads and checks. Then, in the writing transaction, `start()` takes what
    only a writer may take (e.g. the new rows' ids) and returns the entities of the items, in
    order; the engine records them, takes the run's change number and calls `write(change_seq)`:
    the change counter's lock (held until commit) then covers only the writes that need the number.
    """

    start: Callable[[], list[dict[str, Any] | None]]
    write: Callable[[int], None]


# Checks many mutations of one type at once (reading what it needs, making no change) and
# returns a BulkWrite; raises on anything it cannot apply (the engine then applies the same
# items one by one instead).
BulkHandler = Callable[[MutationContext, list[tuple[str, BaseModel]]], BulkWrite]


class Fallback(Exception):
    """Raised by a bulk handler for items it leaves to the one-by-one path (e.g. with attachments)."""


@dataclass(frozen=True)
class MutationType:
    """A registered mutation: its name, payload schema, handler and optional bulk handler."""

    name: str
    schema: type[BaseModel]
    handler: Handler
    bulk: BulkHandler | None = None


_MUTATIONS: dict[str, MutationType] = {}


def mutation(name: str, schema: type[BaseModel], *, bulk: BulkHandler | None = None) -> Callable[[Handler], Handler]:
    """Register `handler(ctx, payload) -> entity dict` for mutations of type `name`.

    `bulk(ctx, [(mutation_id, payload), …])` may apply a run of them in one statement per table
    (see BulkWrite); it must enforce exactly the rules the handler does (share the service functions).
    """

    def register(handler: Handler) -> Handler:
        existing = _MUTATIONS.get(name)
        if existing is not None and existing.handler is not handler:
            raise ValueError(f"sync mutation {name!r} registered twice")
        _MUTATIONS[name] = MutationType(name, schema, handler, bulk)
        return handler

    return register


def mutation_type(name: str) -> MutationType | None:
    """The registered mutation called `name`, or None."""
    return _MUTATIONS.get(name)


def mutation_names() -> list[str]:
    """All registered mutation types."""
    return sorted(_MUTATIONS)


# A pull source returns the rows of one kind that changed in the user's scope with
# since < change_seq <= until, serialised for the device (tombstones included).
PullSource = Callable[[Session, User, int, int], list[dict[str, Any]]]
_PULL_SOURCES: dict[str, PullSource] = {}


def pull_source(kind: str) -> Callable[[PullSource], PullSource]:
    """Register the function that lists changed rows of `kind` (e.g. "households")."""

    def register(func: PullSource) -> PullSource:
        _PULL_SOURCES[kind] = func
        return func

    return register


def pull_sources() -> dict[str, PullSource]:
    """All registered pull sources by kind."""
    return dict(_PULL_SOURCES)
