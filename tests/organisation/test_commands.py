"""The set-up commands as the pages run them: what each writes, and what each refuses with nothing changed."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from app.clock import utcnow
from app.commands import Context, Refused, execute
from app.extensions import db
from app.models import Building, Community, Department, Household, Room
from tests.organisation.conftest import snapshot


def run(user, name: str, payload: dict):
    """Run a command as `user` and commit, as a page does."""
    result = execute(name, Context(session=db.session, user=user, now=utcnow()), payload)
    db.session.commit()
    return result


def refused(user, name: str, payload: dict) -> Refused:
    """Run a command that must be refused; check nothing changed; return the refusal."""
    before = snapshot()
    with pytest.raises(Refused) as caught:
        execute(name, Context(session=db.session, user=user, now=utcnow()), payload)
    db.session.rollback()
    assert snapshot() == before
    return caught.value


def rooms(building) -> list[tuple[str, int | None, str]]:
    """(unit, floor, number) of the building's rooms, in order."""
    return [tuple(r) for r in db.session.execute(select(Room.unit, Room.floor, Room.number)
                                                 .where(Room.building_id == building.id)
                                                 .order_by(Room.unit, Room.floor, Room.number))]


def test_rooms_generated_from_units_floors_and_rooms_per_floor(org, people):
    """Units 1门,2门 × 6 floors × 3 a floor: 101,102,103 … 603 in each unit; the six the building had are kept."""
    building = run(people["staff"], "organisation.building.save",
                   {"community_id": org.community.id, "name": "7号楼", "address": "芳群园一区7号楼"})
    result = run(people["staff"], "organisation.rooms.generate",
                 {"building_id": building["id"], "units": ["1门", "2门"], "floors": 6, "per_floor": 3})
    assert result["added"] == 36
    seven = db.session.get(Building, building["id"])
    got = rooms(seven)
    assert got[:4] == [("1门", 1, "101"), ("1门", 1, "102"), ("1门", 1, "103"), ("1门", 2, "201")]
    assert got[-1] == ("2门", 6, "603") and len(got) == 36
    again = run(people["staff"], "organisation.rooms.generate",
                {"building_id": org.building.id, "units": ["1门", "2门"], "floors": 2, "per_floor": 3})
    assert again["added"] == 6  # 201–203 of each unit: the first floor was there already
    assert len(rooms(org.building)) == 12


def test_too_many_rooms_are_refused(org, people):
    """A typo of 400 floors is caught before anything is written."""
    refusal = refused(people["street"], "organisation.rooms.generate",
                      {"building_id": org.building.id, "units": ["1门", "2门", "3门"], "floors": 99, "per_floor": 40})
    assert "floors" in refusal.fields


def test_a_room_is_added_renumbered_and_removed(org, people):
    """Add 1门 104; renumber it 1门 105 on floor 1; remove it."""
    room = run(people["staff"], "organisation.room.save",
               {"building_id": org.building.id, "unit": "1门", "floor": 1, "number": "104"})
    run(people["staff"], "organisation.room.save",
        {"room_id": room["id"], "building_id": org.building.id, "unit": "1门", "floor": 1, "number": "105"})
    assert ("1门", 1, "105") in rooms(org.building) and ("1门", 1, "104") not in rooms(org.building)
    run(people["staff"], "organisation.room.remove", {"room_id": room["id"]})
    assert ("1门", 1, "105") not in rooms(org.building)


def test_a_room_someone_is_on_record_in_stays(org, people):
    """1门 101 has a household in the ledger: removing it is refused; renumbering takes the household along."""
    room = db.session.scalar(select(Room).where(Room.building_id == org.building.id, Room.unit == "1门", Room.number == "101"))
    refusal = refused(people["admin"], "organisation.room.remove", {"room_id": room.id})
    assert "on record" in refusal.message or "登记" in refusal.message
    run(people["staff"], "organisation.room.save",
        {"room_id": room.id, "building_id": org.building.id, "unit": "1门", "floor": 1, "number": "1101"})
    household = db.session.get(Household, org.household.id)
    assert (household.unit, household.room) == ("1门", "1101")


