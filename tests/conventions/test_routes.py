"""Pages and the vote.cast sync mutation, as residents, the building head and staff use them."""
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.clock import LOCAL_TZ, utcnow
from app.conventions.models import Choice, Convention, ConventionStatus, Vote, VoteHistory
from app.conventions.services import cast_vote, live_tally
from app.extensions import db
from app.models import Community
from tests.query_count import counted


def post(client, token, url, **data):
    """POST a form with the CSRF token."""
    return client.post(url, data={"csrf_token": token, **data})


def test_resident_votes_sees_tally_then_changes_vote(client, login, s3):
    token = login(s3.residents[0])
    page = client.get(f"/conventions/{s3.convention.id}").get_data(as_text=True)
    assert "24号楼楼门公约" in page and 'value="yes"' in page
    assert 'data-tally="voted"' not in page  # no tally before voting
    response = post(client, token, f"/conventions/{s3.convention.id}/vote", household_id=s3.households[0].id,
                    choice="yes")
    assert response.status_code == 302
    page = client.get(f"/conventions/{s3.convention.id}").get_data(as_text=True)
    assert 'data-tally="voted">1 / 6' in page
    post(client, token, f"/conventions/{s3.convention.id}/vote", household_id=s3.households[0].id, choice="no")
    tally = live_tally(db.session, s3.convention)
    assert (tally.yes, tally.no) == (0, 1)


def test_bad_votes_leave_the_tally_unchanged(client, login, s3):
    token = login(s3.residents[0])
    url = f"/conventions/{s3.convention.id}/vote"
    bad = post(client, token, url, household_id=s3.households[0].id, choice="maybe")
    assert bad.status_code == 302
    assert "请选择" in client.get(f"/conventions/{s3.convention.id}").get_data(as_text=True)
    assert post(client, token, url, household_id=s3.households[1].id, choice="yes").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0
    s3.clock.set(s3.closes_at + timedelta(hours=1))
    post(client, token, url, household_id=s3.households[0].id, choice="yes")
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0
    assert db.session.get(Convention, s3.convention.id).status == ConventionStatus.REJECTED  # closed by the POST


def test_second_account_replaces_the_household_vote(client, login, s3):
    token = login(s3.residents[0])
    post(client, token, f"/conventions/{s3.convention.id}/vote", household_id=s3.households[0].id, choice="yes")
    token = login(s3.spouse)
    post(client, token, f"/conventions/{s3.convention.id}/vote", household_id=s3.households[0].id, choice="no")
    tally = live_tally(db.session, s3.convention)
    assert (tally.voted, tally.yes, tally.no) == (1, 0, 1)


def test_head_sees_door_list_and_records_a_vote(client, login, s3):
    cast_vote(db.session, s3.residents[0], s3.households[0], s3.convention, "yes", channel="online", now=utcnow())
    db.session.commit()
    token = login(s3.head)
    page = client.get(f"/conventions/{s3.convention.id}").get_data(as_text=True)
    assert "还没投票的(5 户)" in page and "1门 201" in page and f'data-household="{s3.households[0].id}"' not in page
    post(client, token, f"/conventions/{s3.convention.id}/record", household_id=s3.households[5].id, choice="abstain")
    conflict = post(client, token, f"/conventions/{s3.convention.id}/record", household_id=s3.households[0].id,
                    choice="no")
    assert conflict.status_code == 302
    assert "已经自己投过票" in client.get(f"/conventions/{s3.convention.id}").get_data(as_text=True)
    tally = live_tally(db.session, s3.convention)
    assert (tally.voted, tally.yes, tally.no, tally.abstain) == (2, 1, 0, 1)
    assert db.session.scalar(select(func.count()).select_from(VoteHistory)) == 3


