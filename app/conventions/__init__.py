"""Building conventions 楼门公约: draft, discuss, one vote per household (online and at the door), adopt, sign up."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register pages, rules, the vote.cast mutation and pull source, home actions, CLI and demo data."""
    from app.conventions import demo, models, mutations, permissions  # noqa: F401 — registration on import
    from app.conventions.cli import conventions_cli
    from app.conventions.routes import bp
    from app.home.actions import HomeAction, home_action
    from app.models import Role

    app.register_blueprint(bp)
    app.cli.add_command(conventions_cli)

    from app.conventions.services import in_force, in_force_count
    from app.extensions import db
    from app.issues.queries import read_with_building

    read_with_building.register("conventions_in_force", in_force_count)

    def listed(building):
        # Most buildings have none: then the count read with the building saves the list's query.
        if read_with_building.value(building, "conventions_in_force") == 0:
            return []
        return in_force(db.session, building.id)

    @app.context_processor
    def _in_force():
        # For the building page (templates/conventions/_in_force.html): its conventions in force.
        return {"conventions_in_force": listed}

    home_action(HomeAction((Role.RESIDENT, Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN),
                           _l("Building conventions"),
                           _l("Read, discuss and vote on your building's rules; one vote per household."),
                           "conventions.index", 20))
