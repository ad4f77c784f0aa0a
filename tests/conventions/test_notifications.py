"""A convention's vote reaches the building's residents when it opens and when it closes (with the result)."""
import contextvars
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import LOCAL_TZ, utcnow
from app.conventions.services import cast_vote, close_due_votes, draft_convention, open_discussion
from app.extensions import db
from app.models import Role
from app.notifications.models import InboxItem


@pytest.fixture
def building_24(make_building, make_household, make_user, subscribe_device):
    """24号楼: three households (the first with two accounts), its head, and a resident of the next building."""
    building = make_building("24号楼")
    homes = [make_household(building, room=f"{i}01") for i in range(1, 4)]
    residents = [make_user(Role.RESIDENT, h, name=f"居民{i}") for i, h in enumerate(homes)]
    spouse = make_user(Role.RESIDENT, homes[0], name="居民0的老伴")
    head = make_user(Role.BUILDING_HEAD, building, name="郑楼长")
    neighbour = make_user(Role.RESIDENT, make_household(make_building("9号楼", community=building.community)))
    convention = draft_convention(db.session, head, building, "电动车不进楼道", "电动车一律停车棚充电。", now=utcnow())
    open_discussion(db.session, head, convention, now=utcnow())
    db.session.commit()
    device = subscribe_device(spouse)
    return type("B24", (), {"building": building, "homes": homes, "residents": residents, "spouse": spouse,
                            "head": head, "neighbour": neighbour, "convention": convention, "device": device})


def votes_in_inbox(user):
    """The user's vote messages (title, body), oldest first."""
    return [(i.title, i.body) for i in db.session.scalars(
        select(InboxItem).where(InboxItem.user_id == user.id, InboxItem.kind == "vote").order_by(InboxItem.id))]


def close_due(app):
    """`flask --app wsgi conventions close-due` once, as the background loop does each minute."""
    db.session.commit()
    result = contextvars.Context().run(app.test_cli_runner().invoke, args=["conventions", "close-due"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    return result.output


def test_vote_open_and_result_reach_every_resident_of_the_building_once(app, client, login, building_24,
                                                                        frozen_clock, push_service):
    b = building_24
    start = frozen_clock.now
    closes = (start + timedelta(days=3)).astimezone(LOCAL_TZ)
    token = login(b.head)
    response = client.post(f"/conventions/{b.convention.id}/vote/open",
                           data={"csrf_token": token, "closes_at": closes.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302

    opened = ("开始投票:电动车不进楼道", f"每户一票,投票截止到 {closes:%Y-%m-%d %H:%M}。")
    for person in (*b.residents, b.spouse):  # both accounts of the first household
        assert votes_in_inbox(person) == [opened]
    assert votes_in_inbox(b.head) == [] and votes_in_inbox(b.neighbour) == []

    for home, resident in zip(b.homes[:2], b.residents[:2], strict=True):
        cast_vote(db.session, resident, home, b.convention, "yes", channel="online", now=utcnow())
    db.session.commit()
    frozen_clock.set(start + timedelta(days=3, minutes=1))
    assert "closed 1 vote(s)" in close_due(app)
    assert "closed 0 vote(s)" in close_due(app)
    close_due_votes(db.session, utcnow())  # a POST on the convention closing it too changes nothing
    db.session.commit()

    result = ("投票结果:电动车不进楼道", "已通过:同意 2 户,不同意 0 户,弃权 0 户;3 户中 2 户参与投票。")
    for person in (*b.residents, b.spouse):
        assert votes_in_inbox(person) == [opened, result]
    assert votes_in_inbox(b.neighbour) == []

    # The spouse's phone gets both as real pushes.
    sent = contextvars.Context().run(app.test_cli_runner().invoke, args=["push", "work", "--once"])
    assert "sent 2" in sent.output, sent.output
    _sub, keys, name = b.device
    titles = [keys.decrypt(m.body)["title"] for m in push_service.to(name)]
    assert sorted(titles) == sorted([opened[0], result[0]])

    login(b.residents[1])
    assert "投票结果:电动车不进楼道" in client.get("/notices/").get_data(as_text=True)


def test_a_vote_without_quorum_says_so(app, building_24, frozen_clock):
    from app.conventions.services import open_vote

    b = building_24
    open_vote(db.session, b.head, b.convention, opens_at=utcnow(), closes_at=utcnow() + timedelta(hours=1),
              now=utcnow())
    db.session.commit()
    frozen_clock.set(frozen_clock.now + timedelta(hours=2))
    close_due(app)
    assert votes_in_inbox(b.residents[2])[-1] == ("投票结果:电动车不进楼道", "未通过:参与投票的户数不足(3 户中 0 户)。")
