"""The building page a page at a time: the newest activity first, every problem reachable through
"older problems", none shown twice, whatever the ties in time."""
import re
import uuid
from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.problems import services
from app.problems.models import Category
from app.problems.queries import FEED_PAGE
from tests.query_count import statements_for

T0 = datetime(2026, 9, 22, 23, 33, tzinfo=UTC)


def report(world, n: int, *, at=lambda i: T0 + timedelta(minutes=i)) -> list[int]:
    """n problems of the building, the i-th last active at `at(i)`; their ids."""
    ids = []
    for i in range(n):
        problem = services.report_problem(db.session, world.resident, world.household.building,
                                          category=Category.REPAIRS, text=f"第{i}件事", household=world.household,
                                          now=at(i), uuid=str(uuid.uuid4()))
        db.session.flush()
        ids.append(problem.id)
    db.session.commit()
    return ids


def walk(client, url: str) -> list[list[str]]:
    """Follow "older problems" from `url` to the end; the problem texts on each page, in order."""
    pages = []
    while url:
        html = client.get(url).get_data(as_text=True)
        pages.append(re.findall(r"(第\d+件事)", html))
        link = re.search(r'<a class="button" href="([^"]+)" rel="next">更早的问题</a>', html)
        url = link.group(1).replace("&amp;", "&") if link else None
    return pages


def test_older_problems_are_a_link_away_and_none_is_shown_twice(client, login, world):
    total = 2 * FEED_PAGE + 5
    report(world, total)
    login(world.resident)
    pages = walk(client, f"/issues/building/{world.household.building_id}")
    assert [len(p) for p in pages] == [FEED_PAGE, FEED_PAGE, 5]
    assert [text for page in pages for text in page] == [f"第{i}件事" for i in reversed(range(total))]


def test_problems_active_at_the_same_moment_are_split_across_pages_by_id(client, login, world):
    report(world, FEED_PAGE + 3, at=lambda i: T0)  # e.g. a batch entered from the 12345 hotline
    login(world.resident)
    pages = walk(client, f"/issues/building/{world.household.building_id}")
    assert [len(p) for p in pages] == [FEED_PAGE, 3]
    shown = [text for page in pages for text in page]
    assert sorted(shown) == sorted(f"第{i}件事" for i in range(FEED_PAGE + 3)) and len(set(shown)) == len(shown)


def test_a_full_last_page_offers_no_empty_one(client, login, world):
    report(world, FEED_PAGE)
    login(world.resident)
    html = client.get(f"/issues/building/{world.household.building_id}").get_data(as_text=True)
    assert "更早的问题" not in html and len(re.findall(r"第\d+件事", html)) == FEED_PAGE


def test_an_older_page_costs_what_the_first_does(client, login, world):
    """An older page sends the feed's own statements, as many as the first page; only the first adds
    what other features show at its top (slot problems.feed.top: the conventions in force)."""
    report(world, FEED_PAGE + 5)
    login(world.resident)
    first = f"/issues/building/{world.household.building_id}"
    html = client.get(first).get_data(as_text=True)
    older = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")

    def own(statements: list[str]) -> int:
        return len([s for s in statements if "convention" not in s])

    (first_fresh, first_kept), (older_fresh, older_kept) = statements_for(client, first), statements_for(client, older)
    assert (own(older_fresh), own(older_kept)) == (own(first_fresh), own(first_kept))
    assert len(older_fresh) <= len(first_fresh) and len(older_kept) <= len(first_kept)
    assert own(first_kept) < len(first_kept)  # the slot's statements were told apart


def test_a_link_the_app_never_made_is_refused_in_words(client, login, world):
    report(world, 3)
    login(world.resident)
    for bad in ("abc", "1-", "-1-2", "9" * 17 + "-1", "9" * 30 + "-1"):
        response = client.get(f"/issues/building/{world.household.building_id}?before={bad}")
        assert response.status_code == 400, bad
        assert "无法识别这个请求" in response.get_data(as_text=True)
    # the furthest a link can point (the year 2286): every problem is older than that
    far = client.get(f"/issues/building/{world.household.building_id}?before={'9' * 16}-1").get_data(as_text=True)
    assert len(re.findall(r"第\d+件事", far)) == 3


def test_an_outsider_gets_no_page_of_the_feed(client, login, world, make_user, make_household):
    from app.models import Role

    report(world, FEED_PAGE + 1)
    stranger = make_user(Role.RESIDENT, world.other_household)
    login(stranger)
    response = client.get(f"/issues/building/{world.household.building_id}?before=1-1")
    assert response.status_code == 403 and "第" not in response.get_data(as_text=True)
