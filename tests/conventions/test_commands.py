"""One vote, one command: the page's vote and record forms, care mode's buttons and sync all run vote.cast."""
import uuid
from datetime import timedelta

from sqlalchemy import select

from app.clock import utcnow
from app.conventions.models import Convention, ConventionStatus, Vote
from app.extensions import db


def sync_vote(client, **payload):
    """Send one vote.cast mutation, as a phone's outbox does."""
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    mutation = {"id": str(uuid.uuid4()), "type": "vote.cast", "client_time": utcnow().isoformat(), "payload": payload}
    return client.post("/api/v1/sync", json={"client_id": "phone", "mutations": [mutation]},
                       headers={"X-CSRFToken": token}).get_json()["results"][0]


def test_every_way_to_vote_runs_vote_cast(client, login, s3, reached):
    url = f"/conventions/{s3.convention.id}"
    token = login(s3.residents[0])
    reached.clear()
    client.post(f"{url}/vote", data={"csrf_token": token, "household_id": s3.households[0].id, "choice": "yes"})
    assert reached == ["vote.cast"]
    token = login(s3.residents[1])
    reached.clear()
    client.post(f"/care/vote/{s3.convention.id}", data={"csrf_token": token, "choice": "no"})
    assert reached == ["vote.cast"]
    login(s3.residents[2])
    reached.clear()
    assert sync_vote(client, convention_id=s3.convention.id, household_id=s3.households[2].id, choice="abstain",
                     channel="online")["status"] == "applied"
    assert reached == ["vote.cast"]
    token = login(s3.head)
    reached.clear()
    client.post(f"{url}/record", data={"csrf_token": token, "household_id": s3.households[5].id, "choice": "yes"})
    assert reached == ["vote.cast"]
    db.session.rollback()
    votes = {v.household_id: (v.choice.value, v.channel.value) for v in db.session.scalars(select(Vote))}
    assert votes == {s3.households[0].id: ("yes", "online"), s3.households[1].id: ("no", "online"),
                     s3.households[2].id: ("abstain", "online"), s3.households[5].id: ("yes", "door_to_door")}


def test_a_care_vote_after_the_close_is_refused_as_on_the_page_and_by_sync(client, login, s3):
    """Care mode closes due votes first, like every way in, and says the same thing."""
    s3.clock.set(s3.closes_at + timedelta(minutes=1))
    token = login(s3.residents[1])
    page = client.post(f"/care/vote/{s3.convention.id}", data={"csrf_token": token, "choice": "yes"},
                       follow_redirects=True).get_data(as_text=True)
    late = sync_vote(client, convention_id=s3.convention.id, household_id=s3.households[1].id, choice="yes",
                     channel="online")
    assert late["status"] == "rejected" and late["error"]["message"] in page and "截止" in page
    db.session.rollback()
    assert db.session.scalar(select(Vote)) is None
    token = login(s3.residents[2])  # the convention page's vote: refused the same way, and the result stands
    client.post(f"/conventions/{s3.convention.id}/vote",
                data={"csrf_token": token, "household_id": s3.households[2].id, "choice": "yes"})
    db.session.rollback()
    assert db.session.get(Convention, s3.convention.id).status == ConventionStatus.REJECTED
