"""The sync engine on its own (test-only "test.note" mutations): exactly once, never dropping neighbours."""
import contextvars
import io
import threading
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.database import immediate_transactions
from app.extensions import db
from app.models import Household, Role, User
from app.sync.models import SyncMutation
from app.sync.routes import MAX_BATCH_BYTES
from app.sync.services import changes_since, current_cursor, push_batch
from app.uploads.models import Attachment
from tests.sync.mutations import HOOKS, ServerDied, new_id, note_item


def notes_of(household_id: int) -> list[str]:
    """The lines the server has in a household's notes (a fresh read)."""
    db.session.rollback()
    notes = db.session.get(Household, household_id).notes
    return notes.split("\n") if notes else []


@pytest.fixture
def head(make_building, make_household, make_user, login):
    """A signed-in building head and one household of their building."""
    building = make_building()
    household = make_household(building)
    user = make_user(Role.BUILDING_HEAD, building)
    login(user)
    return user, household


def test_retried_batch_answers_duplicate_and_creates_nothing_twice(head, sync):
    _, household = head
    batch = [note_item(household.id, f"第{i}条") for i in range(5)]
    first = sync(batch).get_json()
    assert [r["status"] for r in first["results"]] == ["applied"] * 5
    again = sync(batch).get_json()
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 5
    assert [r["entity"] for r in again["results"]] == [r["entity"] for r in first["results"]]
    assert notes_of(household.id) == [f"第{i}条" for i in range(5)]
    assert db.session.scalar(select(func.count()).select_from(SyncMutation)) == 5


def test_server_dying_half_way_then_retry_gives_no_duplicates_and_nothing_missing(head, sync):
    """The worker dies on the 4th item: the first 3 are committed, the device never got an answer."""
    _, household = head
    batch = [note_item(household.id, f"第{i}条") for i in range(8)]
    HOOKS["die_once"] = {"第3条"}
    with pytest.raises(ServerDied):
        sync(batch)
    db.session.rollback()
    assert notes_of(household.id) == ["第0条", "第1条", "第2条"]
    results = sync(batch).get_json()["results"]  # the device sends the whole batch again
    assert [r["status"] for r in results] == ["duplicate"] * 3 + ["applied"] * 5
    assert notes_of(household.id) == [f"第{i}条" for i in range(8)]


def test_bad_items_get_clear_reasons_and_valid_neighbours_apply(head, sync, make_household):
    _, household = head
    elsewhere = make_household()  # not in the head's building
    batch = [
        note_item(household.id, "一"),
        {"id": new_id(), "type": "test.fly", "payload": {}},
        {"id": new_id(), "type": "test.note", "payload": {"household_id": "六", "text": ""}},
        note_item(elsewhere.id, "越权"),
        {"id": new_id(), "type": "test.clash", "payload": {"household_id": household.id}},
        {"id": new_id(), "type": "test.crash", "payload": {"household_id": household.id}},
        note_item(household.id, "二"),
    ]
    results = sync(batch).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "rejected", "conflict", "rejected", "applied"]
    assert results[1]["error"]["message"] == "服务器不认识这种记录(test.fly)。" or "test.fly" in results[1]["error"]["message"]
    assert set(results[2]["error"]["fields"]) == {"household_id", "text"}
    assert results[3]["error"]["message"] == "您没有权限进行这个操作。"
    assert results[4]["server_version"] == {"notes": "一"} and results[4]["error"]["code"] == "conflict"
    assert results[5]["retry"] is True and results[5]["error"]["code"] == "server_error"
    assert notes_of(household.id) == ["一", "二"]
    assert notes_of(elsewhere.id) == []
    # An unexpected failure is not recorded, so it is tried again; refusals answer the same.
    again = sync(batch).get_json()["results"]
    assert [r["status"] for r in again] == ["duplicate", "rejected", "rejected", "rejected", "conflict", "rejected", "duplicate"]
    assert again[5]["retry"] is True


