"""Door-to-door visits 走访 and the household ledger 台账 (visits)."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register pages, rules, commands (a visit also as a sync mutation), pull sources, home actions and demo data."""
    from app.home.actions import HomeAction, home_action
    from app.models import Role
    from app.registry import register
    from app.visits import commands, demo, models, mutations, permissions  # noqa: F401 — models: the tables
    from app.visits.routes import bp

    register(commands, permissions, mutations, demo)
    app.register_blueprint(bp)
    permissions.register_viewers()
    managers = (Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN)
    home_action(HomeAction(managers, _l("Record a visit"), _l("Door to door, even without signal."), "visits.new", 10))
    home_action(HomeAction(managers, _l("Households and coverage"),
                           _l("The ledger of your buildings, who has not been visited, follow-ups due."), "visits.index", 11))
    home_action(HomeAction(managers, _l("Follow-ups due"), _l("Households you promised to visit again."),
                           "visits.follow_ups", 12))
    home_action(HomeAction((Role.STAFF, Role.STREET, Role.ADMIN), _l("Import a ledger"),
                           _l("From the CSV or Excel sheet you already keep."), "visits.import_ledger", 13))
