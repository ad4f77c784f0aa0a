"""Use cases as commands: one function per thing a person does, one way in.

A command takes a Context (session, user, now, …) and a payload checked by its pydantic schema,
checks permission once with `can()`/`require()`, calls the services and returns the result as
devices see it (a JSON-ready dict). Its page (app/views.py), its JSON endpoint (app/api.py) and,
for what works offline, its sync mutation (app/sync) all call it through `execute()`, so a rule
cannot differ between them.

Commands flush, never commit: the caller commits once. They raise the two domain errors below,
which each caller maps once: to a form error or flash, to the API's error shape, to a sync result.
A refusal of permission stays werkzeug's Forbidden (from `require`), mapped the same three ways.

A feature writes its commands in `app/<feature>/commands.py` with `@command(...)` and registers
them in its `init_app` with `app.registry.register(module)`; nothing is registered on import.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from blinker import signal
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from app.models import User


class Refused(Exception):
    """The command cannot apply as asked; `message` tells the person why, in their language.

    `code` names the reason for machines ("refused", "invalid", "not_found", "closed", …: see
    STATUS_OF in app/api.py); `fields` maps a payload field to its own message, and `field` is
    the shorthand for a refusal about one field.
    """

    def __init__(self, message: str, code: str = "refused", fields: dict[str, str] | None = None, *,
                 field: str | None = None):
        super().__init__(message)
        self.message, self.code = message, code
        self.fields = dict(fields or {})
        if field:
            self.fields.setdefault(field, message)


class Conflict(Exception):
    """The server's state wins; `server_version` is shown beside what the person sent.

    With `keep_writes`, what the command wrote before raising is committed with the answer (e.g.
    the losing attempt kept in a history as not counted); by default it is rolled back.
    """

    def __init__(self, message: str, server_version: dict[str, Any] | None = None, *, keep_writes: bool = False):
        super().__init__(message)
        self.message, self.server_version, self.keep_writes = message, server_version or {}, keep_writes


def get_or_refuse(session: Session, model: type, ident: Any, message: str) -> Any:
    """The row of `model` with this id, or Refused(message, "not_found") when there is none (or a tombstone)."""
    row = session.get(model, ident)
    if row is None or getattr(row, "is_deleted", False):
        raise Refused(message, "not_found")
    return row


@dataclass
class Context:
    """Everything a command may use besides its payload."""

    session: Session
    user: User
    now: datetime
    uuid: str | None = None  # the public id the client chose for what this creates (a sync mutation's id)
    client_time: datetime | None = None  # when the person did it on their device, if it was offline
    client_id: str = "web"  # "web" (a page), "api" or the device's id (sync)
    attachments: list[Any] = field(default_factory=list)  # uploads sent with it, checked as the sender's own


@dataclass(frozen=True)
class BulkWrite:
    """What a command's `apply_many` answers once it has checked a run of payloads: how to write them.

    The sync engine may ask for it before it takes the write lock (SQLite's is the database's), so
    `apply_many` only reads and checks. Then, in the writing transaction, `start()` takes what only a
    writer may take (e.g. the new rows' ids) and returns each item's result, in order; the engine
    records them, takes the run's change number and calls `write(change_seq)`.
    """

    start: Callable[[], list[dict[str, Any] | None]]
    write: Callable[[int], None]


class Fallback(Exception):
    """Raised by `apply_many` for a run it leaves to the command one item at a time."""


Run = Callable[[Context, Any], Any]
# Checks many payloads of one command at once (reads only) and says how to write them; raises
# Fallback (or anything) to have the engine apply the same items one by one instead.
ApplyMany = Callable[[Context, list[tuple[str, Any]]], BulkWrite]


@dataclass(frozen=True)
class Command:
    """One use case: its name (also its sync mutation type), payload schema and function."""

    name: str
    schema: type[BaseModel]
    run: Run
    offline: bool = False  # also accepted as a sync mutation from a device's outbox
    apply_many: ApplyMany | None = None

    def __call__(self, ctx: Context, data: Any) -> Any:
        """Run the command on an already checked payload (tests and other commands call it so)."""
        return self.run(ctx, data)


def command(name: str, schema: type[BaseModel], *, offline: bool = False,
            apply_many: ApplyMany | None = None) -> Callable[[Run], Command]:
    """Make `run(ctx, payload)` the command `name` (registered by the feature's init_app: app.registry)."""

    def make(run: Run) -> Command:
        return Command(name, schema, run, offline, apply_many)

    return make


_COMMANDS: dict[str, Command] = {}

# Sent with the command's name each time one runs: tests use it to see every way in reaches one.
command_reached = signal("command-reached")


def add_command(cmd: Command) -> None:
    """Register one command (app.registry.register finds them in a feature's modules); idempotent."""
    existing = _COMMANDS.get(cmd.name)
    if existing is not None and existing.run is not cmd.run:
        raise ValueError(f"command {cmd.name!r} registered twice")
    _COMMANDS[cmd.name] = cmd


def get_command(name: str) -> Command | None:
    """The registered command called `name`, or None."""
    return _COMMANDS.get(name)


def commands() -> dict[str, Command]:
    """Every registered command by name."""
    return dict(_COMMANDS)


def check(cmd: Command, payload: Any) -> BaseModel:
    """`payload` checked by the command's schema, or Refused("invalid") with a message per field."""
    from flask_babel import gettext as _

    from app.api import field_messages
    from app.inputs import unstorable_fields

    if isinstance(payload, cmd.schema):
        return payload
    if not isinstance(payload, dict):
        raise Refused(_("The request body must be a JSON object."), "invalid")
    try:
        checked = cmd.schema.model_validate(payload)
    except ValidationError as exc:
        raise Refused(_("Some fields are not valid."), "invalid", fields=field_messages(exc)) from None
    # Numbers, dates and text the database cannot hold, whatever the schema's own types say (app/inputs.py).
    unstorable = unstorable_fields(checked)
    if unstorable:
        raise Refused(_("Some fields are not valid."), "invalid", fields=unstorable)
    return checked


def receive(cmd: Command, payload: Any) -> BaseModel:
    """The command is reached with `payload`: announced (command_reached), then checked by its schema."""
    command_reached.send(cmd.name)
    return check(cmd, payload)


def execute(name: str | Command, ctx: Context, payload: Any) -> Any:
    """Check `payload` and run the command for `ctx`; raises Refused, Conflict or Forbidden."""
    cmd = name if isinstance(name, Command) else _COMMANDS.get(name)
    if cmd is None:
        raise LookupError(f"no command {name!r}")
    return cmd.run(ctx, receive(cmd, payload))
