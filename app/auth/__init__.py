"""Sign-in, sign-out, permissions and scopes (auth)."""


def init_app(app) -> None:
    """Register the sign-in pages and the session API; reach read beside a page's rows is forgotten when the session writes."""
    from app.auth import commands, permissions, queries, sessions
    from app.auth.api import bp as api_bp
    from app.auth.routes import bp
    from app.registry import register

    register(commands, permissions)
    app.after_request(sessions.drop_dead_remember_cookie)
    queries.forget_reach_on_writes()
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)

    @app.template_filter("can")
    def _can(user, action, target=None):
        """{{ current_user|can('issue.resolve', problem) }}: the same rule as the views."""
        return permissions.can(user, action, target)
