"""Receiving notices on this device: the settings page and the subscription API (/push, /api/v1/push)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user, login_required
from pydantic import BaseModel

from app.api import CommandResult, ErrorOut, documented, run_command
from app.extensions import db
from app.notifications.services import muting_choices
from app.push import vapid
from app.push.services import subscriptions_of

bp = Blueprint("push", __name__, url_prefix="/push")
api = Blueprint("push_api", __name__, url_prefix="/api/v1/push")


class PublicKeyOut(BaseModel):
    """The VAPID public key, base64url."""

    public_key: str


@bp.get("/")
@login_required
def settings():
    """The "receive notices on this device" switch, my devices, and the kinds I want (app/notifications)."""
    user = current_user._get_current_object()
    return render_template("push/settings.html", devices=subscriptions_of(db.session, user),
                           public_key=vapid.public_key(current_app.instance_path), **muting_choices(db.session, user))


@api.get("/key")
@documented("The VAPID public key browsers subscribe with.", {200: PublicKeyOut}, signed_in=False)
def public_key():
    """The VAPID public key browsers subscribe with (applicationServerKey)."""
    return jsonify(public_key=vapid.public_key(current_app.instance_path))


@api.post("/subscriptions")
@documented("Store this device's push subscription for me.", {201: CommandResult, 400: ErrorOut, 403: ErrorOut,
            409: ErrorOut}, command="push.subscribe")
@login_required
def add_subscription():
    """Store this device's push subscription for the signed-in user (command push.subscribe)."""
    body = request.get_json(silent=True)
    if isinstance(body, dict) and body.get("device_label", "") == "":
        # No label sent: the browser's own name for itself tells the person which phone it is.
        body = {**body, "device_label": (request.user_agent.string or "")[:200]}
    return run_command("push.subscribe", body, status=201)


@api.delete("/subscriptions")
@documented("Forget this device's subscription.", {200: CommandResult, 400: ErrorOut, 403: ErrorOut},
            command="push.unsubscribe")
@login_required
def remove_subscription():
    """Forget this device's subscription: the switch turned off (command push.unsubscribe)."""
    return run_command("push.unsubscribe", request.get_json(silent=True))