def test_a_room_number_taken_is_refused(org, people):
    """Renumbering 1门 102 as 1门 103 (which exists) is refused on the number; nothing changes."""
    room = db.session.scalar(select(Room).where(Room.building_id == org.building.id, Room.unit == "1门", Room.number == "102"))
    refusal = refused(people["staff"], "organisation.room.save",
                      {"room_id": room.id, "building_id": org.building.id, "unit": "1门", "floor": 1, "number": "103"})
    assert "number" in refusal.fields


def test_names_already_taken_are_refused(org, people):
    """A second 芳群园一区 in the street, a second 6号楼 in the community, a second street of a name: refused."""
    assert "name" in refused(people["street"], "organisation.community.save",
                             {"street_id": org.street.id, "name": "芳群园一区"}).fields
    assert "name" in refused(people["staff"], "organisation.building.save",
                             {"community_id": org.community.id, "name": "6号楼"}).fields
    assert "name" in refused(people["admin"], "organisation.street.save", {"name": "右安门街道"}).fields
    assert "name" in refused(people["street"], "organisation.department.save",
                             {"street_id": org.street.id, "name": "方庄物业服务中心", "kind": "city"}).fields


def test_community_settings(org, people):
    """The street sets a community's feedback hours and vote defaults."""
    run(people["street"], "organisation.community.save",
        {"community_id": org.community.id, "street_id": org.street.id, "name": "芳群园一区",
         "feedback_hours": 24, "vote_quorum": 0.6, "vote_threshold": 0.67})
    community = db.session.get(Community, org.community.id)
    assert (community.feedback_hours, community.vote_quorum, community.vote_threshold) == (24, 0.6, 0.67)


def test_a_community_of_another_street_is_not_found_through_this_one(org, people):
    """Editing a community by naming another street's id in the payload is refused."""
    refusal = refused(people["admin"], "organisation.community.save",
                      {"community_id": org.community.id, "street_id": org.other_street.id, "name": "x"})
    assert refusal.code == "not_found"


def test_the_property_company_serves_the_buildings_chosen(org, people):
    """A building gets its property company from the company's page, and loses it when unticked."""
    seven = run(people["staff"], "organisation.building.save", {"community_id": org.community.id, "name": "7号楼"})
    run(people["street"], "organisation.department.buildings",
        {"department_id": org.company.id, "building_ids": [org.building.id, seven["id"]]})
    assert db.session.get(Building, seven["id"]).property_department_id == org.company.id
    run(people["street"], "organisation.department.buildings", {"department_id": org.company.id, "building_ids": [seven["id"]]})
    assert db.session.get(Building, org.building.id).property_department_id is None


def test_a_city_department_serves_no_building(org, people):
    """Only a property company serves buildings; a building's property company must be one."""
    city = run(people["street"], "organisation.department.save",
               {"street_id": org.street.id, "name": "城管执法队", "kind": "city", "duty_phone": "010-67610002"})
    assert "building_ids" in refused(people["street"], "organisation.department.buildings",
                                     {"department_id": city["id"], "building_ids": [org.building.id]}).fields
    assert "property_department_id" in refused(people["staff"], "organisation.building.save", {
        "building_id": org.building.id, "community_id": org.community.id, "name": "6号楼",
        "property_department_id": city["id"]}).fields
    assert db.session.get(Department, city["id"]).duty_phone == "010-67610002"


def test_staff_of_another_community_may_not_touch_these_buildings(org, people):
    """Forbidden, and nothing changed."""
    before = snapshot()
    with pytest.raises(Forbidden):
        execute("organisation.rooms.generate", Context(session=db.session, user=people["other_staff"], now=utcnow()),
                {"building_id": org.building.id, "units": ["3门"], "floors": 1, "per_floor": 1})
    db.session.rollback()
    assert snapshot() == before


def test_a_property_company_serving_buildings_stays_one(org, people):
    """Turning 方庄物业服务中心 into a city department while it serves 6号楼 is refused on its kind."""
    run(people["street"], "organisation.department.buildings",
        {"department_id": org.company.id, "building_ids": [org.building.id]})
    refusal = refused(people["street"], "organisation.department.save", {
        "department_id": org.company.id, "street_id": org.street.id, "name": "方庄物业服务中心", "kind": "city"})
    assert "kind" in refusal.fields
