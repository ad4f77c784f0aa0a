"""Photos and voice notes: verified, stripped of metadata, stored in instance/uploads (uploads)."""


def init_app(app) -> None:
    """Register the upload endpoints."""
    from app.uploads import models, permissions  # noqa: F401 — the attachment table, attachment.view
    from app.uploads.routes import bp

    app.register_blueprint(bp)
