"""The desk's counts and cards kept between requests (app/problems/desk.py): read again only when the asker's
buildings' problems_version moved (raised by the database's triggers, migration 0028) or a deadline passed —
so whatever wrote the change, the app or a hand-written statement, the next page shows it."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import Role
from app.problems import desk
from tests.problems.desk_pages import T0, desk_table, report, tier_counts
from tests.query_count import counted


@pytest.fixture
def desk_of(client, login, world, frozen_clock):
    """The staff desk as its page reads, after two problems: one past its 12 hours, one not yet."""
    frozen_clock.set(T0 + timedelta(hours=13))
    report(world, "单元门锁坏了", household=world.household)
    report(world, "楼道灯不亮", at=T0 + timedelta(hours=10))
    login(world.staff)

    def page() -> str:
        response = client.get("/issues/queue")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return page


def test_a_desk_read_again_with_nothing_written_is_not_counted_again(desk_of):
    first = desk_of()
    with counted() as statements:
        again = desk_of()
    assert tier_counts(first) == tier_counts(again) == (1, 0, 2)
    assert desk_table(first) == desk_table(again)
    assert not [s for s in statements if "FILTER" in s]  # the counts came from what this worker kept
    assert len(desk.kept) == 1


def test_an_answer_through_the_page_shows_on_the_next_request(client, desk_of, world):
    assert tier_counts(desk_of()) == (1, 0, 2)
    problem = db.session.scalar(text("SELECT id FROM problem WHERE text = '单元门锁坏了'"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"/issues/{problem}").get_data(as_text=True))
    response = client.post(f"/issues/{problem}/update", data={"csrf_token": token.group(1),
                                                             "update-csrf_token": token.group(1),
                                                             "update-text": "已联系物业,明天上午来修"})
    assert response.status_code == 302
    assert tier_counts(desk_of()) == (0, 0, 2)


@pytest.mark.parametrize("statement, expected", [
    # Hand-written statements, none through the app: only the database's triggers can tell the desk.
    ("UPDATE problem SET status = 'resolved' WHERE text = '楼道灯不亮'", (1, 0, 1)),
    ("UPDATE problem SET is_deleted = :yes WHERE text = '单元门锁坏了'", (0, 0, 1)),
    ("DELETE FROM problem_event WHERE problem_id IN (SELECT id FROM problem WHERE text = '楼道灯不亮');"
     "DELETE FROM problem WHERE text = '楼道灯不亮'", (1, 0, 1)),
])
def test_a_problem_written_by_any_statement_shows_on_the_next_request(desk_of, statement, expected):
    assert tier_counts(desk_of()) == (1, 0, 2)
    for part in statement.split(";"):
        db.session.execute(text(part), {"yes": True})
    db.session.commit()
    assert tier_counts(desk_of()) == expected


def test_a_problem_reported_elsewhere_in_the_community_shows_on_the_next_request(desk_of, world, make_building):
    assert tier_counts(desk_of()) == (1, 0, 2)
    report(world, "电梯停了", at=T0 + timedelta(hours=12, minutes=30),
           building=make_building("9号楼", community=world.household.building.community))
    html = desk_of()
    assert tier_counts(html) == (1, 0, 3) and "电梯停了" in desk_table(html)


def test_a_households_room_and_a_buildings_name_changed_show_on_the_next_request(desk_of, world):
    assert "302" in desk_table(desk_of())
    world.household.room = "402"  # as the ledger's edit writes it (a new change number: the card's own key)
    db.session.commit()
    html = desk_of()
    assert "402" in desk_table(html) and "302" not in desk_table(html)
    db.session.execute(text("UPDATE building SET name = '六号楼' WHERE id = :id"), {"id": world.household.building_id})
    db.session.commit()  # by hand: the building has no change number, the trigger alone tells the desk
    assert "六号楼" in desk_table(desk_of())


def test_a_building_moved_out_of_the_community_leaves_the_desk_on_the_next_request(desk_of, world, make_building):
    assert tier_counts(desk_of()) == (1, 0, 2)
    elsewhere = make_building("1号楼")  # another street's community
    db.session.execute(text("UPDATE building SET community_id = :c WHERE id = :id"),
                       {"c": elsewhere.community_id, "id": world.household.building_id})
    db.session.commit()
    assert tier_counts(desk_of()) == (0, 0, 0)


def test_buildings_swapped_between_communities_show_though_their_versions_add_up_the_same(desk_of, world,
                                                                                          make_building):
    """One building leaves the community as another joins it, and (written by hand) the newcomer's version is
    what the leaver's was: the count and the sum of versions are as before; which buildings they are is not."""
    assert tier_counts(desk_of()) == (1, 0, 2)
    ours = world.household.building
    theirs = make_building("1号楼")  # another street's
    report(world, "垃圾没人清", building=theirs)
    before = db.session.scalar(text("SELECT problems_version FROM building WHERE id = :id"), {"id": ours.id})
    db.session.execute(text("UPDATE building SET community_id = :c WHERE id = :id"),
                       {"c": theirs.community_id, "id": ours.id})
    db.session.execute(text("UPDATE building SET community_id = :c WHERE id = :id"),
                       {"c": world.staff.roles[0].community_id, "id": theirs.id})
    db.session.execute(text("UPDATE building SET problems_version = :v WHERE id = :id"), {"v": before, "id": theirs.id})
    db.session.commit()
    html = desk_of()
    assert tier_counts(html) == (1, 0, 1) and "垃圾没人清" in desk_table(html) and "单元门锁坏了" not in desk_table(html)


