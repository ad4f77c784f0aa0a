"""The JSON API's published contract: GET /api/v1/openapi.json (OpenAPI 3.1) and the page /api/v1/docs.

Nothing here is written by hand: the document is built from the `@documented(...)` declaration each
JSON route carries (app/api.py) and the pydantic schemas its command or view validates with
(app/apidocs/spec.py). A route under /api/ without a declaration stops the build, so the document
cannot fall behind the code. docs/api.md says how to read it and how it is fuzzed.
"""


def init_app(app) -> None:
    """Register the document and its page."""
    from app.apidocs.routes import bp

    app.register_blueprint(bp)
