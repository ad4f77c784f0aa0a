"""One set of error handlers: JSON for the API and JSON clients, pages for browsers."""
from __future__ import annotations

from flask import Flask, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from app.api import ApiError, json_error
from app.inputs import BadInput


def wants_json() -> bool:
    """API paths, and clients that prefer JSON over HTML, get JSON errors."""
    if request.path.startswith(("/api/", "/open311/")):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("The request could not be understood.")),
        401: ("unauthorized", _("Please sign in.")),
        403: ("forbidden", _("You do not have permission to do this.")),
        404: ("not_found", _("This page does not exist.")),
        405: ("method_not_allowed", _("This action is not allowed here.")),
        413: ("too_large", _("What you sent is too large.")),
        429: ("too_many_requests", _("Too many attempts. Please wait a few minutes and try again.")),
        500: ("server_error", _("Something went wrong on our side. Nothing you entered is lost; please try again.")),
    }


def register_error_handlers(app: Flask) -> None:
    """Attach the handlers to `app`."""

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return json_error(exc.code, exc.message, exc.status, exc.fields)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        message = _("Your session has expired or the form is stale. Please reload the page and try again.")
        if wants_json():
            return json_error("csrf_failed", message, 400)
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        error_code, message = _messages().get(code, ("error", exc.description or ""))
        if code == 413 and exc.description and "limit" in exc.description:
            message = exc.description
        if isinstance(exc, BadInput):  # a message written for the person (app/inputs.py)
            message = exc.description
        if wants_json():
            return json_error(error_code, message, code)
        if code == 401:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return render_template("error.html", code=code, message=message), code

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def unstorable_value(exc: Exception):
        # The last net under app/inputs.py: the database (or SQLite's driver) refused a value
        # the request carried. The same request would fail again, so it is the sender's 400.
        app.logger.warning("a value the database cannot hold: %s", exc)
        from app.extensions import db

        db.session.rollback()
        message = _("Something you sent cannot be stored: a number, date or character out of range.")
        if wants_json():
            return json_error("invalid", message, 400)
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        app.logger.exception("unhandled error")
        from app.extensions import db

        db.session.rollback()
        error_code, message = _messages()[500]
        if wants_json():
            return json_error(error_code, message, 500)
        return render_template("error.html", code=500, message=message), 500
