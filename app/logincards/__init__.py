"""Login cards 登录卡: a printed QR code signs in residents who cannot manage a password (DESIGN §7)."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register pages, rules, commands, the household page's card links and the home action."""
    from app.home.actions import HomeAction, home_action
    from app.logincards import commands, models, permissions  # noqa: F401 — models: the tables
    from app.logincards.links import household_card_links
    from app.logincards.routes import bp
    from app.models import Role
    from app.registry import register
    from app.slots import add_to_slot

    # Its settings (LOGINCARD_REMEMBER_DAYS, LOGINCARD_RATE_LIMIT, LOGINCARD_BASE_URL) are in app/config.py.
    app.register_blueprint(bp)
    register(commands, permissions)
    # The household page of the visits ledger offers a card for each account the viewer may print for.
    add_to_slot("visits.household.actions", "logincards/_household_links.html", context=household_card_links)
    home_action(HomeAction((Role.BUILDING_HEAD, Role.STAFF), _l("Login cards"),
                           _l("Print a QR card that signs in a resident who cannot manage a password."),
                           "logincards.index", 45))
