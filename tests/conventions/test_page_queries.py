"""The convention list issues a fixed number of SQL queries however many conventions it shows."""
import itertools
from datetime import timedelta

from app.clock import utcnow
from app.conventions.services import cast_vote, close_due_votes, draft_convention, open_vote, sign_up
from app.extensions import db
from app.models import Role
from tests.issues.test_page_queries import queries_for

_numbers = itertools.count(1)


def adopt_conventions(s3, make_building, make_household, make_user, n: int) -> None:
    """n adopted conventions, each in a building of its own with one household signed up."""
    now = utcnow()
    for i in (next(_numbers) for _ in range(n)):
        building = make_building(f"{i}号楼", community=s3.building.community)
        home = make_household(building)
        resident = make_user(Role.RESIDENT, home)
        convention = draft_convention(db.session, s3.staff, building, f"公约{i}", "不高空抛物。", now=now)
        open_vote(db.session, s3.staff, convention, opens_at=now, closes_at=now + timedelta(hours=1), now=now)
        cast_vote(db.session, resident, home, convention, "yes", channel="online", now=now)
        close_due_votes(db.session, now + timedelta(hours=2))
        sign_up(db.session, resident, home, convention, now=now + timedelta(hours=2))
    db.session.commit()


def test_the_list_issues_the_same_queries_for_2_and_8_conventions(client, login, s3, make_building, make_household,
                                                                  make_user):
    adopt_conventions(s3, make_building, make_household, make_user, 2)
    login(s3.staff)
    assert client.get("/conventions/").get_data(as_text=True).count("1 户已承诺") == 2
    few = queries_for(client, "/conventions/")
    adopt_conventions(s3, make_building, make_household, make_user, 6)
    assert client.get("/conventions/").get_data(as_text=True).count("1 户已承诺") == 8
    assert queries_for(client, "/conventions/") == few
