"""Offline sync: the mutation registry, POST/GET /api/v1/sync and the sync status page (sync)."""


def init_app(app) -> None:
    """Register the sync endpoints and page."""
    from app.sync import models  # noqa: F401 — the sync_mutation table
    from app.sync.routes import bp

    app.register_blueprint(bp)
