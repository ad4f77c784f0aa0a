"""GET /api/v1/openapi.json (the document) and GET /api/v1/docs (the same, as a page for integrators)."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, render_template

from app.api import documented
from app.apidocs.spec import build

bp = Blueprint("apidocs", __name__, url_prefix="/api/v1")


def document() -> dict:
    """The document, built once per process (routes and schemas do not change while it runs)."""
    cached = current_app.extensions.get("openapi")
    if cached is None:
        cached = current_app.extensions["openapi"] = build(current_app)
    return cached


@bp.get("/openapi.json")
@documented("The OpenAPI 3.1 document of this API (what you are reading).", {200: "application/json"},
            signed_in=False, tag="docs")
def openapi():
    """The document, as JSON."""
    return jsonify(document())


@bp.get("/docs")
@documented("This document as a page for people: every operation, its parameters and schemas.", {200: "text/html"},
            signed_in=False, tag="docs")
def page():
    """Every operation with its parameters, body and answers, and every schema, on one page."""
    doc = document()
    operations = [(path, method.upper(), item) for path, methods in doc["paths"].items()
                  for method, item in methods.items()]

    def pretty(schema) -> str:
        return json.dumps(schema, ensure_ascii=False, indent=2)

    return render_template("apidocs/index.html", doc=doc, operations=operations, pretty=pretty)
