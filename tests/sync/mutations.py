"""Test-only offline commands ("test.note", "test.clash", "test.crash") and batch helpers.

The engine tests use "test.note" (append a line to Household.notes) rather than a feature's
command, so they prove the engine on its own. Importing this module registers them (test code:
the app's features register theirs in init_app); the browser tests' live server runs in the same
process, so they exist there too.
"""
import contextlib
import threading
import uuid

from flask_babel import gettext as _
from pydantic import BaseModel, Field

from app.auth.permissions import require
from app.commands import Conflict, Context, Refused, command
from app.models import Household
from app.registry import register
from app.uploads.services import link_attachments


class NoteIn(BaseModel):
    """Payload of "test.note"."""

    household_id: int
    text: str = Field(min_length=1, max_length=200)
    attachments: list[str] = Field(default_factory=list, max_length=5)


# Hooks the tests set: a barrier every "test.note" handler waits at (two writers racing), and
# texts whose first application kills the request half-way (a server dying mid-batch).
HOOKS: dict = {"barrier": None, "die_once": set()}


class ServerDied(BaseException):
    """Not an Exception: escapes the engine like a killed worker, so the batch never answers."""


@command("test.note", NoteIn, offline=True)
def note(ctx: Context, data: NoteIn) -> dict:
    """Append a line to a household's notes (stands in for a feature's mutation)."""
    barrier: threading.Barrier | None = HOOKS["barrier"]
    if barrier is not None:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)  # on SQLite the other may already hold the write lock
    if data.text in HOOKS["die_once"]:
        HOOKS["die_once"].discard(data.text)
        raise ServerDied(data.text)
    household = ctx.session.get(Household, data.household_id)
    if household is None:
        raise Refused(_("Some fields are not valid."), "invalid", {"household_id": "no such household"})
    require(ctx.user, "household.manage", household)
    household.notes = (household.notes + "\n" if household.notes else "") + data.text
    link_attachments(ctx.session, ctx.attachments, "test_household", household.id)
    ctx.session.flush()
    return {"household_id": household.id, "text": data.text, "attachments": [a.uuid for a in ctx.attachments]}


class ClashIn(BaseModel):
    """Payload of "test.clash"."""

    household_id: int


@command("test.clash", ClashIn, offline=True)
def clash(ctx: Context, data: ClashIn) -> dict:
    """Always loses to the server's version."""
    household = ctx.session.get(Household, data.household_id)
    raise Conflict("The server already has a different note.", {"notes": household.notes if household else ""})


@command("test.crash", ClashIn, offline=True)
def crash(ctx: Context, data: ClashIn) -> dict:
    """An unexpected bug in a handler."""
    raise RuntimeError("handler bug")


register(note, clash, crash)


def new_id() -> str:
    """A fresh mutation UUID."""
    return str(uuid.uuid4())


def note_item(household_id: int, text: str, **payload) -> dict:
    """A "test.note" mutation as a device sends it."""
    return {"id": new_id(), "type": "test.note", "client_time": "2026-09-23T07:40:00+08:00",
            "payload": {"household_id": household_id, "text": text, **payload}}
