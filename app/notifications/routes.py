"""What to notify me about (/notifications) and the unread count for the header's badge (/api/v1/notifications)."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic import BaseModel

from app.api import ErrorOut, documented, run_command
from app.auth.routes import safe_next
from app.extensions import db
from app.notifications import inbox_url
from app.notifications.services import EVENT_KINDS, muting_choices, unread_count
from app.views import perform

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
api = Blueprint("notifications_api", __name__, url_prefix="/api/v1/notifications")


@bp.get("/")
@login_required
def settings():
    """The kinds of message I want; what is off reaches neither my messages nor my phone."""
    return render_template("notifications/settings.html",
                           **muting_choices(db.session, current_user._get_current_object()))


@bp.post("/kinds")
@login_required
def save_kinds():
    """Turn kinds of message off or on (urgent notices cannot be turned off); back to the page it was sent from."""
    wanted = set(request.form.getlist("kind"))
    back = safe_next(request.form.get("next")) or url_for("notifications.settings")
    return perform("notifications.mute", {"muted": [k for k in EVENT_KINDS if k not in wanted]},
                   done=back, success=_("Saved."))


@bp.post("/read-all")
@login_required
def read_all():
    """Mark all my messages read (the inbox's button); back to the page it was sent from."""
    back = safe_next(request.form.get("next")) or inbox_url(current_user) or url_for("home.index")
    return perform("notifications.read_all", {}, done=back, success=_("All messages marked as read."))


class UnreadOut(BaseModel):
    """The header badge's count."""

    unread: int


@api.get("/unread")
@documented("How many inbox items I have not opened.", {200: UnreadOut})
@login_required
def unread():
    """How many inbox items I have not opened (the header badge)."""
    return jsonify(unread=unread_count(db.session, current_user._get_current_object()))


class ReadAllOut(BaseModel):
    """How many items were unread; none are now."""

    marked: int
    unread: int


@api.post("/read-all")
@documented("Mark all my inbox items read (no body).", {200: ReadAllOut, 400: ErrorOut}, command="notifications.read_all")
@login_required
def api_read_all():
    """Mark all my inbox items read; answers how many were unread."""
    return run_command("notifications.read_all", request.get_json(silent=True) or {})
