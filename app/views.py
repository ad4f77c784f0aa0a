"""Pages run commands through here: one place that commits, flashes and redirects.

A view maps its form to a payload and calls `perform()` (a step that redirects whatever happens)
or `attempt()` (a form that is shown again with the refusal on its fields). Both roll back and
say why on a refusal or conflict, and commit once on success (app/commands.py).
"""
from __future__ import annotations

import uuid as uuidlib
from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response

from app.clock import utcnow
from app.commands import Conflict, Context, Refused, execute
from app.extensions import db
from app.uploads.form_files import save_form_file
from app.uploads.services import UploadRejected, own_attachments


def command_context(*, client_id: str = "web", uuid: str | None = None, attachments: list[str] | None = None,
                    **extra: Any) -> Context:
    """The context of a command run for the signed-in person in this request.

    `uuid` is the public id the client chose (checked as a UUID; a fresh one otherwise) and
    `attachments` the uuids of the person's own uploads that go with it.
    """
    if uuid:
        try:
            uuid = str(uuidlib.UUID(str(uuid)))
        except ValueError:
            from flask_babel import gettext as _

            raise Refused(_("Some fields are not valid."), "invalid", fields={"uuid": _("Wrong format.")}) from None
    user = current_user._get_current_object()
    return Context(session=db.session, user=user, now=utcnow(), uuid=uuid or str(uuidlib.uuid4()), client_id=client_id,
                   attachments=own_attachments(db.session, user, attachments), **extra)


def _context(ctx: Context | Callable[[], Context] | None) -> Context:
    """The context given, built by the function given, or the signed-in person's."""
    if ctx is None:
        return command_context()
    return ctx() if callable(ctx) else ctx


def form_uploads(*fields: FileField) -> list[str]:
    """Store the files sent in these file fields as the signed-in person's uploads; their uuids.

    For `command_context(attachments=…)`: the command gets them as the JSON API's and sync's
    uploads. A file that is not accepted is refused on its field (UploadRejected).
    """
    uuids = []
    for field in fields:
        if not (field.data and getattr(field.data, "filename", "")):
            continue
        try:
            upload = save_form_file(field.data)
        except UploadRejected as exc:
            exc.fields.setdefault(field.name, exc.message)
            raise
        uuids.append(upload.uuid)
    return uuids


def _end(exc: Refused | Conflict) -> None:
    """Roll back what a refused command wrote (a conflict may keep it); a missing record is a 404."""
    if isinstance(exc, Conflict) and exc.keep_writes:
        db.session.commit()
    else:
        db.session.rollback()
    if isinstance(exc, Refused) and exc.code == "not_found":
        abort(404)


def perform(name: str, payload: Any, *, done: str | Callable[[Any], str | Response],
            success: str | Callable[[Any], str | None] | None = None, back: str | None = None,
            ctx: Context | Callable[[], Context] | None = None, category: str = "success") -> Response:
    """Run command `name` for the signed-in person, commit, flash `success` and redirect to `done`.

    On a refusal or conflict: roll back, flash why and redirect to `back` (default `done`, when it
    is a URL). `done` and `success` may be functions of the command's result; `done` may give a page
    to show instead of a URL (e.g. a printed login card, which must not be reloaded). `ctx` may be a
    function that builds the context: what it refuses (e.g. an upload) is answered as the command's.
    """
    try:
        result = execute(name, _context(ctx), payload)
    except (Refused, Conflict) as exc:
        _end(exc)
        flash(exc.message, "error")
        return redirect(back or (done if isinstance(done, str) else "/"))
    db.session.commit()
    message = success(result) if callable(success) else success
    if message:
        flash(message, category)
    target = done(result) if callable(done) else done
    return target if isinstance(target, Response) else redirect(target)


def form_refused(form: FlaskForm, back: str) -> Response:
    """A form whose own checks failed, on a step that redirects whatever happens: say why, go `back`."""
    flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
    return redirect(back)


def attempt(name: str, payload: Any, form: FlaskForm, *, ctx: Context | Callable[[], Context] | None = None,
            message_on: str | None = None) -> Any | None:
    """Run command `name` and commit; on a refusal put its message on the form's fields and return None.

    A message about a field the form does not have goes on `form.form_errors` (shown above it). With
    `message_on`, the refusal's own message goes on that field, whichever fields it names (a form that
    says why in one place). `ctx` may be a function making the context, e.g. one that stores the
    form's files first (form_uploads): a refusal of a file is then shown on its field like any other.
    """
    try:
        result = execute(name, _context(ctx), payload)
    except (Refused, Conflict) as exc:
        _end(exc)
        fields = {message_on: exc.message} if message_on else getattr(exc, "fields", None) or {}
        placed = False
        for name_, message in fields.items():
            field = getattr(form, name_.split(".")[0], None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, message]
                placed = True
        if not placed:
            form.form_errors.append(exc.message)
        return None
    db.session.commit()
    return result
