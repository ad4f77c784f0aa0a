"""GET /api/v1/sync: what changed in my scope since my cursor, never skipping a late commit."""
import threading

from sqlalchemy import select

from app.extensions import db
from app.models import Household, Role
from app.models.base import next_change_seq


def pull(client, since=0):
    return client.get(f"/api/v1/sync?since={since}").get_json()


def test_pull_returns_my_buildings_households_then_only_changes(client, login, make_building, make_household, make_user):
    building = make_building("6号楼")
    mine = [make_household(building, room=str(100 + i)) for i in range(3)]
    make_household()  # someone else's building
    login(make_user(Role.BUILDING_HEAD, building))
    first = pull(client)
    assert sorted(h["id"] for h in first["changes"]["households"]) == sorted(h.id for h in mine)
    assert first["changes"]["households"][0]["label"].startswith("6号楼")
    assert pull(client, first["cursor"])["changes"]["households"] == []
    mine[1].no_smartphone = True
    db.session.commit()
    later = pull(client, first["cursor"])
    assert [h["id"] for h in later["changes"]["households"]] == [mine[1].id]
    assert later["changes"]["households"][0]["no_smartphone"] is True


def test_resident_pulls_only_their_own_household(client, login, make_household, make_user):
    home = make_household()
    make_household(home.building)
    login(make_user(Role.RESIDENT, home))
    changes = pull(client)["changes"]
    assert [h["id"] for h in changes["households"]] == [home.id]
    assert changes["visits"] == []


def test_bad_cursor(client, login, make_user):
    login(make_user())
    response = client.get("/api/v1/sync?since=abc")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "这不是服务器给出的同步位置,请从头同步(since=0)。"


def test_a_late_commit_is_never_skipped(app, make_household):
    """Writer A takes change number N and commits late; writer B cannot commit N+1 before it.

    B blocks on the counter row (PostgreSQL row lock; SQLite's write lock) until A commits, so
    when a reader sees N+1, N is visible too.
    """
    household = make_household()
    engine = db.engine
    a = engine.connect()
    b = engine.connect()
    from sqlalchemy.orm import Session

    session_a, session_b = Session(bind=a), Session(bind=b)
    n = next_change_seq(session_a)  # A holds the counter row lock, uncommitted
    got = {}

    def writer_b():
        got["b"] = next_change_seq(session_b)  # waits for A
        session_b.commit()

    thread = threading.Thread(target=writer_b)
    thread.start()
    thread.join(timeout=1.0)
    assert thread.is_alive(), "B must wait while A holds the counter"
    reader = Session(bind=engine)
    from app.sync.services import current_cursor

    assert current_cursor(reader) < n  # the reader cannot see A's number yet …
    reader.close()
    session_a.execute(select(Household).where(Household.id == household.id))
    session_a.commit()
    thread.join(timeout=10)
    assert got["b"] == n + 1  # … and B's number comes after A's commit
    session_a.close()
    session_b.close()
    a.close()
    b.close()
