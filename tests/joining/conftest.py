"""Joining's fixtures: a building with rooms and its ledger, its head, and a way to ask to join."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.joining.models import JoinRequest
from app.models import Role, Room
from tests.conftest import csrf_from

GOOD_PASSWORD = "qiuyue-lane-27"


@pytest.fixture
def six(make_building, make_household, make_user):
    """6号楼 with rooms 6门 201/302 and 7门 101; 6门 302 is on the ledger as 李建国、王秀英; its head."""
    building = make_building("6号楼")
    building.group_rules = "实名入群;文明发言。"
    rooms = {}
    for unit, number, floor in (("6门", "201", 2), ("6门", "302", 3), ("7门", "101", 1)):
        rooms[f"{unit} {number}"] = room = Room(building_id=building.id, unit=unit, number=number, floor=floor)
        db.session.add(room)
    db.session.commit()
    household = make_household(building, unit="6门", room="302", members="李建国、王秀英", member_count=2)
    head = make_user(Role.BUILDING_HEAD, building, name="孙楼长")
    return {"building": building, "rooms": rooms, "household": household, "head": head}


def join_form(**fields) -> dict:
    """A join page's fields, filled well, with `fields` changed."""
    data = {"rules_accepted": "y", "name": "王秀英", "phone": "13912340001", "room_id": "", "password": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def ask(client):
    """Post the join page of `building` (code: its current one unless given); the response."""

    def post(building, room, code: str | None = None, **fields):
        code = code or building.join_code
        page = client.get(f"/join/{code}")
        token = csrf_from(page.get_data(as_text=True)) if page.status_code == 200 else client.get(
            "/api/v1/csrf").get_json()["csrf_token"]
        data = join_form(room_id=str(room.id) if room is not None else "", **fields)
        return client.post(f"/join/{code}", data={**data, "csrf_token": token})

    return post


def requests() -> list[JoinRequest]:
    """Every join request stored."""
    db.session.expire_all()
    return db.session.query(JoinRequest).order_by(JoinRequest.id).all()
