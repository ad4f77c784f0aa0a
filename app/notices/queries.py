"""Notice reads shared by the notice pages and care mode's large-print notice page."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.auth.permissions import require
from app.extensions import db
from app.notices.models import Notice
from app.uploads.models import Attachment


def get_notice(notice_id: int, action: str = "notice.view") -> Notice:
    """The notice, if it exists and the user may `action` it (404 / 403 otherwise)."""
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.is_deleted:
        abort(404)
    require(current_user, action, notice)
    return notice


def notice_image(notice: Notice) -> Attachment | None:
    """The picture attached to the notice, if any."""
    return db.session.get(Attachment, notice.image_upload_id) if notice.image_upload_id else None

