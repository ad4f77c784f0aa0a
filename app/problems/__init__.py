"""The problem loop 诉求闭环: report, respond within 12 hours, escalate, dispatch, resolve, confirm.

One word in code: problems (the model Problem, the pull source "problems"); its URLs (/issues), its
commands and permission actions (issue.*) and its CLI group (issues) keep their public spelling.
"""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register pages, rules, the loop's commands (offline too), home actions, demo data and the close-stale command."""
    from app.home.actions import HomeAction, home_action
    from app.models import Role
    from app.problems import cli, commands, demo, models, mutations, permissions, services  # noqa: F401 — models: the tables
    from app.problems.api import bp as api_bp
    from app.problems.routes import bp
    from app.registry import register
    from app.uploads.services import register_subject_viewer

    register(commands, permissions, mutations, demo)
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    app.cli.add_command(cli.problems_cli)
    register_subject_viewer("problem", permissions.can_view_problem_photos)
    register_subject_viewer(services.STEP_FILES, permissions.can_view_step_photos)
    home_action(HomeAction((Role.RESIDENT, Role.BUILDING_HEAD, Role.STAFF), _l("Report a problem"),
                           _l("A photo, a few words or a voice note; answered within 12 hours."), "problems.new", 1))
    home_action(HomeAction((Role.RESIDENT,), _l("My building's problems"),
                           _l("What neighbours reported and who is handling it."), "problems.index", 2))
    home_action(HomeAction((Role.BUILDING_HEAD, Role.STAFF, Role.STREET, Role.ADMIN), _l("Problem queue"),
                           _l("Overdue first, then by deadline; respond, escalate, dispatch."), "problems.queue", 3))
    home_action(HomeAction((Role.DEPARTMENT,), _l("Work orders"),
                           _l("Problems dispatched to you: accept, then mark your part done."), "problems.orders", 4))
