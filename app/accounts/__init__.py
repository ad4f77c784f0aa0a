"""Accounts and roles 居民与账户: who creates whom, appointing building heads, switching accounts off, moving out."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register the pages, rules, commands, the household page's "moved out" links and the home card."""
    from app.accounts import commands, models, permissions  # noqa: F401 — models: the tables
    from app.accounts.cli import accounts_cli
    from app.accounts.links import household_move_out_links
    from app.accounts.routes import bp
    from app.home.actions import HomeAction, home_action
    from app.models import Role
    from app.registry import register
    from app.slots import add_to_slot

    app.register_blueprint(bp)
    app.cli.add_command(accounts_cli)
    register(commands, permissions)
    add_to_slot("visits.household.actions", "accounts/_household_links.html", context=household_move_out_links,
                order=60)
    home_action(HomeAction((Role.STAFF, Role.STREET, Role.ADMIN), _l("People and accounts"),
                           _l("Find anyone in your area by name or phone; create accounts, appoint building heads, "
                              "switch accounts off."), "accounts.index", 15))
