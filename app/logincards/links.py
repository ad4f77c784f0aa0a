"""Template helper for other features' pages (the visits ledger's household page)."""
from __future__ import annotations

from flask_login import current_user

from app.auth.permissions import can
from app.extensions import db
from app.logincards.services import household_accounts
from app.models import Household, User


def household_card_links(household: Household) -> list[User]:
    """The household's resident accounts the signed-in person may print a login card for."""
    if not getattr(current_user, "is_authenticated", False):
        return []
    return [u for u in household_accounts(db.session, household) if can(current_user, "logincard.manage", u)]
