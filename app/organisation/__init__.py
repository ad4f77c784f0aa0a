"""Setting up the organisation 组织设置: streets, communities, buildings and rooms, departments, the workbook import."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register the pages, commands, permission rules and the home cards."""
    from app.home.actions import HomeAction, home_action
    from app.models import Role
    from app.organisation import building_routes, commands, import_routes, permissions  # noqa: F401 — their views
    from app.organisation.routes import bp
    from app.registry import register

    register(commands, permissions)
    app.register_blueprint(bp)
    home_action(HomeAction((Role.ADMIN, Role.STREET), _l("Organisation set-up"),
                           _l("Streets, communities, buildings and rooms, departments; or import them all from one workbook."),
                           "organisation.index", 5))
    home_action(HomeAction((Role.STAFF,), _l("Buildings and rooms"),
                           _l("Your community's buildings, their addresses, property companies and rooms."),
                           "organisation.index", 60))