def test_head_lifecycle_pages(client, login, s3):
    token = login(s3.head)
    created = post(client, token, f"/conventions/new?building={s3.building.id}", title="电动车公约",
                   text="电动车不进楼。")
    assert created.status_code == 302
    convention = db.session.scalar(select(Convention).where(Convention.title == "电动车公约"))
    post(client, token, f"/conventions/{convention.id}/edit", text="电动车不进楼,不在楼道充电。")
    post(client, token, f"/conventions/{convention.id}/discuss")
    resident = login(s3.residents[1])
    post(client, resident, f"/conventions/{convention.id}/comment", body="支持!")
    token = login(s3.head)
    closes = (utcnow() + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT%H:%M")
    post(client, token, f"/conventions/{convention.id}/vote/open", closes_at=closes)
    db.session.refresh(convention)
    assert convention.status == ConventionStatus.VOTING and convention.current_version == 2
    assert [c.body for c in convention.comments] == ["支持!"]
    listing = client.get("/conventions/").get_data(as_text=True)
    assert "电动车公约" in listing


def test_outsider_and_other_head_cannot_see(client, login, s3):
    login(s3.outsider)
    assert client.get(f"/conventions/{s3.convention.id}").status_code == 403
    token = login(s3.other_head)
    assert post(client, token, f"/conventions/{s3.convention.id}/record", household_id=s3.households[1].id,
                choice="yes").status_code == 403


def test_result_page_after_close(client, login, s3):
    for i in range(4):
        cast_vote(db.session, s3.residents[i], s3.households[i], s3.convention, "yes", channel="online", now=utcnow())
    db.session.commit()
    s3.clock.set(s3.closes_at)
    login(s3.residents[4])  # did not vote, sees the result after close (computed on the fly)
    page = client.get(f"/conventions/{s3.convention.id}/result").get_data(as_text=True)
    assert "已通过" in page and 'data-tally="yes">4' in page
    assert db.session.get(Convention, s3.convention.id).status == ConventionStatus.VOTING  # GET wrote nothing


@pytest.fixture
def sync(client):
    """POST a batch of mutations to /api/v1/sync."""

    def send(*payloads):
        token = client.get("/api/v1/csrf").get_json()["csrf_token"]
        mutations = [{"id": str(uuid.uuid4()), "type": "vote.cast", "client_time": utcnow().isoformat(),
                      "payload": {**p, "attachments": []}} for p in payloads]
        return client.post("/api/v1/sync", json={"client_id": "head-phone", "mutations": mutations},
                           headers={"X-CSRFToken": token}).get_json()["results"]

    return send


def test_sync_door_to_door_votes_one_conflicts(client, login, s3, sync):
    cast_vote(db.session, s3.residents[2], s3.households[2], s3.convention, "no", channel="online", now=utcnow())
    db.session.commit()
    login(s3.head)
    pulled = client.get("/api/v1/sync?since=0").get_json()["changes"]["conventions"]
    assert pulled[0]["id"] == s3.convention.id and s3.households[2].id not in pulled[0]["not_voted"]
    results = sync(*[{"convention_id": s3.convention.id, "household_id": s3.households[i].id, "choice": "yes",
                      "channel": "door_to_door"} for i in (3, 4, 2)])
    assert [r["status"] for r in results] == ["applied", "applied", "conflict"], results
    votes = client.get("/api/v1/sync?since=0").get_json()["changes"]["convention_votes"]
    assert sorted(v["household_id"] for v in votes) == sorted(s3.households[i].id for i in (2, 3, 4))
    assert results[2]["server_version"]["choice"] == "no"
    tally = live_tally(db.session, s3.convention)
    assert (tally.voted, tally.yes, tally.no) == (3, 2, 1)
    assert db.session.scalar(select(Vote).where(Vote.household_id == s3.households[2].id)).choice == Choice.NO


def test_sync_rejections(client, login, s3, sync):
    login(s3.head)
    bad = sync({"convention_id": s3.convention.id, "household_id": s3.households[1].id, "choice": "maybe"})
    assert bad[0]["status"] == "rejected" and "同意" in bad[0]["error"]["message"]
    foreign = sync({"convention_id": s3.convention.id, "household_id": s3.outsider_home.id, "choice": "yes"})
    assert foreign[0]["status"] == "rejected"
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_staff_set_the_community_vote_rules_on_a_page(client, login, s3):
    token = login(s3.staff)
    url = f"/conventions/defaults/{s3.building.community.id}"
    assert url in client.get("/conventions/").get_data(as_text=True)
    bad = client.post(url, data={"quorum": "2", "threshold": "0.5", "csrf_token": token})
    assert bad.status_code == 400 and "请填 0 到 1 之间的数。" in bad.get_data(as_text=True)
    response = client.post(url, data={"quorum": "0.6", "threshold": "0.7", "csrf_token": token})
    assert response.status_code == 302
    db.session.rollback()
    community = db.session.get(Community, s3.building.community.id)
    assert (community.vote_quorum, community.vote_threshold) == (0.6, 0.7)


def test_a_building_head_cannot_set_the_community_vote_rules(client, login, s3):
    token = login(s3.head)
    url = f"/conventions/defaults/{s3.building.community.id}"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"quorum": "0.9", "threshold": "0.9", "csrf_token": token}).status_code == 403
    db.session.rollback()
    assert db.session.get(Community, s3.building.community.id).vote_quorum is None


