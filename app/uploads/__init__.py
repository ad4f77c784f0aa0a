"""Photos and voice notes: verified, stripped of metadata, stored in instance/uploads (uploads)."""

def init_app(app) -> None:
    """Register the upload endpoints."""
    from app.registry import register
    from app.uploads import models, permissions  # noqa: F401 — models: the attachment table
    from app.uploads.routes import bp

    register(permissions)
    app.register_blueprint(bp)
