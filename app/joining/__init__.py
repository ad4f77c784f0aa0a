"""Joining 实名入群: residents join by scanning their building's poster; heads approve; 忘记密码 (DESIGN §8)."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register pages, API, rules, commands (join.decide also a sync mutation), the home card and the sign-in link."""
    from app.home.actions import HomeAction, home_action
    from app.joining import commands, demo, models, permissions, review  # noqa: F401 — models: tables; review: its routes
    from app.joining.api import api
    from app.joining.queries import waiting_count
    from app.joining.routes import bp
    from app.models import Role
    from app.registry import register
    from app.slots import add_to_slot

    # Its settings (the four rate limits, JOINING_BASE_URL) are in app/config.py.
    register(commands, permissions, demo)
    app.register_blueprint(bp)
    app.register_blueprint(api)
    add_to_slot("auth.login.after", "joining/_forgot_link.html")
    home_action(HomeAction((Role.BUILDING_HEAD, Role.STAFF), _l("Approve neighbours who join"),
                           _l("Real-name join requests from your building's poster, and forgotten passwords."),
                           "joining.index", 4, count=waiting_count))
