"""Login cards 登录卡: a printed QR code signs in residents who cannot manage a password (DESIGN §7)."""
import os

from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register pages, rules, commands, settings, the household page's card links and the home action."""
    from app.home.actions import HomeAction, home_action
    from app.logincards import commands, models, permissions  # noqa: F401 — models: the tables
    from app.logincards.links import household_card_links
    from app.logincards.routes import bp
    from app.models import Role
    from app.registry import register
    from app.slots import add_to_slot

    # A card's phone stays signed in this long; cards are for people who cannot sign in again.
    app.config.setdefault("LOGINCARD_REMEMBER_DAYS", int(os.environ.get("LOGINCARD_REMEMBER_DAYS", "180")))
    # Refused card requests per address (unknown or revoked tokens); good cards are not counted.
    app.config.setdefault("LOGINCARD_RATE_LIMIT", os.environ.get("LOGINCARD_RATE_LIMIT", "20 per 5 minutes"))
    # The public address printed in the QR code (e.g. https://siheyuan.example.cn) when the app
    # runs behind a proxy that does not pass the original host and scheme.
    app.config.setdefault("LOGINCARD_BASE_URL", os.environ.get("LOGINCARD_BASE_URL", ""))

    app.register_blueprint(bp)
    register(commands, permissions)
    # The household page of the visits ledger offers a card for each account the viewer may print for.
    add_to_slot("visits.household.actions", "logincards/_household_links.html", context=household_card_links)
    home_action(HomeAction((Role.BUILDING_HEAD, Role.STAFF), _l("Login cards"),
                           _l("Print a QR card that signs in a resident who cannot manage a password."),
                           "logincards.index", 45))