def test_batch_over_200_items_or_over_the_byte_limit_is_413_saying_the_limit(head, sync):
    _, household = head
    too_many = sync([note_item(household.id, "x") for _ in range(201)])
    assert too_many.status_code == 413 and "200" in too_many.get_json()["error"]["message"]
    big = sync([note_item(household.id, "长" * 200) for _ in range(200)] + [
        {"id": new_id(), "type": "test.note",
         "payload": {"household_id": household.id, "text": "x", "pad": "p" * MAX_BATCH_BYTES}}])
    assert big.status_code == 413
    assert f"{MAX_BATCH_BYTES // (1024 * 1024)} MB" in big.get_json()["error"]["message"]
    assert notes_of(household.id) == []


def test_two_devices_sending_the_same_uuid_at_once_apply_it_once(app, make_building, make_household, make_user):
    """Both pass the "seen it?" check together; the primary key makes the loser answer duplicate."""
    building = make_building()
    household = make_household(building)
    user_id = make_user(Role.BUILDING_HEAD, building).id
    item = note_item(household.id, "只记一次")
    HOOKS["barrier"] = threading.Barrier(2)
    outcomes: list[dict] = []

    def device(name):
        with app.test_request_context("/api/v1/sync", method="POST"):
            session = db.session
            user = session.get(User, user_id)
            outcomes.extend(push_batch(session, user, [item], client_id=name, now=item_time())[0])
            db.session.remove()

    threads = [threading.Thread(target=device, args=(f"tab-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r["status"] for r in outcomes) == ["applied", "duplicate"]
    assert outcomes[0]["entity"] == outcomes[1]["entity"]
    assert notes_of(household.id) == ["只记一次"]


def item_time():
    """A fixed server time for direct service calls."""
    from datetime import UTC, datetime

    return datetime(2026, 9, 23, 0, 0, tzinfo=UTC)


def test_attachments_listed_in_the_payload_reach_the_handler(head, sync, client):
    _, household = head
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    key = str(uuid.uuid4())
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(out, "PNG")
    assert client.put(f"/api/v1/uploads/{key}", data={"file": (io.BytesIO(out.getvalue()), "a.png")},
                      headers={"X-CSRFToken": token}).status_code == 200
    missing = str(uuid.uuid4())  # never uploaded: simply not attached
    result = sync([note_item(household.id, "带照片", attachments=[key, missing])]).get_json()["results"][0]
    assert result["entity"]["attachments"] == [key]
    attachment = db.session.scalar(select(Attachment).where(Attachment.uuid == key))
    assert (attachment.subject_type, attachment.subject_id) == ("test_household", household.id)


def test_a_pull_never_returns_a_later_change_without_an_earlier_one(app, make_building, make_household, make_user):
    """Writer A takes change number N and has not committed; writer B must wait for the counter.

    So no reader can ever see N+1 while N is still invisible — the cursor it gets back never
    passes a change it has not seen.
    """
    building = make_building()
    first, second = make_household(building), make_household(building)
    user = make_user(Role.BUILDING_HEAD, building)
    _, start = changes_since(db.session, user, 0)
    first_id, second_id, user_id = first.id, second.id, user.id
    db.session.rollback()
    session_a, session_b = Session(bind=db.engine), Session(bind=db.engine)
    writing = contextvars.copy_context()  # writers take SQLite's write lock at BEGIN, like POST requests
    writing.run(immediate_transactions)

    def write_a():
        session_a.get(Household, first_id).notes = "A"
        session_a.flush()  # A holds number N, uncommitted
        return session_a.get(Household, first_id).change_seq

    n = writing.run(write_a)
    b_done = threading.Event()

    def writer_b():
        immediate_transactions()
        session_b.get(Household, second_id).notes = "B"
        session_b.commit()  # the flush inside waits for A's counter lock
        b_done.set()

    thread = threading.Thread(target=writer_b)
    thread.start()
    assert not b_done.wait(timeout=1.0), "B must not commit while A holds number N"
    reader = Session(bind=db.engine)
    changes, cursor = changes_since(reader, reader.get(User, user_id), start)
    assert cursor < n and changes["households"] == []  # neither N nor N+1 yet
    reader.close()
    writing.run(session_a.commit)
    thread.join(timeout=20)
    assert b_done.is_set()
    reader = Session(bind=db.engine)
    changes, cursor = changes_since(reader, reader.get(User, user_id), start)
    seqs = {row["id"]: row for row in changes["households"]}
    assert set(seqs) == {first_id, second_id}
    assert cursor == current_cursor(reader) == n + 1
    reader.close()
    session_a.close()
    session_b.close()

