"""Door-to-door votes say who answered and may carry a signature; the result splits online and at the door."""
import io
import uuid
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from app.clock import utcnow
from app.conventions.models import SIGNATURE, VoteHistory
from app.conventions.services import cast_vote
from app.extensions import db
from app.uploads.models import Attachment


def signature_png() -> bytes:
    """A stroke on white, as the signature pad's canvas exports it."""
    image = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    for x in range(20, 280):
        image.putpixel((x, 60 + (x % 7)), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def members(s3):
    """Households 2 and 3 of the building have their members in the ledger."""
    s3.households[2].members = "王建国、李秀英"
    s3.households[3].members = "张伟"
    db.session.commit()
    return s3


def send(client, *mutations):
    """POST mutations to /api/v1/sync as the outbox does."""
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    batch = [{"id": str(uuid.uuid4()), "type": "vote.cast", "client_time": utcnow().isoformat(), "payload": m}
             for m in mutations]
    return client.post("/api/v1/sync", json={"client_id": "head-phone", "mutations": batch},
                       headers={"X-CSRFToken": token}).get_json()["results"]


def upload(client, key: str, data: bytes):
    """PUT a file as the outbox sends an attachment first."""
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    return client.put(f"/api/v1/uploads/{key}", data={"file": (io.BytesIO(data), "signature.png")},
                      headers={"X-CSRFToken": token})


def test_a_head_records_who_answered_and_their_signature_through_sync(client, login, members):
    s3 = members
    login(s3.head)
    key = str(uuid.uuid4())
    assert upload(client, key, signature_png()).status_code == 200
    results = send(client, {"convention_id": s3.convention.id, "household_id": s3.households[2].id, "choice": "yes",
                            "channel": "door_to_door", "answered_by": "李秀英", "attachments": [key]})
    assert results[0]["status"] == "applied"
    history = db.session.scalar(select(VoteHistory).where(VoteHistory.household_id == s3.households[2].id))
    assert history.answered_by == "李秀英"
    signature = db.session.scalar(select(Attachment).where(Attachment.uuid == key))
    assert (signature.subject_type, signature.subject_id) == (SIGNATURE, history.id)

    login(s3.staff)
    page = client.get(f"/conventions/{s3.convention.id}").get_data(as_text=True)
    assert "入户投票记录" in page and "由李秀英应门" in page and "郑楼长" in page
    assert f"/uploads/{key}/original" in page
    with client.get(f"/uploads/{key}/original") as seen:
        assert seen.status_code == 200 and seen.data.startswith(b"\x89PNG")  # staff see the signature
    login(s3.residents[0])
    assert client.get(f"/uploads/{key}/original").status_code == 403  # a neighbour does not
    assert "入户投票记录" not in client.get(f"/conventions/{s3.convention.id}").get_data(as_text=True)


def test_a_family_member_may_answer_and_an_old_client_sends_nothing(client, login, members):
    s3 = members
    login(s3.head)
    results = send(client,
                   {"convention_id": s3.convention.id, "household_id": s3.households[3].id, "choice": "no",
                    "channel": "door_to_door", "answered_by": "family", "attachments": []},
                   # a device older than the field: no answered_by, no attachments key at all
                   {"convention_id": s3.convention.id, "household_id": s3.households[5].id, "choice": "yes",
                    "channel": "door_to_door"})
    assert [r["status"] for r in results] == ["applied", "applied"]
    page = client.get(f"/conventions/{s3.convention.id}").get_data(as_text=True)
    assert "由家属应门" in page and "未记录应门的人" in page


def test_someone_not_in_the_ledger_is_refused_and_nothing_is_counted(client, login, members):
    s3 = members
    login(s3.head)
    results = send(client, {"convention_id": s3.convention.id, "household_id": s3.households[3].id, "choice": "no",
                            "channel": "door_to_door", "answered_by": "路人甲", "attachments": []})
    assert results[0]["status"] == "rejected"
    assert "路人甲" in results[0]["error"]["message"] and "answered_by" in results[0]["error"]["fields"]
    assert db.session.scalar(select(VoteHistory)) is None


def test_the_door_form_offers_the_ledgers_members_and_family(client, login, members):
    s3 = members
    login(s3.head)
    page = client.get(f"/conventions/{s3.convention.id}").get_data(as_text=True)
    assert '<option value="王建国">王建国</option>' in page and '<option value="family">家属</option>' in page
    assert 'class="signature-pad"' in page
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    client.post(f"/conventions/{s3.convention.id}/record", data={"csrf_token": token, "household_id": s3.households[2].id,
                                                                 "choice": "yes", "answered_by": "王建国"})
    assert db.session.scalar(select(VoteHistory)).answered_by == "王建国"


def test_the_result_splits_online_and_door_to_door_votes(client, login, members):
    s3 = members
    now = utcnow()
    for i in range(3):
        cast_vote(db.session, s3.residents[i], s3.households[i], s3.convention, "yes", channel="online", now=now)
    cast_vote(db.session, s3.head, s3.households[3], s3.convention, "yes", channel="door_to_door", now=now,
              answered_by="张伟")
    cast_vote(db.session, s3.head, s3.households[5], s3.convention, "no", channel="door_to_door", now=now)
    db.session.commit()
    s3.clock.set(s3.closes_at + timedelta(minutes=1))
    login(s3.staff)
    page = client.get(f"/conventions/{s3.convention.id}/result").get_data(as_text=True)
    online = page.split('data-channel="online"')[1].split("</tr>")[0]
    door = page.split('data-channel="door_to_door"')[1].split("</tr>")[0]
    assert "<td>3</td><td>0</td><td>0</td>" in online and "<td data-channel-total>3</td>" in online
    assert "<td>1</td><td>1</td><td>0</td>" in door and "<td data-channel-total>2</td>" in door
    assert "由张伟应门" in page  # staff see the record per household on the result too
