"""What the bulk path (runs of `visit.add` applied together) relies on, proven against the one-by-one path."""
import pytest
from sqlalchemy import func, select

from app.auth.permissions import can, can_each
from app.extensions import db
from app.models import Household, Role
from app.sync.models import SyncMutation
from app.sync.services import current_cursor
from app.visits.models import Visit
from tests.sync.mutations import new_id, note_item


def visit(household_id, **extra):
    """A `visit.add` mutation as a device sends it."""
    return {"id": new_id(), "type": "visit.add", "client_time": "2026-09-23T07:40:00+08:00",
            "payload": {"household_id": household_id, "visited_at": "2026-09-23T07:33:00+08:00", "kind": "routine",
                        **extra}}


def count(model) -> int:
    """Rows of `model` on the server (a fresh read)."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def head(make_building, make_household, make_user, login):
    """A signed-in building head and two households of their building."""
    building = make_building()
    households = [make_household(building), make_household(building)]
    user = make_user(Role.BUILDING_HEAD, building)
    login(user)
    return user, households


def test_a_uuid_twice_in_one_batch_applies_once_and_answers_duplicate(head, sync):
    _, (first, second) = head
    batch = [visit(first.id, notes="一"), visit(second.id, notes="二"), visit(first.id, notes="三")]
    batch.insert(2, dict(batch[0]))  # the device sent the first item twice
    results = sync(batch).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "duplicate", "applied"]
    assert results[2]["entity"] == results[0]["entity"]
    assert count(Visit) == 3 and count(SyncMutation) == 3
    again = sync(batch).get_json()["results"]
    assert [r["status"] for r in again] == ["duplicate"] * 4
    assert [r["entity"] for r in again] == [r["entity"] for r in results]


def test_bulk_entities_are_what_a_pull_gives(head, sync, client):
    """The bulk path builds its answers without reading the rows back: they must match the stored rows."""
    _, (first, second) = head
    batch = [visit(first.id, notes="  楼道灯坏了  ", follow_up_on="2026-10-01",
                   needs=[{"text": " 扶手松了 ", "referral": " 物业 "}, {"text": "独居", "status": "referred"}]),
             visit(second.id, kind="elderly_care", visited_at="2026-09-23T07:33:00")]  # no zone: Beijing time
    applied = {r["entity"]["uuid"]: r["entity"] for r in sync(batch).get_json()["results"]}
    pulled = {v["uuid"]: v for v in client.get("/api/v1/sync?since=0").get_json()["changes"]["visits"]}
    assert applied == pulled
    assert applied[batch[0]["id"]]["notes"] == "楼道灯坏了"
    assert applied[batch[1]["id"]]["visited_at"] == "2026-09-22T23:33:00+00:00"


def seq(cursor: str) -> int:
    """The change number of a cursor ("<change number>.<scope fingerprint>")."""
    return int(cursor.split(".")[0])


def test_change_numbers_after_a_bulk_run_are_ordered_and_the_cursor_never_runs_ahead(head, sync, client):
    _, (first, second) = head
    before = client.get("/api/v1/sync?since=0").get_json()["cursor"]
    pushed = sync([visit(first.id), visit(second.id), visit(first.id)]).get_json()
    assert {r["status"] for r in pushed["results"]} == {"applied"}
    db.session.rollback()
    seqs = set(db.session.scalars(select(Visit.change_seq)))
    assert len(seqs) == 1 and seq(before) < seqs.pop() <= seq(pushed["cursor"]) <= current_cursor(db.session)
    # The households come again (their last-visit dates moved) though their rows were not rewritten.
    households = client.get(f"/api/v1/sync?since={before}").get_json()["changes"]["households"]
    assert sorted(h["id"] for h in households) == sorted([first.id, second.id])
    assert all(h["last_visit_at"] == "2026-09-22T23:33:00+00:00" for h in households)
    # A later write gets a later number: pulling from the push's cursor gives it, and nothing already seen.
    later = sync([note_item(first.id, "后来")]).get_json()
    assert later["results"][0]["status"] == "applied" and seq(later["cursor"]) > seq(pushed["cursor"])
    changes = client.get(f"/api/v1/sync?since={pushed['cursor']}").get_json()["changes"]
    assert changes["visits"] == [] and [h["id"] for h in changes["households"]] == [first.id]


def test_a_forbidden_or_missing_household_inside_a_run_refuses_only_that_item(head, sync, make_household):
    _, (first, second) = head
    elsewhere = make_household()
    batch = [visit(first.id), visit(elsewhere.id), visit(999_999), visit(second.id)]
    results = sync(batch).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "applied"]
    assert results[1]["error"]["code"] == "forbidden" and results[2]["error"]["code"] == "not_found"
    assert count(Visit) == 2


@pytest.mark.parametrize("role", ["resident", "building_head", "staff", "street", "admin", "department", "other_head"])
def test_the_batch_form_of_the_visit_rule_answers_as_can_does(role, make_building, make_household, make_user):
    building = make_building()
    mine = make_household(building)
    households = [mine, make_household(building), make_household(), make_household(make_building(community=building.community))]
    scopes = {"resident": (Role.RESIDENT, mine), "building_head": (Role.BUILDING_HEAD, building),
              "staff": (Role.STAFF, building.community), "street": (Role.STREET, building.community.street),
              "admin": (Role.ADMIN, None), "department": (Role.DEPARTMENT, None),
              "other_head": (Role.BUILDING_HEAD, make_building())}
    user = make_user(*scopes[role])
    one_by_one = [can(user, "visit.add", h) for h in households]
    assert can_each(user, "visit.add", households) == one_by_one
    rows = db.session.execute(select(Household.id, Household.building_id).where(Household.id.in_([h.id for h in households]))
                              .order_by(Household.id)).all()  # the light rows the sync engine passes
    assert can_each(user, "visit.add", rows) == [can(user, "visit.add", h) for h in sorted(households, key=lambda h: h.id)]
    user.active = False
    assert can_each(user, "visit.add", households) == [False] * 4


def test_a_household_comes_again_when_a_visit_to_it_is_recorded_one_by_one(head, sync, client):
    """The one-by-one path (a visit with a need to report) leaves the household row alone too."""
    _, (_first, second) = head
    before = client.get("/api/v1/sync?since=0").get_json()["cursor"]
    result = sync([visit(second.id, needs=[{"text": "楼道灯坏了", "status": "to_report"}])]).get_json()["results"][0]
    assert result["status"] == "applied"
    changes = client.get(f"/api/v1/sync?since={before}").get_json()["changes"]
    assert [h["id"] for h in changes["households"]] == [second.id]
    assert changes["households"][0]["last_visit_at"] is not None
    assert [v["uuid"] for v in changes["visits"]] == [result["entity"]["uuid"]]


def test_two_devices_pushing_the_same_visits_at_once_apply_them_once(app, monkeypatch, make_building, make_household,
                                                                     make_user):
    """Both read "not sent yet" before either writes; the loser's run fails on the records' key and
    falls back to one by one, which answers duplicate — the same visits, created once."""
    import threading

    from app.models import User
    from app.sync import services

    building = make_building()
    households = [make_household(building).id for _ in range(3)]
    user_id = make_user(Role.BUILDING_HEAD, building).id
    batch = [visit(h) for h in households]
    both_read = threading.Barrier(2)
    end_read = services._end_read

    def wait_for_the_other(session):
        end_read(session)
        both_read.wait(timeout=10)

    monkeypatch.setattr(services, "_end_read", wait_for_the_other)
    answers: dict[str, list[dict]] = {}

    def device(name):
        with app.test_request_context("/api/v1/sync", method="POST"):
            user = db.session.get(User, user_id)
            from app.clock import utcnow

            answers[name] = services.push_batch(db.session, user, batch, client_id=name, now=utcnow())[0]
            db.session.remove()

    threads = [threading.Thread(target=device, args=(f"tab-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(tuple(r["status"] for r in results) for results in answers.values())
    assert statuses == [("applied",) * 3, ("duplicate",) * 3]
    assert [r["entity"] for r in answers["tab-0"]] == [r["entity"] for r in answers["tab-1"]]
    assert count(Visit) == 3 and count(SyncMutation) == 3


@pytest.fixture
def one_by_one(monkeypatch):
    """The ids the engine applies one by one (apply_mutation), recorded while it still does so."""
    from app.sync import services

    seen: list[str] = []
    apply_one = services.apply_mutation

    def record(session, user, raw, **kwargs):
        seen.append(raw.get("id") if isinstance(raw, dict) else raw)
        return apply_one(session, user, raw, **kwargs)

    monkeypatch.setattr(services, "apply_mutation", record)
    return seen


def test_a_run_of_valid_visits_goes_in_bulk_and_its_records_hold_the_answers(head, sync, one_by_one):
    _, (first, second) = head
    batch = [visit(first.id, notes="一"), visit(second.id, needs=[{"text": "扶手松了"}]), visit(first.id, kind="survey")]
    results = sync(batch).get_json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 3
    assert one_by_one == []  # not one of them went the slow way
    db.session.rollback()
    stored = {r.id: r for r in db.session.scalars(select(SyncMutation))}
    assert [stored[item["id"]].result for item in batch] == results  # the stored answers, read back as JSON
    assert {r.status for r in stored.values()} == {"applied"} and {r.client_id for r in stored.values()} == {"device-1"}
    again = sync(batch).get_json()["results"]
    assert [r["status"] for r in again] == ["duplicate"] * 3
    assert [r["entity"] for r in again] == [r["entity"] for r in results]


def test_an_invalid_item_in_a_batch_is_refused_alone_and_its_neighbours_still_go_in_bulk(head, sync, one_by_one):
    """The batch is checked in one pass of pydantic when every item is valid; one that is not
    sends the check back item by item, and only that item is refused."""
    _, (first, second) = head
    batch = [visit(first.id), visit(second.id), visit(first.id, kind="picnic"), visit(second.id), visit(first.id)]
    bad_envelope = {"id": "not-a-uuid", "type": "visit.add", "payload": {"household_id": first.id}}
    batch.append(bad_envelope)
    batch.append(visit(second.id, notes="最后"))
    results = sync(batch).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "rejected", "applied", "applied", "rejected", "applied"]
    assert results[2]["error"]["code"] == "invalid" and "kind" in results[2]["error"]["fields"]
    assert results[5]["error"]["code"] == "invalid" and "id" in results[5]["error"]["fields"]
    assert one_by_one == [batch[2]["id"], "not-a-uuid", batch[6]["id"]]  # a run of one goes one by one too
    assert count(Visit) == 5 and count(SyncMutation) == 6  # the refusal with a valid id is remembered


def test_insert_many_refuses_to_skip_a_python_side_default(app):
    from app.database import insert_many

    with pytest.raises(ValueError, match="created_at"):
        insert_many(db.session, SyncMutation.__table__, ("id", "user_id", "client_id", "type", "status", "result"), [])


def test_insert_many_stores_what_core_would(make_user):
    """Values go through their column types (aware time → naive UTC, JSON given as text)."""
    from datetime import UTC, datetime, timedelta, timezone

    from app import database

    user = make_user(Role.BUILDING_HEAD)
    beijing = datetime(2026, 9, 23, 7, 33, tzinfo=timezone(timedelta(hours=8)))
    rows = [(new_id(), user.id, "d", "visit.add", "applied", f'{{"n": {n}}}', beijing) for n in range(5)]
    database.insert_many(db.session, SyncMutation.__table__,
                         ("id", "user_id", "client_id", "type", "status", "result", "created_at"), rows, as_is=("result",))
    db.session.commit()
    stored = {r.id: r for r in db.session.scalars(select(SyncMutation))}
    assert [stored[row[0]].result for row in rows] == [{"n": n} for n in range(5)]
    assert {r.created_at for r in stored.values()} == {datetime(2026, 9, 22, 23, 33, tzinfo=UTC)}


def test_the_first_runs_checks_are_read_before_the_writes_begin(head, sync, monkeypatch):
    """On SQLite that keeps the household and permission reads out of the write lock; a run after
    another write is checked when it comes, as it may depend on that write."""
    from app.sync import services

    events: list[str] = []
    check, end_read = services._check_run, services._end_read
    monkeypatch.setattr(services, "_check_run", lambda *a, **k: events.append("check") or check(*a, **k))
    monkeypatch.setattr(services, "_end_read", lambda session: events.append("end read") or end_read(session))
    _, (first, second) = head
    sent = visit(first.id)
    sync([sent])
    events.clear()
    results = sync([sent, visit(first.id), visit(second.id)]).get_json()["results"]  # a retried item, then a run
    assert [r["status"] for r in results] == ["duplicate", "applied", "applied"]
    assert events == ["check", "end read"]
    events.clear()
    results = sync([note_item(first.id, "先"), visit(first.id), visit(second.id)]).get_json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 3
    assert events == ["end read", "check"]


def test_a_visit_recorded_one_by_one_is_answered_as_a_pull_gives_it(head, sync, client):
    """The same entity whichever path applied it: times in UTC, as the bulk path and a pull give them."""
    _, (first, _second) = head
    result = sync([visit(first.id, needs=[{"text": "楼道灯坏了", "status": "to_report"}])]).get_json()["results"][0]
    pulled = client.get("/api/v1/sync?since=0").get_json()["changes"]["visits"]
    assert result["entity"]["visited_at"] == "2026-09-22T23:33:00+00:00"
    assert [result["entity"]] == pulled
