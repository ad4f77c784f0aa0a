"""What the desk's tests share: problems reported for the world of tests/problems/conftest.py, and the queue page read."""
import re
import uuid
from datetime import UTC, datetime

from app.extensions import db
from app.problems import services
from app.problems.models import Category, Source

T0 = datetime(2026, 9, 22, 23, 33, tzinfo=UTC)


def report(world, text, *, at=T0, household=None, hotline="", building=None):
    """A problem reported at `at` (a hotline order when `hotline` is its number)."""
    source = Source.HOTLINE if hotline else Source.APP
    who = world.staff if hotline else world.resident
    problem = services.report_problem(
        db.session, who, building or world.household.building, category=Category.REPAIRS, text=text, now=at,
        uuid=str(uuid.uuid4()), household=household, source=source, hotline_order_no=hotline)
    db.session.commit()
    return problem


def tier_counts(html: str) -> tuple[int, int, int]:
    """The queue's summary line: overdue, escalated to us, open in all."""
    line = re.search(r'<ul class="tier-counts".*?</ul>', html, re.S).group(0)
    return tuple(int(n) for n in re.findall(r"<strong>(\d+)</strong>", line))


def desk_table(html: str) -> str:
    """The queue's table (the desk's view of the page)."""
    return re.search(r'<table class="queue-table">.*?</table>', html, re.S).group(0)