def test_a_deadline_passing_moves_a_problem_to_overdue_with_nothing_written(desk_of, frozen_clock):
    assert tier_counts(desk_of()) == (1, 0, 2)
    frozen_clock.set(T0 + timedelta(hours=22, minutes=1))  # 楼道灯不亮, reported at 10 h, was due at 22 h
    assert tier_counts(desk_of()) == (2, 0, 2)


def test_each_desk_keeps_its_own_scope(client, login, desk_of, world, make_user):
    assert tier_counts(desk_of()) == (1, 0, 2)
    report(world, "垃圾没人清", building=world.other_household.building, household=world.other_household)
    other = make_user(Role.STAFF, world.other_household.building.community, name="孙主任")
    login(other)
    html = client.get("/issues/queue").get_data(as_text=True)
    assert tier_counts(html) == (1, 0, 1) and "垃圾没人清" in desk_table(html) and "单元门锁坏了" not in desk_table(html)
    login(world.staff)
    assert tier_counts(desk_of()) == (1, 0, 2)


def test_a_colleague_added_is_offered_on_the_next_request(desk_of, world, make_user):
    assert "周干事" not in desk_of()
    make_user(Role.STAFF, world.household.building.community, name="周干事")
    assert "周干事" in desk_of()


def test_every_write_to_a_buildings_problems_raises_its_version(world):
    """The triggers themselves, on the database the suite runs on (a later migration that rebuilt one of these
    tables on SQLite would have dropped them)."""
    building = world.household.building

    def version() -> int:
        return db.session.scalar(text("SELECT problems_version FROM building WHERE id = :id"), {"id": building.id})

    start = version()
    problem = report(world, "单元门锁坏了", household=world.household)
    assert version() > start
    steps = [version()]
    for statement in ("UPDATE problem SET text = '单元门锁又坏了' WHERE id = :id",
                      "UPDATE household SET unit = '5门' WHERE id = :household",
                      "UPDATE building SET name = '六号楼' WHERE id = :building",
                      "UPDATE building SET address = '方庄路6号' WHERE id = :building"):
        db.session.execute(text(statement), {"id": problem.id, "household": world.household.id, "building": building.id})
        db.session.commit()
        steps.append(version())
    # Each write raised it, except the address, which no card prints.
    assert steps[0] < steps[1] < steps[2] < steps[3] == steps[4]
