"""Two requests for one household at once (a double tap, two family phones): one row, no error."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.conventions.models import Choice, Convention, ConventionSignup, Vote, VoteHistory
from app.conventions.services import cast_vote, close_due_votes, sign_up
from app.extensions import db
from app.models import Household, User

pytestmark = pytest.mark.postgres  # row locks: SQLite has only one writer at a time


def at_once(app, first_write, second_write):
    """Run first_write in one transaction and, while it is uncommitted, second_write in another.

    Returns the second's outcome: its result, or the exception it raised.
    """
    first, second = Session(bind=db.engine.connect()), Session(bind=db.engine.connect())
    outcome = {}
    try:
        first_write(first)

        def run_second():
            with app.app_context():
                try:
                    outcome["result"] = second_write(second)
                    second.commit()
                except Exception as exc:  # reported by the test's assert
                    outcome["error"] = exc

        thread = threading.Thread(target=run_second)
        thread.start()
        thread.join(timeout=1.0)
        first.commit()
        thread.join(timeout=10)
        assert not thread.is_alive()
    finally:
        for session in (first, second):
            session.close()
            session.bind.close()
    return outcome


def _vote(session, user, household, convention, choice):
    return cast_vote(session, session.get(User, user.id), session.get(Household, household.id),
                     session.get(Convention, convention.id), choice, channel="online", now=utcnow())


def test_two_phones_of_one_household_voting_at_once_leave_one_vote(app, s3):
    home = s3.households[0]
    outcome = at_once(app, lambda s: _vote(s, s3.residents[0], home, s3.convention, "yes"),
                      lambda s: _vote(s, s3.spouse, home, s3.convention, "no"))
    assert "error" not in outcome, outcome.get("error")
    db.session.expire_all()
    assert db.session.scalars(select(Vote.choice).where(Vote.household_id == home.id)).all() == [Choice.NO]
    assert db.session.scalar(select(func.count()).select_from(VoteHistory)) == 2


def test_signing_up_twice_at_once_keeps_one_signup(app, s3):
    for i in range(5):
        _vote(db.session, s3.residents[i], s3.households[i], s3.convention, "yes")
    s3.clock.set(s3.closes_at + timedelta(minutes=1))
    close_due_votes(db.session, utcnow())
    db.session.commit()
    home = s3.households[0]

    def sign(session, user):
        return sign_up(session, session.get(User, user.id), session.get(Household, home.id),
                       session.get(Convention, s3.convention.id), now=utcnow())

    outcome = at_once(app, lambda s: sign(s, s3.residents[0]), lambda s: sign(s, s3.spouse))
    assert "error" not in outcome, outcome.get("error")
    assert db.session.scalar(select(func.count()).select_from(ConventionSignup)) == 1
