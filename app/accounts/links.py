"""What accounts add to other features' pages: "moved out" on the visits ledger's household page."""
from __future__ import annotations

from flask_login import current_user

from app.accounts.queries import residences
from app.auth.permissions import can
from app.extensions import db
from app.models import Household


def household_move_out_links(household: Household) -> dict | None:
    """The household's residents the signed-in person may mark as moved out (None: none)."""
    if not getattr(current_user, "is_authenticated", False):
        return None
    movable = [a.user for a in residences(db.session, household) if can(current_user, "accounts.move_out", a)]
    return {"movable": movable} if movable else None
