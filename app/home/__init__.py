"""The home page per role (home)."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register the home page, and its card for my account (app/auth: the password, where I am signed in)."""
    from app.home.actions import HomeAction, home_action
    from app.home.routes import bp
    from app.models import Role

    app.register_blueprint(bp)
    home_action(HomeAction(tuple(Role), _l("My account"),
                           _l("Change your password, see where you are signed in, sign out on all your devices."),
                           "auth.account", 95))
