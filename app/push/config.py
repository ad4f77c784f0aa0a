"""What the app's configuration says about Web Push."""
from __future__ import annotations

from flask import current_app


def allow_local_http() -> bool:
    """Tests and local demos may use a push service on http://127.0.0.1 (PUSH_ALLOW_LOCAL_HTTP)."""
    return bool(current_app.testing or current_app.config.get("PUSH_ALLOW_LOCAL_HTTP"))
