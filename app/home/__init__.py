"""The home page per role (home)."""


def init_app(app) -> None:
    """Register the home page."""
    from app.home.routes import bp

    app.register_blueprint(bp)
