"""The header's inbox badge: on a page it is read in the statement that loads the signed-in user; a
request that writes counts for itself (app/auth/services.py, read_with_user)."""
import re
from datetime import UTC, datetime

from sqlalchemy import select

from app.auth.services import read_with_user
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


def test_a_page_reads_the_badge_with_the_user(client, login, make_user, make_household):
    resident = make_user(Role.RESIDENT, make_household())
    notify(db.session, [resident], "issue.update", "物业回复了", "明早来修", "/", now=T0)
    notify(db.session, [resident], "issue.update", "街道回复了", "已派单", "/", now=T0)
    db.session.commit()
    login(resident)
    with counted() as statements:
        html = client.get("/").get_data(as_text=True)
    assert badge(html) == "2"
    counting = [s for s in statements if "inbox_item" in s]
    assert len(counting) == 1 and "role_assignment" in counting[0], counting  # the user's own statement


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
    """A figure read as a request starts would be stale once it writes: there it is not read with the user."""
    resident = make_user(Role.RESIDENT, make_household())
    notify(db.session, [resident], "issue.update", "物业回复了", "明早来修", "/", now=T0)
    db.session.commit()
    load_user = app.login_manager._user_callback
    with app.test_request_context("/", method="GET"):
        assert read_with_user.value(load_user(str(resident.id)), "inbox_unread") == 1
    with app.test_request_context("/", method="POST"):
        user = load_user(str(resident.id))
        assert read_with_user.value(user, "inbox_unread") is None
        notify(db.session, [user], "issue.update", "街道回复了", "已派单", "/", now=T0)
        db.session.flush()
        assert unread_count(db.session, user) == 2
