"""Files sent with a page's form (a report's photos, a notice's picture), stored as the API's uploads are.

The JSON API's PUT /api/v1/uploads/<uuid> counts each person's uploads (UPLOAD_RATE_LIMIT, a limit
shared under the scope UPLOADS). A page's form can carry several files at once and reaches the same
decoding, the costliest thing a person can ask of a worker, so its files are counted too, one by one,
on the same counter: a person has one allowance however the files come.
"""
from __future__ import annotations

import uuid

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from limits import parse
from werkzeug.datastructures import FileStorage

from app.clock import utcnow
from app.extensions import db, limiter
from app.uploads.models import Attachment
from app.uploads.routes import UPLOADS, upload_limit, uploader_key
from app.uploads.services import UploadRejected, save_upload


def _allowed() -> bool:
    """Count one more file of the signed-in person's; False once they are past the allowance.

    The counter is the API route's: Flask-Limiter keys a shared limit by (the key, its scope)
    (tests/problems/test_routes.py sends files both ways and fails if they part).
    """
    if not limiter.enabled:
        return True
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""  # Flask-Limiter puts it first when set
    return limiter.limiter.hit(parse(upload_limit()), *([prefix] if prefix else []), uploader_key(), UPLOADS)


def save_form_file(storage: FileStorage) -> Attachment:
    """Store one file of a form as the signed-in person's upload; UploadRejected when it is not accepted."""
    with storage.stream:  # large parts are spooled to temporary files: close them
        if not _allowed():
            raise UploadRejected(_("You have sent many files in a short while. Please wait a minute, then send "
                                   "this one again."), "too_many_requests")
        data = storage.read()
    return save_upload(db.session, owner=current_user._get_current_object(), uuid=str(uuid.uuid4()),
                       filename=storage.filename or "", data=data, upload_root=current_app.config["UPLOAD_FOLDER"],
                       now=utcnow())
