"""What login cards add to other features' pages (the visits ledger's household page)."""
from __future__ import annotations

from flask_login import current_user

from app.auth.permissions import can
from app.extensions import db
from app.logincards.services import household_accounts
from app.models import Household


def household_card_links(household: Household) -> dict | None:
    """The household's resident accounts the signed-in person may print a login card for (None: none)."""
    if not getattr(current_user, "is_authenticated", False):
        return None
    accounts = [u for u in household_accounts(db.session, household) if can(current_user, "logincard.manage", u)]
    return {"card_accounts": accounts} if accounts else None
