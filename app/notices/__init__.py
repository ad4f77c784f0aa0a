"""Notices 通知 that reach every household: inbox, push, read receipts, door-to-door list, blackboard copy."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register pages, API, rules, commands (two also sync mutations), pull sources, home actions and demo data."""
    from app.home.actions import HomeAction, home_action
    from app.models import Role
    from app.notices import commands, demo, models, mutations, permissions  # noqa: F401 — models: the tables
    from app.notices.routes import api, bp
    from app.notifications import inbox_page
    from app.registry import register

    register(commands, permissions, mutations, demo)
    inbox_page("notices.index")  # the header's 消息 (app/notifications)
    app.register_blueprint(bp)
    app.register_blueprint(api)
    permissions.register_viewers()
    everyone = tuple(Role)
    home_action(HomeAction(everyone, _l("Notices"), _l("Messages from the community, read or not."), "notices.index", 5))
    home_action(HomeAction((Role.STAFF, Role.STREET, Role.ADMIN), _l("Send a notice"),
                           _l("To a building, a community or the whole street; see who it reaches."), "notices.new", 6))
    home_action(HomeAction((Role.BUILDING_HEAD, Role.STAFF), _l("Door-to-door list"),
                           _l("Households a notice has not reached yet: knock and tick them off."), "notices.door_index", 7))
