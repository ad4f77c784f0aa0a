"""Sign-in, sign-out, permissions and scopes (auth)."""


def init_app(app) -> None:
    """Register the sign-in pages and the session API."""
    from app.auth import permissions
    from app.auth.api import bp as api_bp
    from app.auth.routes import bp
    from app.registry import register

    register(permissions)
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)

    @app.template_filter("can")
    def _can(user, action, target=None):
        """{{ current_user|can('issue.resolve', problem) }}: the same rule as the views."""
        return permissions.can(user, action, target)
