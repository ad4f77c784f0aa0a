"""Photos and voice notes: verified, stripped of metadata, stored in instance/uploads (uploads)."""
import os

# Uploads one person may send (Flask-Limiter string), overridable from the environment: a building
# head's outbox sends a morning of visit photos at once, 30 a minute, and the rest 30 s later.
UPLOAD_RATE_LIMIT = "30 per minute"


def init_app(app) -> None:
    """Register the upload endpoints."""
    from app.registry import register
    from app.uploads import models, permissions  # noqa: F401 — models: the attachment table
    from app.uploads.routes import bp

    app.config.setdefault("UPLOAD_RATE_LIMIT", os.environ.get("UPLOAD_RATE_LIMIT", UPLOAD_RATE_LIMIT))
    register(permissions)
    app.register_blueprint(bp)
