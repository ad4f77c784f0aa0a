"""What the building head's device downloads for door-to-door votes offline (vote.cast is in commands.py)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import scope
from app.conventions.models import Convention, ConventionStatus, Vote
from app.conventions.services import live_tally, vote_json
from app.models import Household, User
from app.sync.registry import pull_source


@pull_source("conventions")
def open_votes(session: Session, user: User, since: int, until: int) -> list[dict]:
    """Open votes in the buildings I manage, with their households and who has not voted yet."""
    rows = session.scalars(select(Convention).where(
        Convention.building_id.in_(scope.managed_building_ids(user)), Convention.change_seq > since,
        Convention.change_seq <= until).order_by(Convention.id))
    out = []
    for c in rows:
        item = {"id": c.id, "building_id": c.building_id, "title": c.title, "status": c.status.value,
                "closes_at": c.vote_closes_at.isoformat() if c.vote_closes_at else None,
                "url": f"/conventions/{c.id}", "deleted": c.is_deleted}
        if c.status == ConventionStatus.VOTING:
            tally = live_tally(session, c)
            households = session.scalars(select(Household).where(Household.building_id == c.building_id,
                                                                 Household.is_deleted.is_(False)).order_by(Household.id))
            item["households"] = [{"id": h.id, "label": h.label, "members": h.member_names} for h in households]
            item["not_voted"] = tally.not_voted
        out.append(item)
    return out


@pull_source("convention_votes")
def changed_votes(session: Session, user: User, since: int, until: int) -> list[dict]:
    """Current votes of the households in the buildings I manage (the door list stays right offline)."""
    rows = session.scalars(select(Vote).join(Household, Household.id == Vote.household_id).where(
        Vote.change_seq > since, Vote.change_seq <= until,
        Household.building_id.in_(scope.managed_building_ids(user))).order_by(Vote.id))
    return [{**vote_json(v), "deleted": v.is_deleted} for v in rows]
