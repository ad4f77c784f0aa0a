"""POST /api/v1/sync (push the outbox) and GET /api/v1/sync (pull changes); the /sync page."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic_core import to_json
from werkzeug.exceptions import RequestEntityTooLarge

from app.api import ApiError, ErrorOut, documented, validate
from app.clock import utcnow
from app.database import reads_first
from app.extensions import db
from app.sync.contract import PullOut, PullQuery, PushOut, batch_model
from app.sync.services import MAX_BATCH, BatchIn, cursor_for, pull_answer, push_batch

bp = Blueprint("sync", __name__)


@bp.before_request
def _read_before_writing():
    """The push reads (who is signing in, which ids were already sent) before it takes SQLite's write lock."""
    if request.endpoint == "sync.push":
        reads_first()

MAX_BATCH_BYTES = 2 * 1024 * 1024


def _too_large() -> ApiError:
    return ApiError("too_large", _("A batch may be at most %(n)s MB; send fewer items at a time.",
                                   n=MAX_BATCH_BYTES // (1024 * 1024)), 413)


@bp.post("/api/v1/sync")
@documented("Send the outbox: a batch of mutations, one result each, in order.", {200: PushOut, 400: ErrorOut,
            413: ErrorOut}, body=batch_model, tag="sync")
@login_required
def push():
    """Apply a batch of mutations; one result per mutation, in order."""
    if (request.content_length or 0) > MAX_BATCH_BYTES:
        raise _too_large()
    request.max_content_length = MAX_BATCH_BYTES  # also bounds a body sent without Content-Length
    try:
        body = request.get_json(silent=True)
    except RequestEntityTooLarge:
        raise _too_large() from None
    if isinstance(body, dict) and isinstance(body.get("mutations"), list) and len(body["mutations"]) > MAX_BATCH:
        raise ApiError("too_large", _("A batch may hold at most %(n)s items; send fewer at a time.", n=MAX_BATCH), 413)
    batch = validate(BatchIn, body)
    user = current_user._get_current_object()
    results, cursor = push_batch(db.session, user, batch.mutations, client_id=batch.client_id, now=utcnow())
    # pydantic-core's encoder: the answer is ~300 bytes per mutation, and jsonify's (sorted keys)
    # cost more than 5 µs each (bench/sync.py).
    return current_app.response_class(to_json({"results": results, "cursor": cursor_for(cursor, user)}),
                                      mimetype="application/json")


@bp.get("/api/v1/sync")
@documented("Pull the rows changed in my scope since a cursor.", {200: PullOut, 400: ErrorOut}, query=PullQuery,
            tag="sync")
@login_required
def pull():
    """Rows changed in my scope since the cursor (tombstones included), and the new cursor.

    `reset: true` when the cursor was issued under another scope (a role given or taken, another
    household, another account): the answer is then the full set, and the device drops what it held.
    """
    try:
        answer = pull_answer(db.session, current_user._get_current_object(), request.args.get("since"))
    except ValueError:
        raise ApiError("invalid", _("This is not a cursor the server gave out: pull from 0."), 400) from None
    return jsonify(answer)


@bp.get("/sync")
@login_required
def status():
    """What this device still has to send, and what the server refused (filled in by sync-page.js)."""
    return render_template("sync/status.html", max_batch=MAX_BATCH, debug=current_app.debug)
