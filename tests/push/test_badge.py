"""The header's inbox badge: one count per page, and a request that writes counts what it wrote."""
import re
from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Role
from app.push.models import InboxItem
from app.push.services import mark_read, notify, unread_count
from tests.query_count import counted

T0 = datetime(2026, 9, 23, 8, 0, tzinfo=UTC)


def badge(html: str) -> str:
    """The header's unread count, as shown ("" when there is nothing unread: the badge is hidden)."""
    found = re.search(r"data-inbox-unread( hidden)?>(\d+)<", html)
    return "" if found.group(1) else found.group(2)


def test_a_page_counts_the_badge_once(client, login, make_user, make_household):
    resident = make_user(Role.RESIDENT, make_household())
    notify(db.session, [resident], "issue.update", "物业回复了", "明早来修", "/", now=T0)
    notify(db.session, [resident], "issue.update", "街道回复了", "已派单", "/", now=T0)
    db.session.commit()
    login(resident)
    with counted() as statements:
        html = client.get("/").get_data(as_text=True)
    assert badge(html) == "2"
    counting = [s for s in statements if "inbox_item" in s]
    assert len(counting) == 1, counting


def test_the_badge_follows_a_read_on_the_next_page(client, login, make_user, make_household):
    resident = make_user(Role.RESIDENT, make_household())
    notify(db.session, [resident], "issue.update", "物业回复了", "明早来修", "/", now=T0)
    db.session.commit()
    login(resident)
    assert badge(client.get("/").get_data(as_text=True)) == "1"
    item = db.session.scalar(select(InboxItem).where(InboxItem.user_id == resident.id))
    mark_read(db.session, resident, item_id=item.id, now=T0)
    db.session.commit()
    assert badge(client.get("/").get_data(as_text=True)) == ""
    assert client.get("/api/v1/push/unread").get_json() == {"unread": 0}


def test_a_request_that_writes_counts_for_itself(app, make_user, make_household):
    """The count follows what the request itself wrote."""
    resident = make_user(Role.RESIDENT, make_household())
    notify(db.session, [resident], "issue.update", "物业回复了", "明早来修", "/", now=T0)
    db.session.commit()
    load_user = app.login_manager._user_callback
    with app.test_request_context("/", method="POST"):
        user = load_user(str(resident.id))
        assert unread_count(db.session, user) == 1
        notify(db.session, [user], "issue.update", "街道回复了", "已派单", "/", now=T0)
        db.session.flush()
        assert unread_count(db.session, user) == 2
