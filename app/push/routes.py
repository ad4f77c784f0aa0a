"""Receiving notices on this device: the settings page and the subscription API (/push, /api/v1/push)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from pydantic import BaseModel, Field

from app.api import ApiError, validate
from app.clock import utcnow
from app.extensions import db
from app.push import vapid
from app.push.services import (
    EVENT_KINDS,
    SubscriptionError,
    muted_kinds,
    set_muted,
    subscribe,
    subscriptions_of,
    unread_count,
    unsubscribe,
)

bp = Blueprint("push", __name__, url_prefix="/push")
api = Blueprint("push_api", __name__, url_prefix="/api/v1/push")

KIND_LABELS = {
    "notice": _l("Normal notices (urgent ones always come)"),
    "issue.update": _l("Updates on problems I reported"),
    "issue.deadline": _l("Deadline reminders for problems I handle"),
    "issue.dispatch": _l("New dispatches to my department"),
    "vote": _l("Votes opening and closing"),
}


def allow_local_http() -> bool:
    """Tests and local demos may use a push service on http://127.0.0.1."""
    return bool(current_app.testing or current_app.config.get("PUSH_ALLOW_LOCAL_HTTP"))


class KeysIn(BaseModel):
    """The subscription's keys as PushSubscription.toJSON() gives them."""

    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)


class SubscriptionIn(BaseModel):
    """A browser's PushSubscription.toJSON(), plus a label for the device."""

    endpoint: str = Field(min_length=1, max_length=1000)
    keys: KeysIn
    device_label: str = Field(default="", max_length=200)


class EndpointIn(BaseModel):
    """Which subscription to forget."""

    endpoint: str = Field(min_length=1, max_length=1000)


@bp.get("/")
@login_required
def settings():
    """The "receive notices on this device" switch, my devices, and the kinds I want pushed."""
    user = current_user._get_current_object()
    return render_template("push/settings.html", devices=subscriptions_of(db.session, user),
                           muted=muted_kinds(db.session, user), kinds=EVENT_KINDS, kind_labels=KIND_LABELS,
                           public_key=vapid.public_key(current_app.instance_path))


@bp.post("/kinds")
@login_required
def save_kinds():
    """Turn kinds of push off or on (urgent notices cannot be turned off)."""
    wanted = set(request.form.getlist("kind"))
    set_muted(db.session, current_user._get_current_object(), set(EVENT_KINDS) - wanted)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("push.settings"))


@api.get("/key")
def public_key():
    """The VAPID public key browsers subscribe with (applicationServerKey)."""
    return jsonify(public_key=vapid.public_key(current_app.instance_path))


@api.post("/subscriptions")
@login_required
def add_subscription():
    """Store this device's push subscription for the signed-in user."""
    data = validate(SubscriptionIn, request.get_json(silent=True))
    label = data.device_label or (request.user_agent.string or "")[:200]
    try:
        sub = subscribe(db.session, current_user._get_current_object(), data.endpoint, data.keys.p256dh, data.keys.auth,
                        label, now=utcnow(), allow_local_http=allow_local_http())
    except SubscriptionError as exc:
        db.session.rollback()
        raise ApiError("invalid_subscription", str(exc), 400) from None
    db.session.commit()
    return jsonify(id=sub.id, endpoint=sub.endpoint), 201


@api.delete("/subscriptions")
@login_required
def remove_subscription():
    """Forget this device's subscription (the switch turned off)."""
    data = validate(EndpointIn, request.get_json(silent=True))
    removed = unsubscribe(db.session, current_user._get_current_object(), data.endpoint)
    db.session.commit()
    return jsonify(removed=removed)


@api.get("/unread")
@login_required
def unread():
    """How many inbox items I have not opened (the header badge)."""
    return jsonify(unread=unread_count(db.session, current_user._get_current_object()))
