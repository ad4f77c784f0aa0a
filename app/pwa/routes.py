"""The installable shell: web app manifest, service worker at /sw.js, offline page."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.pwa.assets import PRECACHE_MODULES, PRECACHE_STATIC, shell_version, static_url

bp = Blueprint("pwa", __name__)


@bp.app_context_processor
def _asset_helpers():
    return {"static_url": static_url}


@bp.after_app_request
def _static_delivery(response):
    """A static URL with its content hash (?v=…) never changes: browsers may keep it a year.

    Without a hash (modules imported by plain path) it must be revalidated, so neither the
    browser's heuristic caching nor the service worker's precache ever keeps an old copy.
    CSS, JS and SVG are read whole here (they are small) so Flask-Compress, which runs after
    this hook and skips streamed bodies, compresses them.
    """
    if request.endpoint == "static" and response.status_code in (200, 304):
        immutable = "v" in request.args
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "no-cache"
        if response.status_code == 200 and response.mimetype in current_app.config.get("COMPRESS_MIMETYPES", ()):
            response.direct_passthrough = False
            response.make_sequence()  # the file is closed when the response is
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    """The web app manifest (Chinese name first; installable in Chromium)."""
    data = {
        "id": "/",
        "name": _("Siheyuan — courtyard in your palm"),
        "short_name": _("Siheyuan"),
        "description": _("Your building's problems, votes, notices and visits, on the record."),
        "lang": "en" if get_locale() is not None and get_locale().language == "en" else "zh-CN",  # the name's language
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#fffaf2",
        "theme_color": "#8c1c13",
        "icons": [
            {"src": static_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static_url("icons/maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    response = jsonify(data)
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/sw.js")
def service_worker():
    """The service worker, served from the root so its scope is the whole site."""
    source = (current_app.static_folder + "/sw.js")
    with open(source, encoding="utf-8") as fh:
        body = fh.read()
    precache = [url_for("pwa.offline")] + [static_url(name) for name in PRECACHE_STATIC]
    precache += [url_for("static", filename=name) for name in PRECACHE_MODULES]
    homes = [url_for("home.index"), url_for("care.home")]
    body = body.replace("__VERSION__", shell_version()).replace("__PRECACHE__", repr(precache).replace("'", '"'))
    body = body.replace("__HOME_PAGES__", json.dumps(homes))
    body = body.replace("__OFFLINE_PAGES__", json.dumps([url_for("sync.status")]))
    response = make_response(body)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/offline")
def offline():
    """Shown by the service worker for a page it has never cached, while offline."""
    return render_template("pwa/offline.html")
