"""What POST/GET /api/v1/sync take and answer, as pydantic models for the published document (app/apidocs).

The batch's mutations are documented as a oneOf discriminated by `type`: one variant per offline
command, its payload that command's own schema, so a new offline command appears in the
document as soon as it is registered. The engine itself parses the envelope loosely (one bad item
is `rejected`, never the whole batch): see app/sync/services.py.
"""
from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from app.api import ErrorDetail
from app.sync.registry import mutation_names, mutation_type
from app.sync.services import MAX_BATCH, UUID_PATTERN


@cache
def batch_model() -> type[BaseModel]:
    """The batch of POST /api/v1/sync, with every registered offline command as a mutation type."""
    variants = []
    for name in mutation_names():
        cmd = mutation_type(name)
        variants.append(create_model(
            "Mutation_" + name.replace(".", "_"),
            __doc__=f"A `{name}` mutation: its payload is the command's payload.",
            id=(str, Field(pattern=UUID_PATTERN, description="The mutation's id, chosen by the device (exactly once).")),
            type=(Literal[name], ...),
            payload=(cmd.schema, ...),
            client_time=(datetime | None, Field(default=None, description="When the person did it on the device.")),
        ))
    mutation = Annotated[Union[tuple(variants)], Field(discriminator="type")]  # noqa: UP007 — built at run time
    return create_model(
        "SyncBatch", __doc__="POST /api/v1/sync: a device's outbox, applied in order, each mutation exactly once.",
        client_id=(str, Field(default="", max_length=64)),
        mutations=(list[mutation], Field(max_length=MAX_BATCH)),
    )


class MutationResult(BaseModel):
    """What became of one mutation: applied (with the entity), rejected (with why), or conflict."""

    model_config = ConfigDict(extra="allow")

    id: str
    status: Literal["applied", "rejected", "conflict"]
    entity: Any = None
    error: ErrorDetail | None = None
    retry: bool | None = None
    server_version: dict[str, Any] | None = None


CURSOR = 'Where this answer leaves the device, "<change number>.<scope>"; sent back as `since`.'


class PushOut(BaseModel):
    """One result per mutation, in order, and the cursor after them."""

    results: list[MutationResult]
    cursor: str = Field(description=CURSOR)


class PullQuery(BaseModel):
    """GET /api/v1/sync."""

    since: str = Field(default="0", pattern=r"^[0-9]{1,20}(\.[0-9a-f]{12})?$",
                       description="The cursor of the last pull, as the server gave it (0: everything).")


class PullOut(BaseModel):
    """Rows changed in my scope since the cursor, by kind (tombstones included), and the new cursor."""

    model_config = ConfigDict(extra="allow")

    changes: dict[str, list[dict[str, Any]]]
    cursor: str = Field(description=CURSOR)
    reset: bool = Field(description="True when the cursor was given under another scope (a role given or taken, "
                                    "another household or account): this is the full set; drop what the device held.")
