"""The workbook import: every row checked against the others and the database, then written at once.

`plan()` reads only: what each row would do (new / changed / unchanged) and every error, named by
sheet, row and column. `apply()` writes a plan without errors: the few communities, buildings and
departments through the ORM, the rooms (tens of thousands for a whole street) in bulk statements.
Rooms, buildings and communities absent from the workbook are left as they are: importing adds and
updates, it never removes.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app.database import insert_many
from app.models import Building, Community, Department, DepartmentKind, Room, Street
from app.organisation.workbook import SHEET_BY_KEY, SHEETS, WorkbookIn
from app.spreadsheets import RowError

NEW, CHANGED, UNCHANGED, WRONG = "new", "changed", "unchanged", "wrong"
STATUSES = (NEW, CHANGED, UNCHANGED, WRONG)


@dataclass
class Plan:
    """What importing a workbook into a street would do."""

    data: WorkbookIn
    status: dict[str, list[str]] = field(default_factory=lambda: {s.key: [] for s in SHEETS})
    errors: list[RowError] = field(default_factory=list)
    communities: dict[str, Community] = field(default_factory=dict)  # by name, existing ones
    departments: dict[str, Department] = field(default_factory=dict)  # by name, all existing
    buildings: dict[tuple[str, str], Building] = field(default_factory=dict)  # (community, name), existing
    rooms: dict[tuple[int, str, str], tuple[int, int | None]] = field(default_factory=dict)  # -> (id, floor)
    serving: set[int] = field(default_factory=set)  # the property companies some building has

    def counts(self) -> dict[str, dict[str, int]]:
        """Per sheet (payload key): how many rows are new, changed, unchanged and wrong."""
        return {key: {s: Counter(statuses)[s] for s in STATUSES} for key, statuses in self.status.items()}

    def error(self, key: str, row: int, column: str, message: str) -> None:
        """Note a wrong cell of sheet `key` (the row's status is WRONG)."""
        self.errors.append(RowError(row, column, message, SHEET_BY_KEY[key].name))
        self.status[key].append(WRONG)


def _load(session: Session, plan: Plan, street: Street) -> None:
    plan.communities = {c.name: c for c in session.scalars(select(Community).where(Community.street_id == street.id))}
    plan.departments = {d.name: d for d in session.scalars(select(Department))}
    plan.serving = set(session.scalars(select(Building.property_department_id).where(
        Building.property_department_id.is_not(None)).distinct()))
    by_id = {c.id: c for c in plan.communities.values()}
    for building in session.scalars(select(Building).where(Building.community_id.in_(list(by_id) or [-1]))):
        plan.buildings[(by_id[building.community_id].name, building.name)] = building
    rooms = session.execute(select(Room.building_id, Room.unit, Room.number, Room.id, Room.floor)
                            .join(Building, Building.id == Room.building_id)
                            .where(Building.community_id.in_(list(by_id) or [-1])))
    plan.rooms = {(b, u, n): (i, f) for b, u, n, i, f in rooms}


def _once(plan: Plan, key: str, row: int, column: str, seen: dict, ident: Any) -> bool:
    if ident in seen:
        plan.error(key, row, column, _("Already on row %(row)s.", row=seen[ident]))
        return False
    seen[ident] = row
    return True


def _departments(plan: Plan, street: Street) -> dict[str, DepartmentKind]:
    kinds, seen = {}, {}
    for row in plan.data.departments:
        status = UNCHANGED
        if not _once(plan, "departments", row.row, "名称", seen, row.name):
            continue
        kinds[row.name] = row.kind
        existing = plan.departments.get(row.name)
        if existing is None:
            status = NEW
        elif existing.street_id not in (None, street.id):
            plan.error("departments", row.row, "名称", _("Another street has a department of this name."))
            continue
        elif existing.kind == DepartmentKind.PROPERTY != row.kind and existing.id in plan.serving:
            plan.error("departments", row.row, "类型", _("This property company serves buildings: give them another one first."))
            continue
        elif existing.kind != row.kind or (row.duty_phone and existing.duty_phone != row.duty_phone):
            status = CHANGED
        plan.status["departments"].append(status)
    return kinds


def _communities(plan: Plan) -> set[str]:
    seen: dict = {}
    for row in plan.data.communities:
        if not _once(plan, "communities", row.row, "名称", seen, row.name):
            continue
        existing = plan.communities.get(row.name)
        if existing is None:
            plan.status["communities"].append(NEW)
        elif row.feedback_hours is not None and row.feedback_hours != existing.feedback_hours:
            plan.status["communities"].append(CHANGED)
        else:
            plan.status["communities"].append(UNCHANGED)
    return set(seen)


def _buildings(plan: Plan, communities: set[str], kinds: dict[str, DepartmentKind]) -> set[tuple[str, str]]:
    seen: dict = {}
    for row in plan.data.buildings:
        if row.community not in communities and row.community not in plan.communities:
            plan.error("buildings", row.row, "社区", _("No such community: add it on the 社区 sheet."))
            continue
        if not _once(plan, "buildings", row.row, "楼栋", seen, (row.community, row.name)):
            continue
        company = plan.departments.get(row.property)
        if row.property and kinds.get(row.property, company.kind if company else None) != DepartmentKind.PROPERTY:
            plan.error("buildings", row.row, "物业", _("No such property company: add it on the 部门 sheet as 物业."))
            continue
        existing = plan.buildings.get((row.community, row.name))
        if existing is None:
            plan.status["buildings"].append(NEW)
        elif ((row.address and row.address != existing.address)
              or (row.property and (company is None or company.id != existing.property_department_id))):
            plan.status["buildings"].append(CHANGED)
        else:
            plan.status["buildings"].append(UNCHANGED)
    return set(seen)


def _rooms(plan: Plan, buildings: set[tuple[str, str]]) -> None:
    seen: dict = {}
    statuses = plan.status["rooms"]
    for row in plan.data.rooms:
        where = (row.community, row.building)
        if where not in buildings and where not in plan.buildings:
            plan.error("rooms", row.row, "楼栋", _("No such building: add it on the 楼栋 sheet."))
            continue
        if not _once(plan, "rooms", row.row, "房号", seen, (row.community, row.building, row.unit, row.number)):
            continue
        building = plan.buildings.get(where)
        existing = plan.rooms.get((building.id, row.unit, row.number)) if building is not None else None
        if existing is None:
            statuses.append(NEW)
        elif row.floor is not None and row.floor != existing[1]:
            statuses.append(CHANGED)
        else:
            statuses.append(UNCHANGED)


def plan(session: Session, street: Street, data: WorkbookIn) -> Plan:
    """What importing `data` into `street` would do, and every row that is wrong. Reads only."""
    result = Plan(data)
    _load(session, result, street)
    kinds = _departments(result, street)
    communities = _communities(result)
    buildings = _buildings(result, communities, kinds)
    _rooms(result, buildings)
    order = {s.name: i for i, s in enumerate(SHEETS)}
    result.errors.sort(key=lambda e: (order.get(e.sheet, 9), e.row))
    return result


def apply(session: Session, street: Street, plan: Plan) -> None:
    """Write a plan without errors: new rows added, changed ones updated, unchanged ones untouched."""
    assert not plan.errors, "a plan with errors is never written"
    data = plan.data
    for row, status in zip(data.departments, plan.status["departments"], strict=True):
        if status == NEW:
            plan.departments[row.name] = department = Department(name=row.name, kind=row.kind, street_id=street.id)
            session.add(department)
        department = plan.departments[row.name]
        department.kind = row.kind
        if row.duty_phone:
            department.duty_phone = row.duty_phone
    for row, status in zip(data.communities, plan.status["communities"], strict=True):
        if status == NEW:
            plan.communities[row.name] = Community(street_id=street.id, name=row.name, feedback_hours=row.feedback_hours or 12)
            session.add(plan.communities[row.name])
        elif status == CHANGED:
            plan.communities[row.name].feedback_hours = row.feedback_hours
    session.flush()
    for row, status in zip(data.buildings, plan.status["buildings"], strict=True):
        building = plan.buildings.get((row.community, row.name))
        if status == NEW:
            building = Building(community_id=plan.communities[row.community].id, name=row.name)
            plan.buildings[(row.community, row.name)] = building
            session.add(building)
        if status != UNCHANGED:
            building.address = row.address or building.address or ""
            if row.property:
                building.property_department_id = plan.departments[row.property].id
    session.flush()
    _write_rooms(session, plan)


def _write_rooms(session: Session, plan: Plan) -> None:
    new, moved = [], []
    for row, status in zip(plan.data.rooms, plan.status["rooms"], strict=True):
        if status == UNCHANGED:
            continue
        building_id = plan.buildings[(row.community, row.building)].id
        if status == NEW:
            new.append((building_id, row.unit, row.floor, row.number))
        else:
            moved.append({"room_id": plan.rooms[(building_id, row.unit, row.number)][0], "new_floor": row.floor})
    insert_many(session, Room.__table__, ("building_id", "unit", "floor", "number"), new)
    if moved:
        table = Room.__table__
        session.connection().execute(update(table).where(table.c.id == bindparam("room_id"))
                                     .values(floor=bindparam("new_floor")), moved)
