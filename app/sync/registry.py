"""The sync side of commands: which commands a device's outbox may send, and the pull sources.

A mutation is an intent ("visit.add", "issue.report", "vote.cast"), not a row overwrite: its
type is the name of a command registered with `offline=True` (app/commands.py). The sync
engine (app/sync/services.py) checks the payload with the command's schema and runs it inside
the mutation's own transaction, or a run of them through the command's `apply_many`, mapping
Refused to `rejected`, Conflict to `conflict` and a permission refusal (Forbidden) to
`rejected` with the standard message (apply_mutation, the one place).

Pull sources work the same way: each feature registers a function returning what changed
in the user's scope between two change numbers.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from app.commands import Command, get_command
from app.models import User
from app.registry import registers


def mutation_type(name: str) -> Command | None:
    """The command a device may send as mutation type `name`, or None."""
    found = get_command(name)
    return found if found is not None and found.offline else None


def mutation_names() -> list[str]:
    """All mutation types a device may send."""
    from app.commands import commands

    return sorted(name for name, found in commands().items() if found.offline)


# A pull source returns the rows of one kind that changed in the user's scope with
# since < change_seq <= until, serialised for the device (tombstones included).
PullSource = Callable[[Session, User, int, int], list[dict[str, Any]]]
_PULL_SOURCES: dict[str, PullSource] = {}


def pull_source(kind: str) -> Callable[[PullSource], PullSource]:
    """Mark the function that lists changed rows of `kind` (e.g. "households"); its feature's init_app registers it."""

    def add(func: PullSource) -> None:
        _PULL_SOURCES[kind] = func

    return registers(add)


def pull_sources() -> dict[str, PullSource]:
    """All registered pull sources by kind."""
    return dict(_PULL_SOURCES)
