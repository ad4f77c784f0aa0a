"""The building's directory 通讯录: who to call, each a tel: link, kept offline once opened (issue 14 §4)."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register the pages, commands, rules, demo directories, the home and care slots and the staff's home card."""
    from app.directory import commands, demo, models, permissions  # noqa: F401 — models: the table
    from app.directory.routes import bp
    from app.directory.slots import care_call, care_others, home_directories
    from app.home.actions import HomeAction, home_action
    from app.models import Role
    from app.registry import register
    from app.slots import add_to_slot

    app.register_blueprint(bp)
    register(commands, permissions, demo)
    add_to_slot("home.building", "directory/_home.html", context=home_directories)
    add_to_slot("care.home.call", "directory/_care_call.html", context=care_call)
    add_to_slot("care.home.directory", "directory/_care_list.html", context=care_others)
    home_action(HomeAction((Role.STAFF, Role.STREET, Role.ADMIN), _l("Building directories"),
                           _l("The phone list of each building: staff in charge, legal help, hotlines."),
                           "directory.index", 80))
