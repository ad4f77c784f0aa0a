"""Joining as JSON: a head's decision (/api/v1/joining/requests/<id>/decision), the same command as the page and sync."""
from __future__ import annotations

from flask import Blueprint, request
from flask_login import login_required

from app.api import CommandResult, ErrorOut, documented, run_command

api = Blueprint("joining_api", __name__, url_prefix="/api/v1/joining")


@api.post("/requests/<int:request_id>/decision")
@documented("A building head approves or declines a request to join.", {200: CommandResult, 400: ErrorOut,
            403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, command="join.decide")
@login_required
def decision(request_id: int):
    """Approve or decline: {"approve": true} or {"approve": false, "reason": "…"}.

    409 with the server's version when someone decided first.
    """
    return run_command("join.decide", request.get_json(silent=True), request_id=request_id)
