"""Building conventions 楼门公约: draft, discuss, one vote per household (online and at the door), adopt, sign up."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register pages, rules, commands (vote.cast works offline), pull sources, the building page's list, CLI, demo data."""
    from app.conventions import commands, demo, models, mutations, permissions  # noqa: F401 — models: the tables
    from app.conventions.cli import conventions_cli
    from app.conventions.models import SIGNATURE
    from app.conventions.queries import in_force_on_building_page
    from app.conventions.routes import bp
    from app.home.actions import HomeAction, home_action
    from app.models import Role
    from app.registry import register
    from app.slots import add_to_slot
    from app.uploads.services import register_subject_viewer

    app.register_blueprint(bp)
    app.cli.add_command(conventions_cli)
    register(commands, permissions, mutations, demo)
    # A signature drawn at the door is seen by whoever sees the convention's tally.
    register_subject_viewer(SIGNATURE, permissions.may_see_signature)
    # The building's page (the problem feed) lists the conventions in force at its top.
    add_to_slot("problems.feed.top", "conventions/_in_force.html", context=in_force_on_building_page)

    home_action(HomeAction((Role.RESIDENT, Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN),
                           _l("Building conventions"),
                           _l("Read, discuss and vote on your building's rules; one vote per household."),
                           "conventions.index", 20))
