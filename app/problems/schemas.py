"""Problems on the wire: the commands' payloads, validated by pydantic, and a problem as devices see it."""
from __future__ import annotations

from pydantic import BaseModel, Field

from app.problems.models import Category, Problem, Source


def problem_json(problem: Problem) -> dict:
    """A problem as devices see it (the reporter as a household, never a phone)."""
    return {
        "id": problem.id, "uuid": problem.uuid, "building_id": problem.building_id, "reporter": problem.reporter_label,
        "category": problem.category.value, "text": problem.text, "location": problem.location,
        "source": problem.source.value, "status": problem.status.value, "level": problem.level,
        "reported_at": problem.reported_at.isoformat(), "feedback_due_at": problem.feedback_due_at.isoformat(),
        "first_response_at": problem.first_response_at.isoformat() if problem.first_response_at else None,
        "deleted": problem.is_deleted,
    }


class ReportIn(BaseModel):
    """Payload of `issue.report` (no `household_id`: for myself, my own household in that building)."""

    building_id: int
    household_id: int | None = None
    category: Category
    text: str = Field(default="", max_length=2000)
    location: str = Field(default="", max_length=100)
    source: Source = Source.APP
    hotline_order_no: str = Field(default="", max_length=40)
    attachments: list[str] = Field(default_factory=list, max_length=7)  # up to 6 photos and a voice note


class CommentIn(BaseModel):
    """Payload of `issue.comment`: a comment, or a public update / internal note from a responder."""

    problem_id: int
    text: str = Field(min_length=1, max_length=2000)
    internal: bool = False
    attachments: list[str] = Field(default_factory=list, max_length=6)


class ConfirmIn(BaseModel):
    """Payload of `issue.confirm`."""

    problem_id: int
    rating: int = Field(ge=1, le=5)
    thanks: bool = False
    text: str = Field(default="", max_length=500)


class EscalateIn(BaseModel):
    """Payload of `issue.escalate`."""

    problem_id: int
    reason: str = Field(min_length=1, max_length=500)


class ResolveIn(BaseModel):
    """Payload of `issue.resolve`."""

    problem_id: int
    text: str = Field(min_length=1, max_length=2000)


class ReopenIn(BaseModel):
    """Payload of `issue.reopen`."""

    problem_id: int
    reason: str = Field(min_length=1, max_length=500)


class DispatchIn(BaseModel):
    """Payload of `issue.dispatch`: one or more departments at once."""

    problem_id: int
    department_ids: list[int] = Field(min_length=1, max_length=20)
    note: str = Field(default="", max_length=500)


class WorkIn(BaseModel):
    """Payload of `issue.accept`, `issue.progress` and `issue.done` (a department's work order)."""

    order_id: int
    text: str = Field(default="", max_length=2000)
    attachments: list[str] = Field(default_factory=list, max_length=6)


class AssignIn(BaseModel):
    """Payload of `issue.assign`: one or more problems (the queue's bulk action) to a named colleague."""

    problem_ids: list[int] = Field(min_length=1, max_length=50)
    assignee_id: int


class MarkReadIn(BaseModel):
    """Payload of `issue.mark_read`: my inbox items about these problems are read."""

    problem_ids: list[int] = Field(min_length=1, max_length=50)


class RecategoriseIn(BaseModel):
    """Payload of `issue.recategorise`."""

    problem_id: int
    category: Category


class MergeIn(BaseModel):
    """Payload of `issue.merge`: the duplicate (`problem_id`) goes into the problem that stays (`into`)."""

    problem_id: int
    into: int
