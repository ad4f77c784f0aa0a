"""Files sent with a page's form (a report's photos, a notice's picture), stored as the API's uploads are.

The JSON API's PUT /api/v1/uploads/<uuid> counts each person's uploads (UPLOAD_RATE_LIMIT, on the
route). A page's form can carry several files at once and reaches the same decoding, the costliest
thing a person can ask of a worker, so its files are counted too: one by one, per person, against
the same configured allowance (a counter of their own beside the API's).
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
from app.uploads.routes import upload_limit, uploader_key
from app.uploads.services import UploadRejected, save_upload


def _allowed() -> bool:
    """Count one more file of the signed-in person's; False once they are past the allowance."""
    if not limiter.enabled:
        return True
    return limiter.limiter.hit(parse(upload_limit()), "form-file", uploader_key())


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
