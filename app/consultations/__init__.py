"""Consultations 议事协商 / 微会议室: ask a community or buildings in phases, gather comments, publish the outcome."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register pages, rules, commands, home actions and demo data."""
    from app.consultations import commands, demo, models, permissions  # noqa: F401 — models: the tables
    from app.consultations.routes import bp
    from app.home.actions import HomeAction, home_action
    from app.models import Role
    from app.registry import register
    from app.uploads.services import register_subject_viewer

    app.register_blueprint(bp)
    register(commands, permissions, demo)
    register_subject_viewer("consultation", permissions.can_see_image)
    home_action(HomeAction(tuple(Role), _l("Consultations"),
                           _l("Say what you think before things are built; see what changed because of it."),
                           "consultations.index", 21))
