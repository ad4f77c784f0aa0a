"""Who may see an uploaded photo or voice note (uploads)."""
from __future__ import annotations

from app.auth.permissions import rule
from app.models import User
from app.uploads.models import Attachment
from app.uploads.services import can_view


@rule("attachment.view")
def _view_attachment(user: User, attachment: Attachment) -> bool:
    """Its owner, an admin, or whoever may see the record it is attached to (a viewer per subject type)."""
    return can_view(user, attachment)