def test_an_adopted_convention_shows_its_version_date_tally_and_sign_ups(client, login, s3):
    """After the close anyone of the building sees the adopted text with version and date, the tally, and signs up."""
    for i in range(4):
        cast_vote(db.session, s3.residents[i], s3.households[i], s3.convention, "yes", channel="online", now=utcnow())
    db.session.commit()
    s3.clock.set(s3.closes_at + timedelta(minutes=1))
    url = f"/conventions/{s3.convention.id}"
    token = login(s3.residents[0])
    assert post(client, token, f"{url}/signup", household_id=s3.households[0].id).status_code == 302  # closes it too
    page = client.get(url).get_data(as_text=True)
    when = s3.closes_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    assert "第 1 版" in page and f"{when} 通过" in page and "不高空抛物,窗台不摆花盆。" in page
    assert 'data-tally="yes">4' in page
    assert "已有 1 户承诺遵守。" in page
    token = login(s3.spouse)  # the same household again: still one
    post(client, token, f"{url}/signup", household_id=s3.households[0].id)
    assert post(client, token, f"{url}/signup", household_id=s3.households[1].id).status_code == 403
    login(s3.residents[4])  # a household that did not vote still sees the result and the count
    page = client.get(url).get_data(as_text=True)
    assert 'data-tally="voted">4 / 6' in page and "已有 1 户承诺遵守。" in page
    assert "1 户已承诺" in client.get("/conventions/").get_data(as_text=True)


def test_sync_a_door_to_door_vote_keeps_the_time_it_was_taken_at_the_door(client, login, s3, sync):
    """Synced two hours later, the vote carries who recorded it and when; a device clock ahead is not believed."""
    at_the_door = utcnow()
    login(s3.head)
    s3.clock.set(at_the_door + timedelta(hours=2))
    results = sync({"convention_id": s3.convention.id, "household_id": s3.households[5].id, "choice": "yes",
                    "channel": "door_to_door", "client_time": at_the_door.isoformat()},
                   {"convention_id": s3.convention.id, "household_id": s3.households[4].id, "choice": "no",
                    "channel": "door_to_door", "client_time": (utcnow() + timedelta(days=1)).isoformat()})
    assert [r["status"] for r in results] == ["applied", "applied"], results
    votes = {v.household_id: v for v in db.session.scalars(select(Vote))}
    recorded, ahead = votes[s3.households[5].id], votes[s3.households[4].id]
    assert recorded.cast_at == at_the_door and recorded.recorded_by_id == s3.head.id
    assert recorded.channel == "door_to_door" and results[0]["entity"]["recorded_by"] == s3.head.id
    assert ahead.cast_at == utcnow()


def test_sync_votes_after_the_close_are_refused_and_the_tally_stays(client, login, s3, sync):
    """A vote that reaches the server after the close is refused with the close time, online or at the door."""
    cast_vote(db.session, s3.residents[0], s3.households[0], s3.convention, "yes", channel="online", now=utcnow())
    db.session.commit()
    login(s3.head)
    s3.clock.set(s3.closes_at + timedelta(minutes=1))
    late = sync({"convention_id": s3.convention.id, "household_id": s3.households[5].id, "choice": "no",
                 "channel": "door_to_door", "client_time": (s3.closes_at - timedelta(hours=1)).isoformat()})
    assert late[0]["status"] == "rejected" and "截止" in late[0]["error"]["message"], late
    login(s3.residents[1])
    own = sync({"convention_id": s3.convention.id, "household_id": s3.households[1].id, "choice": "no",
                "channel": "online"})
    assert own[0]["status"] == "rejected" and "截止" in own[0]["error"]["message"], own
    db.session.rollback()
    assert db.session.scalars(select(Vote.household_id)).all() == [s3.households[0].id]
    assert live_tally(db.session, db.session.get(Convention, s3.convention.id)).voted == 1


