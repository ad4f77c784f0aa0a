"""The SMS page for staff (/sms/): what is wrong with the configuration, the opt-outs, the usage per month."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import scope
from app.auth.permissions import can
from app.extensions import db
from app.sms import queries
from app.sms.config import all_problems, configured
from app.sms.providers import make_provider
from app.views import perform

bp = Blueprint("sms", __name__, url_prefix="/sms")


@bp.get("/")
@login_required
def index():
    """Configuration problems, opted-out numbers and the usage per month of the staff's communities."""
    user = current_user._get_current_object()
    if not can(user, "sms.manage"):
        abort(403)
    config = current_app.config
    return render_template("sms/index.html", on=configured(config), problems=all_problems(config, make_provider),
                           opt_outs=queries.opt_outs(db.session),
                           usage=queries.usage(db.session, list(db.session.scalars(scope.community_ids(user)))))


@bp.post("/opt-outs")
@login_required
def add_opt_out():
    """Record a number's opt-out (it replied T, or asked in person)."""
    return perform("sms.opt_out", {"phone": request.form.get("phone", "")}, done=url_for("sms.index"),
                   success=_("The number gets no more SMS or calls."))


@bp.post("/opt-outs/remove")
@login_required
def remove_opt_out():
    """Take a number off the opt-out list."""
    return perform("sms.opt_in", {"phone": request.form.get("phone", "")}, done=url_for("sms.index"),
                   success=_("The number may get SMS and calls again."))


@bp.post("/receive")
@login_required
def receive():
    """A person's own switch: SMS and calls about notices to my phone (on /notifications/)."""
    return perform("sms.receive", {"receive": request.form.get("receive") == "1"},
                   done=url_for("notifications.settings"), success=_("Saved."))


@bp.post("/events")
@login_required
def save_events():
    """A person's choice of events also by SMS (on /push/)."""
    return perform("sms.events", {"kinds": request.form.getlist("kind")}, done=url_for("push.settings"),
                   success=_("Saved."))


def events_choice() -> dict | None:
    """For /push/: the events I may also get by SMS, when SMS and its event template are configured."""
    from app.notifications.services import KIND_LABELS
    from app.sms.services import EVENT_KINDS, event_choices

    if not configured(current_app.config) or not current_app.config.get("SMS_TEMPLATE_EVENT"):
        return None
    if not current_user.is_authenticated:
        return None
    return {"sms_kinds": [(k, KIND_LABELS[k]) for k in EVENT_KINDS],
            "sms_chosen": event_choices(db.session, current_user._get_current_object())}


def receive_choice() -> dict | None:
    """For the notifications settings page: whether my phone gets SMS (only when SMS is configured)."""
    from app.sms.services import is_opted_out

    if not configured(current_app.config) or not current_user.is_authenticated:
        return None
    return {"sms_receive": not is_opted_out(db.session, current_user._get_current_object())}
