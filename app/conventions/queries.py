"""Convention reads for the convention pages, the commands and other features' pages (care mode, the building feed)."""
from __future__ import annotations

from sqlalchemy.orm import Session, selectinload

from app.conventions.models import Convention, ConventionComment
from app.conventions.services import in_force
from app.extensions import db
from app.models import Building


def find_convention(session: Session, convention_id: int, *, with_comments: bool = False) -> Convention | None:
    """The convention, or None when there is none (or it was deleted)."""
    # The page lists every comment with its author: load them with it, not one query per comment.
    options = [selectinload(Convention.comments).selectinload(ConventionComment.author)] if with_comments else []
    convention = session.get(Convention, convention_id, options=options)
    return None if convention is None or convention.is_deleted else convention


def in_force_on_building_page(building: Building) -> dict | None:
    """What the building feed's top slot shows: the conventions in force, or None when there are none."""
    adopted = in_force(db.session, building.id)
    return {"adopted": adopted} if adopted else None