def test_sync_an_online_vote_for_another_household_is_refused(client, login, s3, sync):
    """A resident's device cannot vote for the neighbours (care mode sends vote.cast with channel online)."""
    login(s3.residents[0])
    results = sync({"convention_id": s3.convention.id, "household_id": s3.households[1].id, "choice": "yes",
                    "channel": "online"})
    assert results[0]["status"] == "rejected" and results[0]["error"]["code"] == "forbidden", results
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_sync_a_conflicting_door_to_door_vote_is_kept_in_the_history_as_not_counted(client, login, s3, sync):
    """The offline path keeps the head's losing attempt, as the page's record button does."""
    cast_vote(db.session, s3.residents[2], s3.households[2], s3.convention, "no", channel="online", now=utcnow())
    db.session.commit()
    login(s3.head)
    results = sync({"convention_id": s3.convention.id, "household_id": s3.households[2].id, "choice": "yes",
                    "channel": "door_to_door"})
    assert results[0]["status"] == "conflict", results
    db.session.rollback()
    history = db.session.scalars(select(VoteHistory).where(VoteHistory.household_id == s3.households[2].id)
                                 .order_by(VoteHistory.id)).all()
    assert [(h.channel, h.choice, h.counted, h.recorded_by_id) for h in history] == [
        ("online", Choice.NO, True, None), ("door_to_door", Choice.YES, False, s3.head.id)]
    assert live_tally(db.session, s3.convention).voted == 1
    again = sync({"convention_id": s3.convention.id, "household_id": s3.households[2].id, "choice": "yes",
                  "channel": "door_to_door"})
    assert again[0]["status"] == "conflict"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(VoteHistory)) == 3  # a new attempt, a new row


def test_the_building_page_shows_the_conventions_in_force(client, login, s3):
    """#5: adopted conventions are on the building page with version, date and sign-ups; not before the
    vote closes, and an adopted amendment takes the place of the convention it amends."""
    from app.conventions.services import amend_convention, close_due_votes, open_discussion, open_vote, sign_up

    building_page = f"/issues/building/{s3.building.id}"
    login(s3.residents[0])
    with counted() as statements:
        assert "本楼公约" not in client.get(building_page).get_data(as_text=True)  # still being voted on
    # None in force: one query asks for the list (with its sign-up counts), and the slot shows nothing.
    assert len([s for s in statements if "convention" in s]) == 1
    for i in range(4):
        cast_vote(db.session, s3.residents[i], s3.households[i], s3.convention, "yes", channel="online", now=utcnow())
    s3.clock.set(s3.closes_at)
    close_due_votes(db.session, utcnow())
    sign_up(db.session, s3.residents[1], s3.households[1], s3.convention, now=utcnow())
    db.session.commit()
    page = client.get(building_page).get_data(as_text=True)
    adopted_on = s3.closes_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d")
    assert "本楼公约" in page and f'href="/conventions/{s3.convention.id}"' in page
    assert "24号楼楼门公约" in page and "第 1 版" in page and adopted_on in page and "1 户已承诺" in page

    now = utcnow()
    amendment = amend_convention(db.session, s3.head, s3.convention, "不高空抛物,阳台窗台不摆花盆。", now=now)
    open_discussion(db.session, s3.head, amendment, now=now)
    open_vote(db.session, s3.head, amendment, opens_at=now, closes_at=now + timedelta(days=7), now=now)
    for i in range(4):
        cast_vote(db.session, s3.residents[i], s3.households[i], amendment, "yes", channel="online", now=now)
    s3.clock.set(now + timedelta(days=7))
    close_due_votes(db.session, utcnow())
    db.session.commit()
    page = client.get(building_page).get_data(as_text=True)
    assert f'href="/conventions/{amendment.id}"' in page and f'href="/conventions/{s3.convention.id}"' not in page
    assert "第 2 版" in page and "0 户已承诺" in page

    login(s3.outsider)  # another building's resident may not open this building's page at all
    assert client.get(building_page).status_code == 403
