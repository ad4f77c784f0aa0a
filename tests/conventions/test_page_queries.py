"""The convention list issues a fixed number of SQL queries however many conventions it shows."""
import itertools
from datetime import timedelta

from app.clock import utcnow
from app.conventions.services import cast_vote, close_due_votes, draft_convention, open_vote, sign_up
from app.extensions import db
from app.models import Role
from tests.query_count import queries_for

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


def test_the_convention_page_issues_the_same_queries_for_2_and_10_comments(client, login, s3, make_household,
                                                                           make_user):
    from app.conventions.services import add_comment, open_discussion

    convention = draft_convention(db.session, s3.head, s3.building, "养犬公约", "遛狗拴绳。", now=utcnow())
    open_discussion(db.session, s3.head, convention, now=utcnow())

    def comment(n):
        for i in range(n):
            author = make_user(Role.RESIDENT, make_household(s3.building), name=f"评论人{next(_numbers)}")
            add_comment(db.session, author, convention, f"意见{i}", now=utcnow())
        db.session.commit()

    comment(2)
    login(s3.head)
    url = f"/conventions/{convention.id}"
    few = queries_for(client, url)
    comment(8)
    assert client.get(url).get_data(as_text=True).count("评论人") == 10
    assert queries_for(client, url) == few
