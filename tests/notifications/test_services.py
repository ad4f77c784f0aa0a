"""The notifications core: inbox items in the caller's transaction, then every registered channel."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.commands import Context, Refused, execute
from app.extensions import db
from app.models import Role
from app.notifications import channels
from app.notifications.models import InboxItem, MutedKind
from app.notifications.services import notify, set_muted
from app.push.models import PushMessage

T0 = datetime(2026, 9, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def recording_channel(monkeypatch):
    """A channel beside Web Push that records what it is handed (and whether the inbox item was there already)."""
    seen = []

    def record(session, note, recipients):
        inboxed = session.scalars(select(InboxItem.user_id).where(InboxItem.title == note.title)).all()
        seen.append((note, sorted(row[0] for row in session.execute(recipients)), sorted(inboxed)))

    monkeypatch.setattr(channels, "_CHANNELS", [*channels.channels(), record])
    return seen


def test_every_channel_gets_the_notification_in_the_same_transaction(make_user, make_household, recording_channel):
    alice, bob, carol = (make_user(Role.RESIDENT, make_household()) for _ in range(3))
    set_muted(db.session, carol, {"issue.update"})
    notify(db.session, [alice, bob, carol], "issue.update", "物业回复了", "明早来修", "/issues/1", now=T0)
    [(note, recipients, inboxed)] = recording_channel
    assert (note.kind, note.title, note.url, note.at, note.urgent) == ("issue.update", "物业回复了", "/issues/1", T0, False)
    assert recipients == inboxed == sorted([alice.id, bob.id])  # carol turned it off: no item, no channel
    # Web Push, registered by app/push, wrote its outbox message in the same transaction.
    assert db.session.scalar(select(PushMessage.title).where(PushMessage.kind == "issue.update")) == "物业回复了"
    db.session.rollback()
    assert db.session.scalar(select(InboxItem)) is None and db.session.scalar(select(PushMessage)) is None


def test_urgent_reaches_even_who_turned_the_kind_off(make_user, make_household, recording_channel):
    carol = make_user(Role.RESIDENT, make_household())
    set_muted(db.session, carol, {"issue.update"})
    notify(db.session, [carol], "issue.update", "紧急", "", "/", urgent=True, now=T0)
    assert recording_channel[0][1] == [carol.id]


def test_web_push_is_registered_as_a_channel_by_its_init_app():
    """Channels come from init_app (app/push registers Web Push); the core lists none by name."""
    from app.push.services import push_channel

    assert push_channel in channels.channels()


def test_the_mute_command_turns_kinds_off_and_refuses_unknown_ones(make_user, make_household):
    resident = make_user(Role.RESIDENT, make_household())
    ctx = Context(session=db.session, user=resident, now=T0)
    assert execute("notifications.mute", ctx, {"muted": ["vote", "notice"]}) == {"muted": ["notice", "vote"]}
    assert set(db.session.scalars(select(MutedKind.kind).where(MutedKind.user_id == resident.id))) == {"notice", "vote"}
    with pytest.raises(Refused) as refused:
        execute("notifications.mute", ctx, {"muted": ["urgent"]})
    assert "muted.0" in refused.value.fields
