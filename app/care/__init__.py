"""Care mode 关怀模式: four big actions for elderly residents.

Report by voice, notices read aloud, vote with three buttons, call the building head. The care
pages read through the problem, notice and convention queries and services and write through their
commands (a care vote is vote.cast); they only change how things are shown.
"""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register the care pages, the care-mode switch command and the home-page card that turns care mode on."""
    from app.care import commands
    from app.care.routes import bp
    from app.home.actions import HomeAction, home_action
    from app.models import Role
    from app.notifications import inbox_page
    from app.registry import register

    app.register_blueprint(bp)
    register(commands)
    inbox_page("care.notices", when=lambda user: user.care_mode)  # 消息 in the care header opens the large inbox
    home_action(HomeAction((Role.RESIDENT,), _l("Care mode"),
                           _l("Big text, big buttons, four things only: report by voice, notices read aloud, "
                              "vote, call the building head."), "care.settings", 90))
