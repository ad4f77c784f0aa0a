"""Consultations 议事协商 / 微会议室: ask a community or buildings in phases, gather comments, publish the outcome."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register pages, rules, commands, home actions and demo data."""
    from app.commands import register_commands
    from app.consultations import commands, demo, models, permissions  # noqa: F401 — rules etc. on import
    from app.consultations.routes import bp
    from app.home.actions import HomeAction, home_action
    from app.models import Role

    app.register_blueprint(bp)
    register_commands(commands)
    home_action(HomeAction(tuple(Role), _l("Consultations"),
                           _l("Say what you think before things are built; see what changed because of it."),
                           "consultations.index", 21))
