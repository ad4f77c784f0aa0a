"""Who may do what with a convention: the permission matrix, and the CLI/demo that close and load votes."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.permissions import can
from app.clock import utcnow
from app.conventions.models import Convention, ConventionStatus
from app.conventions.services import cast_vote, draft_convention, live_tally
from app.extensions import db

WHO = ["resident0", "spouse", "resident1", "head", "staff", "outsider", "other_head"]


def person(s3, who):
    """The user called `who` in the S3 fixture."""
    return {"resident0": s3.residents[0], "resident1": s3.residents[1]}.get(who) or getattr(s3, who)


@pytest.mark.parametrize(("action", "target", "allowed"), [
    ("convention.manage", "building", {"head", "staff"}),
    ("convention.view", "convention", {"resident0", "spouse", "resident1", "head", "staff"}),
    ("convention.view", "draft", {"head", "staff"}),
    ("convention.comment", "convention", {"resident0", "spouse", "resident1", "head", "staff"}),
    ("convention.vote", "household0", {"resident0", "spouse"}),
    ("convention.record", "household0", {"head", "staff"}),
    ("convention.tally", "convention", {"head", "staff"}),
])
def test_permission_matrix(s3, action, target, allowed):
    draft = draft_convention(db.session, s3.head, s3.building, "草稿", "内容", now=utcnow())
    objects = {"building": s3.building, "convention": s3.convention, "draft": draft, "household0": s3.households[0]}
    for who in WHO:
        assert can(person(s3, who), action, objects[target]) == (who in allowed), (who, action, target)


def test_close_due_cli_closes_once(app, s3):
    for i in range(4):
        cast_vote(db.session, s3.residents[i], s3.households[i], s3.convention, "yes", channel="online", now=utcnow())
    db.session.commit()
    runner = app.test_cli_runner()
    assert "closed 0 vote(s)" in runner.invoke(args=["conventions", "close-due"]).output
    s3.clock.set(s3.closes_at + timedelta(seconds=1))
    assert "closed 1 vote(s)" in runner.invoke(args=["conventions", "close-due"]).output
    assert "closed 0 vote(s)" in runner.invoke(args=["conventions", "close-due"]).output
    db.session.rollback()
    assert db.session.get(Convention, s3.convention.id).status == ConventionStatus.ADOPTED


def test_demo_s3_convention_in_voting(app):
    """`flask demo` puts 24号楼's convention in voting with some votes, once."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    convention = db.session.scalar(select(Convention).where(Convention.title == "24号楼楼门公约"))
    assert convention.status == ConventionStatus.VOTING and live_tally(db.session, convention).voted == 3
    assert runner.invoke(args=["demo"]).exit_code == 0
    titles = db.session.scalars(select(Convention.title).order_by(Convention.title)).all()
    assert titles == ["24号楼楼门公约", "6号楼楼门公约"]  # loaded once each; 6号楼's is for care-mode voting
