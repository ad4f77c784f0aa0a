"""The open problems devices keep (sync's pull source); their offline writes are the commands (app/problems/commands.py)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import scope
from app.models import User
from app.problems.models import OPEN_STATUSES, Problem
from app.problems.schemas import problem_json
from app.sync.registry import pull_source


@pull_source("problems")
def changed_problems(session: Session, user: User, since: int, until: int) -> list[dict]:
    """Open problems (and ones that just closed) in the buildings I can see."""
    rows = session.scalars(select(Problem).where(
        Problem.change_seq > since, Problem.change_seq <= until, Problem.building_id.in_(scope.building_ids(user)))
        .order_by(Problem.id))
    return [problem_json(p) | {"deleted": p.is_deleted or p.status not in OPEN_STATUSES} for p in rows]
