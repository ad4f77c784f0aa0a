"""The header's inbox badge: a part of the slot "header.badges" (app/notifications), counted in the
statement that reads the signed-in person (app/auth/services.py) on a page, which writes nothing, and
counted afresh in a request that may have written (unread_count), so it is right on every page."""
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import Role
from app.notifications.models import InboxItem
from app.notifications.services import mark_read, notify, unread_count
from tests.query_count import counted

T0 = datetime(2026, 9, 23, 8, 0, tzinfo=UTC)
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def badge(html: str) -> str:
    """The header's unread count, as shown ("" when there is nothing unread: the badge is hidden)."""
    found = re.search(r"data-inbox-unread( hidden)?>(\d+)<", html)
    return "" if found.group(1) else found.group(2)


def test_a_page_counts_the_badge_with_the_signed_in_person(client, login, make_user, make_household):
    resident = make_user(Role.RESIDENT, make_household())
    notify(db.session, [resident], "issue.update", "物业回复了", "明早来修", "/", now=T0)
    notify(db.session, [resident], "issue.update", "街道回复了", "已派单", "/", now=T0)
    other = make_user(Role.RESIDENT, make_household())
    notify(db.session, [other], "issue.update", "别人的消息", "不算我的", "/", now=T0)
    db.session.commit()
    login(resident)
    with counted() as statements:
        html = client.get("/").get_data(as_text=True)
    assert badge(html) == "2"
    counting = [s for s in statements if "inbox_item" in s]
    assert len(counting) == 1 and "role_assignment" in counting[0], counting  # no statement of its own


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
    assert client.get("/api/v1/notifications/unread").get_json() == {"unread": 0}


def test_a_request_that_writes_counts_for_itself(app, make_user, make_household):
    """What the request itself wrote is in the count."""
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


def test_signed_out_pages_have_no_badge(client):
    assert "data-inbox-unread" not in client.get("/auth/login").get_data(as_text=True)


def test_the_header_names_a_slot_not_a_feature():
    """base.html shows whatever fills "header.badges"; nothing there is included if it happens to exist."""
    base = (TEMPLATES / "base.html").read_text()
    assert '{{ slot("header.badges") }}' in base
    assert "inbox" not in base
    for path in TEMPLATES.rglob("*.html"):
        assert "ignore missing" not in path.read_text() and " is defined" not in path.read_text(), path


def test_messages_open_the_inbox_and_in_care_mode_the_large_one(client, login, make_user, make_household):
    """The badge's link names the inbox a feature registered (app/notices; app/care for care mode)."""
    resident = make_user(Role.RESIDENT, make_household())
    login(resident)
    link = r'<a class="inbox-link" href="([^"]+)"'
    assert re.search(link, client.get("/").get_data(as_text=True)).group(1) == "/notices/"
    resident.care_mode = True
    db.session.commit()
    assert re.search(link, client.get("/care/").get_data(as_text=True)).group(1) == "/care/notices"
