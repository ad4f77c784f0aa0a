"""The installable shell: manifest, service worker, offline page (pwa)."""


def init_app(app) -> None:
    """Register the manifest, /sw.js and the offline page."""
    from app.pwa.routes import bp

    app.register_blueprint(bp)
