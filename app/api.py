"""The JSON API's shared pieces: one error shape and schema validation with pydantic.

Errors always look like {"error": {"code", "message", "fields"}} with the message in the
user's language, whichever feature raised them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import jsonify
from flask_babel import gettext as _
from pydantic import BaseModel, RootModel, ValidationError

M = TypeVar("M", bound=BaseModel)
V = TypeVar("V", bound=Callable[..., Any])


class ApiError(Exception):
    """An error answered as JSON; raise it from API views and sync handlers."""

    def __init__(self, code: str, message: str, status: int = 400, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.code, self.message, self.status, self.fields = code, message, status, fields or {}

    def to_dict(self) -> dict[str, Any]:
        """The error body, as sent to clients."""
        return {"code": self.code, "message": self.message, "fields": self.fields}


def json_error(code: str, message: str, status: int, fields: dict[str, str] | None = None, **extra):
    """A Flask response in the API's one error shape (`extra` beside it, e.g. the server's version)."""
    return jsonify(error={"code": code, "message": message, "fields": fields or {}}, **extra), status


# The HTTP status of a refusal, by its code (app.commands.Refused); anything else is a 400.
STATUS_OF = {"not_found": 404, "forbidden": 403, "closed": 409, "duplicate_id": 409, "conflict": 409}


def field_messages(exc: ValidationError) -> dict[str, str]:
    """Turn pydantic errors into one readable, translated message per field."""
    messages: dict[str, str] = {}
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"]) or "_"
        kind = err["type"]
        ctx = err.get("ctx") or {}
        if kind == "missing":
            text = _("This field is required.")
        elif kind in ("string_too_long", "too_long"):
            text = _("Too long: at most %(n)s characters.", n=ctx.get("max_length", "?"))
        elif kind in ("string_too_short", "too_short"):
            text = _("This field is required.") if ctx.get("min_length") == 1 else _(
                "Too short: at least %(n)s characters.", n=ctx.get("min_length", "?")
            )
        elif kind == "string_pattern_mismatch":
            text = _("Wrong format.")
        elif kind in ("literal_error", "enum"):
            text = _("Not one of the allowed choices.")
        elif kind.startswith(("int_", "float_", "bool_", "datetime_", "date_", "uuid_", "string_type")):
            text = _("Wrong type of value.")
        elif kind == "value_error":
            text = str(ctx.get("error", _("Invalid value.")))
        else:
            text = _("Invalid value.")
        messages.setdefault(name, text)
    return messages


def validate(model: type[M], payload: Any) -> M:
    """Parse `payload` with a pydantic model, or raise ApiError 400 with per-field messages."""
    if not isinstance(payload, dict):
        raise ApiError("invalid", _("The request body must be a JSON object."))
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise ApiError("invalid", _("Some fields are not valid."), 400, field_messages(exc)) from None


def run_command(name: str, body: Any, *, status: int = 200, **fields: Any):
    """Run command `name` for the signed-in person on a JSON body (plus `fields` from the URL); one commit.

    Answers the command's result as JSON, or the one error shape: a refusal with its status
    (STATUS_OF), a conflict as 409 with the server's version, a permission refusal as 403 (the
    error handlers). An optional "uuid" in the body is the public id of what it creates.
    """
    from app.commands import Conflict, Refused, execute
    from app.extensions import db
    from app.views import command_context

    if not isinstance(body, dict):
        raise ApiError("invalid", _("The request body must be a JSON object."))
    body = {**body, **fields}
    uuids = body.get("attachments")
    if not (isinstance(uuids, list) and all(isinstance(u, str) for u in uuids)):
        uuids = None  # not a list of uuids: the command's schema says so, field by field
    try:
        ctx = command_context(client_id="api", uuid=body.get("uuid"), attachments=uuids)
        result = execute(name, ctx, {key: value for key, value in body.items() if key != "uuid"})
    except Refused as exc:
        db.session.rollback()
        raise ApiError(exc.code, exc.message, STATUS_OF.get(exc.code, 400), exc.fields) from None
    except Conflict as exc:
        if exc.keep_writes:
            db.session.commit()
        else:
            db.session.rollback()
        return json_error("conflict", exc.message, 409, server_version=exc.server_version)
    db.session.commit()
    return jsonify(result), status


# -- The published contract (GET /api/v1/openapi.json, built by app/apidocs from what is declared here) --

class ErrorDetail(BaseModel):
    """The error itself: a code for machines, a message for the person, a message per field."""

    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(BaseModel):
    """Every JSON error; a conflict (409) also carries the server's version of what was sent."""

    error: ErrorDetail
    server_version: dict[str, Any] | None = None


class CommandResult(RootModel[dict[str, Any]]):
    """What the command answers: the thing it made or changed, as devices see it."""


@dataclass(frozen=True)
class Operation:
    """What one JSON route takes and answers, declared beside it with `@documented(...)`.

    `body` is a pydantic model, a callable giving one (resolved when the document is built, after
    every feature has registered), or "multipart" (a file); `command` names the command whose
    payload is the body (a callable of the URL's arguments when one rule serves several). The
    fields the URL gives a command (`problem_id`…) are not asked again in the body.
    `responses` maps a status to a model (None: no body). 401 is added for routes that need a
    signed-in person and 400 (CSRF) for writes.
    """

    summary: str
    responses: dict[int, Any]
    body: Any = None
    command: str | Callable[[dict[str, str]], str] | None = None
    query: type[BaseModel] | None = None
    path: dict[str, dict[str, Any]] = field(default_factory=dict)
    signed_in: bool = True
    media_type: str = "application/json"
    tag: str = ""


def documented(summary: str, responses: dict[int, Any], **details: Any) -> Callable[[V], V]:
    """Declare a JSON route's request, answers and errors (Operation); put it right under the route decorator."""

    def mark(view: V) -> V:
        view.openapi = Operation(summary, responses, **details)  # type: ignore[attr-defined]
        return view

    return mark
