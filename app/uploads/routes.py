"""PUT /api/v1/uploads/<uuid> to send a file; GET /uploads/<uuid>/<variant> to see it."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request, send_file, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from pydantic import BaseModel
from sqlalchemy import select

from app.api import ApiError, ErrorOut, documented
from app.auth.permissions import require
from app.clock import utcnow
from app.extensions import db, limiter
from app.uploads.models import Attachment
from app.uploads.services import VARIANTS, UploadRejected, canonical_uuid, save_upload, storage_dir

bp = Blueprint("uploads", __name__)


# One allowance per person for every way a file comes in: this route's limit is shared under this scope, and
# the files of a page's form are counted under it too (app/uploads/form_files.py).
UPLOADS = "uploads"


def upload_limit() -> str:
    """The configured number of uploads one person may send in a while (UPLOAD_RATE_LIMIT)."""
    return current_app.config["UPLOAD_RATE_LIMIT"]


def uploader_key() -> str:
    """Count uploads per signed-in person, wherever they come from (a building head's phone changes address)."""
    if current_user.is_authenticated:
        return f"uploader:{current_user.id}"
    return get_remote_address()


class AttachmentOut(BaseModel):
    """A stored file; images also have their thumbnail and display sizes."""

    uuid: str
    kind: str
    content_type: str
    size: int
    url: str
    thumb_url: str | None = None
    display_url: str | None = None


class UploadOut(BaseModel):
    """PUT /api/v1/uploads/<uuid>."""

    attachment: AttachmentOut


def attachment_json(attachment: Attachment) -> dict:
    """An attachment as the client sees it."""
    data = {"uuid": attachment.uuid, "kind": attachment.kind, "content_type": attachment.content_type,
            "size": attachment.size, "url": url_for("uploads.file", uuid=attachment.uuid, variant="original")}
    if attachment.kind == "image":
        data["thumb_url"] = url_for("uploads.file", uuid=attachment.uuid, variant="thumb")
        data["display_url"] = url_for("uploads.file", uuid=attachment.uuid, variant="display")
    return data


@bp.put("/api/v1/uploads/<uuid>")
@documented("Send a photo or voice note (multipart field `file`) under the device's UUID; idempotent.",
            {200: UploadOut, 400: ErrorOut, 409: ErrorOut, 413: ErrorOut}, body="multipart",
            path={"uuid": {"type": "string", "format": "uuid"}}, tag="uploads")
@login_required
@limiter.shared_limit(upload_limit, scope=UPLOADS, key_func=uploader_key)
def put(uuid: str):
    """Store a photo or voice note under the device's UUID (idempotent; stored under its lower-case spelling).

    Decoding a photo is the costliest thing a person can ask of a worker: past the limit the answer
    is 429 with Retry-After, which the outbox (static/js/sync.js) takes as "stop and send it later".
    """
    key = canonical_uuid(uuid)
    if key is None:
        raise ApiError("invalid", _("Wrong format."), 400)
    upload = request.files.get("file")
    if upload is None:
        raise ApiError("invalid", _("No file was sent."), 400, {"file": _("This field is required.")})
    with upload.stream:
        data = upload.read()
    try:
        attachment = save_upload(db.session, owner=current_user._get_current_object(), uuid=key,
                                 filename=upload.filename or "", data=data,
                                 upload_root=current_app.config["UPLOAD_FOLDER"], now=utcnow())
    except UploadRejected as exc:
        db.session.rollback()
        raise ApiError(exc.code, exc.message, 413 if exc.code == "too_large" else 400) from None
    db.session.commit()
    return jsonify(attachment=attachment_json(attachment))


@bp.get("/uploads/<uuid>/<variant>")
@login_required
def file(uuid: str, variant: str):
    """The file, to its owner and to whoever may see what it is attached to."""
    key = canonical_uuid(uuid)
    attachment = key and db.session.scalar(select(Attachment).where(Attachment.uuid == key))
    if attachment is None or variant not in ("original", *VARIANTS):
        abort(404)
    require(current_user, "attachment.view", attachment)
    if attachment.kind != "image" and variant != "original":
        abort(404)
    path = storage_dir(current_app.config["UPLOAD_FOLDER"], attachment) / variant
    mimetype = attachment.content_type if variant == "original" else "image/jpeg"
    response = send_file(path, mimetype=mimetype, max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
