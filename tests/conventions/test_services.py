"""Voting rules: one vote per household, changeable until close, door-to-door conflicts, the result."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden

from app.clock import utcnow
from app.commands import Conflict, Refused
from app.conventions.models import Choice, Convention, ConventionStatus, Vote, VoteChannel
from app.conventions.services import (
    amend_convention,
    cast_vote,
    close_due_votes,
    display_status,
    draft_convention,
    edit_convention,
    live_tally,
    open_vote,
    sign_up,
    signup_count,
    tally_for,
    vote_history,
)
from app.extensions import db
from app.models import Role


def vote(s3, i, choice, **kw):
    """Resident i votes online for their household."""
    return cast_vote(db.session, s3.residents[i], s3.households[i], s3.convention, choice, channel="online",
                     now=kw.get("now", utcnow()))


def test_last_choice_counts_and_history_is_kept(s3):
    vote(s3, 0, "yes")
    vote(s3, 0, "no")
    db.session.commit()
    tally = live_tally(db.session, s3.convention)
    assert (tally.yes, tally.no, tally.voted) == (0, 1, 1)
    assert [h.choice for h in vote_history(db.session, s3.convention, s3.households[0])] == [Choice.YES, Choice.NO]


def test_second_account_of_the_household_replaces_not_adds(s3):
    vote(s3, 0, "yes")
    cast_vote(db.session, s3.spouse, s3.households[0], s3.convention, "abstain", channel="online", now=utcnow())
    db.session.commit()
    tally = live_tally(db.session, s3.convention)
    assert (tally.yes, tally.abstain, tally.voted) == (0, 1, 1)
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1


def test_door_to_door_after_own_vote_is_a_conflict_and_own_vote_stands(s3):
    vote(s3, 1, "no")
    with pytest.raises(Conflict) as caught:
        cast_vote(db.session, s3.head, s3.households[1], s3.convention, "yes", channel="door_to_door", now=utcnow())
    assert caught.value.server_version["choice"] == Choice.NO.value and caught.value.keep_writes
    db.session.commit()
    tally = live_tally(db.session, s3.convention)
    assert (tally.yes, tally.no, tally.voted) == (0, 1, 1)
    history = vote_history(db.session, s3.convention, s3.households[1])
    assert [(h.channel, h.counted) for h in history] == [(VoteChannel.ONLINE, True), (VoteChannel.DOOR_TO_DOOR, False)]


def test_own_later_vote_replaces_a_head_recorded_one(s3):
    recorded = cast_vote(db.session, s3.head, s3.households[5], s3.convention, "yes", channel="door_to_door",
                         now=utcnow())
    assert recorded.recorded_by_id == s3.head.id and recorded.channel == VoteChannel.DOOR_TO_DOOR
    # household 5 has no account in the fixture: give it one by using resident 4's household instead
    cast_vote(db.session, s3.head, s3.households[4], s3.convention, "yes", channel="door_to_door", now=utcnow())
    vote(s3, 4, "no")
    db.session.commit()
    current = db.session.scalar(select(Vote).where(Vote.household_id == s3.households[4].id))
    assert current.choice == Choice.NO and current.channel == VoteChannel.ONLINE and current.recorded_by_id is None
    assert len(vote_history(db.session, s3.convention, s3.households[4])) == 2
    tally = live_tally(db.session, s3.convention)
    assert (tally.yes, tally.no, tally.voted) == (1, 1, 2)


@pytest.mark.parametrize("bad", ["maybe", "", None, "YES "])
def test_malformed_choice_is_a_clear_error(s3, bad):
    with pytest.raises(Refused, match="请选择同意"):
        vote(s3, 0, bad)
    assert live_tally(db.session, s3.convention).voted == 0


def test_not_your_household_is_forbidden(s3):
    with pytest.raises(Forbidden):
        cast_vote(db.session, s3.residents[0], s3.households[1], s3.convention, "yes", channel="online", now=utcnow())
    with pytest.raises(Forbidden):  # a head of another building cannot record here
        cast_vote(db.session, s3.other_head, s3.households[1], s3.convention, "yes", channel="door_to_door",
                  now=utcnow())
    with pytest.raises(Forbidden):  # a resident cannot record a door-to-door vote
        cast_vote(db.session, s3.residents[0], s3.households[0], s3.convention, "yes", channel="door_to_door",
                  now=utcnow())
    assert live_tally(db.session, s3.convention).voted == 0


def test_vote_after_close_is_refused(s3):
    vote(s3, 0, "yes")
    db.session.commit()
    s3.clock.set(s3.closes_at)
    with pytest.raises(Refused, match="截止"):
        vote(s3, 1, "yes")
    assert live_tally(db.session, s3.convention).voted == 1


def test_close_adopts_when_quorum_and_threshold_met(s3):
    for i, choice in enumerate(["yes", "yes", "no", "abstain"]):
        vote(s3, i, choice)
    db.session.commit()
    s3.clock.set(s3.closes_at + timedelta(minutes=1))
    # nobody has run close yet: the page shows the result computed on the fly
    assert display_status(s3.convention, utcnow(), db.session) == ConventionStatus.ADOPTED
    assert s3.convention.status == ConventionStatus.VOTING
    closed = close_due_votes(db.session, utcnow())
    db.session.commit()
    assert closed == [s3.convention] and s3.convention.status == ConventionStatus.ADOPTED
    assert s3.convention.adopted_at == s3.closes_at
    assert s3.convention.tally["yes"] == 2 and s3.convention.tally["voted"] == 4
    assert close_due_votes(db.session, utcnow()) == []  # idempotent
    tally = tally_for(db.session, s3.convention, utcnow())
    assert tally.adopted and tally.turnout == pytest.approx(4 / 6)


def test_missing_quorum_is_rejected(s3):
    vote(s3, 0, "yes")
    vote(s3, 1, "yes")
    db.session.commit()
    s3.clock.set(s3.closes_at)
    close_due_votes(db.session, utcnow())
    db.session.commit()
    assert s3.convention.status == ConventionStatus.REJECTED
    assert not tally_for(db.session, s3.convention, utcnow()).quorum_met


def test_threshold_not_met_is_rejected(s3):
    for i, choice in enumerate(["yes", "no", "no", "yes"]):
        vote(s3, i, choice)
    s3.clock.set(s3.closes_at)
    close_due_votes(db.session, utcnow())
    assert s3.convention.status == ConventionStatus.REJECTED


def test_versions_kept_and_amendment_goes_through_the_lifecycle(s3):
    draft = draft_convention(db.session, s3.head, s3.building, "电动车公约", "电动车不进楼。", now=utcnow())
    edit_convention(db.session, s3.head, draft, "电动车不进楼,不在楼道充电。", now=utcnow())
    assert [v.number for v in draft.versions] == [1, 2] and draft.current_version == 2
    for i in range(4):
        vote(s3, i, "yes")
    s3.clock.set(s3.closes_at)
    close_due_votes(db.session, utcnow())
    signup = sign_up(db.session, s3.residents[0], s3.households[0], s3.convention, now=utcnow())
    assert sign_up(db.session, s3.spouse, s3.households[0], s3.convention, now=utcnow()) is signup
    assert signup_count(db.session, s3.convention) == 1
    amendment = amend_convention(db.session, s3.head, s3.convention, "不高空抛物。", now=utcnow())
    assert amendment.status == ConventionStatus.DRAFT and amendment.current_version == 2
    assert db.session.scalar(select(func.count()).select_from(Convention)) == 3


def test_edit_refused_once_voting(s3):
    with pytest.raises(Refused):
        edit_convention(db.session, s3.head, s3.convention, "新文本", now=utcnow())


# -- community defaults ------------------------------------------------------------------


def test_a_community_default_applies_and_is_fixed_when_the_vote_opens(s3):
    from app.conventions.services import set_community_defaults

    community = s3.building.community
    set_community_defaults(db.session, s3.staff, community, quorum=0.8, threshold=0.66)
    now = utcnow()
    later = draft_convention(db.session, s3.head, s3.building, "电动车公约", "电动车不进楼。", now=now)
    own = draft_convention(db.session, s3.head, s3.building, "花盆公约", "窗台不摆花盆。", now=now, quorum=0.3)
    assert (later.quorum_share, later.threshold_share) == (0.8, 0.66)
    assert (own.quorum_share, own.threshold_share) == (0.3, 0.66)
    open_vote(db.session, s3.head, later, opens_at=now, closes_at=now + timedelta(days=3), now=now)
    set_community_defaults(db.session, s3.staff, community, quorum=0.5, threshold=0.5)
    assert (later.quorum_share, later.threshold_share) == (0.8, 0.66)  # the vote keeps the rule it opened with
    assert own.quorum_share == 0.3 and own.threshold_share == 0.5


def test_community_defaults_are_for_its_staff_only(s3, make_building, make_user):
    from app.conventions.services import set_community_defaults

    other = make_building("99号楼").community  # a building of another community
    for user in (s3.head, s3.residents[0], make_user(Role.STAFF, other)):
        with pytest.raises(Forbidden):
            set_community_defaults(db.session, user, s3.building.community, quorum=0.9, threshold=0.9)
    assert s3.building.community.vote_quorum is None


def test_community_defaults_must_be_shares(s3):
    from app.conventions.services import set_community_defaults

    with pytest.raises(Refused, match="0 到 1 之间"):
        set_community_defaults(db.session, s3.staff, s3.building.community, quorum=1.5, threshold=0.5)


# -- the tally as shown ------------------------------------------------------------------


@pytest.mark.parametrize(("quorum", "households"), [(0.5, 6), (0.5, 7), (0.55, 100), (0.56, 25), (0.68, 75),
                                                    (0.14, 50), (1.0, 6)])
def test_the_households_needed_for_the_quorum_are_exactly_what_meets_it(quorum, households):
    """The page's "N of M households must vote" is the count at which the quorum is met, not one more.

    (ceil(0.55 * 100) is 56 in floating point, yet 55 of 100 households meet a 0.55 quorum.)
    """
    from app.conventions.services import Tally

    needed = Tally(households=households, quorum=quorum).quorum_needed
    assert Tally(households=households, yes=needed, quorum=quorum).quorum_met
    assert needed == 0 or not Tally(households=households, yes=needed - 1, quorum=quorum).quorum_met


def test_an_adopted_amendment_replaces_the_convention_it_amends(s3):
    """Amended: the new version goes through its own vote; once adopted the older one is superseded, its text kept."""
    from app.conventions.services import open_discussion

    for i in range(4):
        vote(s3, i, "yes")
    s3.clock.set(s3.closes_at)
    close_due_votes(db.session, utcnow())
    assert s3.convention.status == ConventionStatus.ADOPTED
    amendment = amend_convention(db.session, s3.head, s3.convention, "不高空抛物,阳台窗台不摆花盆。", now=utcnow())
    open_discussion(db.session, s3.head, amendment, now=utcnow())
    now = utcnow()
    open_vote(db.session, s3.head, amendment, opens_at=now, closes_at=now + timedelta(days=7), now=now)
    assert s3.convention.status == ConventionStatus.ADOPTED  # the older rule holds while the amendment is voted
    for i in range(4):
        cast_vote(db.session, s3.residents[i], s3.households[i], amendment, "yes", channel="online", now=now)
    s3.clock.set(now + timedelta(days=7))
    close_due_votes(db.session, utcnow())
    db.session.commit()
    assert amendment.status == ConventionStatus.ADOPTED and amendment.current_version == 2
    assert amendment.adopted_at == now + timedelta(days=7)
    assert s3.convention.status == ConventionStatus.SUPERSEDED
    assert s3.convention.text == "不高空抛物,窗台不摆花盆。"  # version 1 kept
    with pytest.raises(Refused):
        sign_up(db.session, s3.residents[0], s3.households[0], s3.convention, now=utcnow())


def test_a_rejected_amendment_leaves_the_convention_in_force(s3):
    for i in range(4):
        vote(s3, i, "yes")
    s3.clock.set(s3.closes_at)
    close_due_votes(db.session, utcnow())
    amendment = amend_convention(db.session, s3.head, s3.convention, "可以摆花盆。", now=utcnow())
    now = utcnow()
    open_vote(db.session, s3.head, amendment, opens_at=now, closes_at=now + timedelta(days=7), now=now)
    for i in range(4):
        cast_vote(db.session, s3.residents[i], s3.households[i], amendment, "no", channel="online", now=now)
    s3.clock.set(now + timedelta(days=7))
    close_due_votes(db.session, utcnow())
    assert amendment.status == ConventionStatus.REJECTED
    assert s3.convention.status == ConventionStatus.ADOPTED
