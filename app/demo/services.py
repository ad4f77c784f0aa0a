"""Build (or top up) the demo street. Safe to run again: it only adds what is missing."""
from __future__ import annotations

import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo import data
from app.demo.registry import DemoWorld, feature_loaders
from app.models import (
    Building,
    Community,
    ContactPreference,
    Department,
    DepartmentKind,
    Household,
    Role,
    RoleAssignment,
    Room,
    Street,
    User,
)


def database_is_empty(session: Session) -> bool:
    """True when there is no user at all (a fresh install)."""
    return session.scalar(select(func.count()).select_from(User)) == 0


def _get_or_create(session: Session, model, defaults: dict | None = None, **keys):
    obj = session.scalar(select(model).filter_by(**keys))
    if obj is None:
        obj = model(**keys, **(defaults or {}))
        session.add(obj)
        session.flush()
    return obj


def _households(session: Session, building: Building, entrances, floors, per_floor, rng: random.Random) -> None:
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    for entrance in entrances:
        for floor in range(1, floors + 1):
            for n in range(1, per_floor + 1):
                room = f"{floor}{n:02d}"
                _get_or_create(session, Room, building_id=building.id, unit=entrance, number=room, defaults={"floor": floor})
                age_band = rng.random()
                elderly = age_band < 0.3
                _get_or_create(
                    session,
                    Household,
                    building_id=building.id,
                    unit=entrance,
                    room=room,
                    defaults={
                        "floor": floor,
                        "members": "、".join(
                            rng.choice(surnames) + rng.choice("建国秀英志强桂兰淑珍玉梅") for _ in range(rng.randint(1, 3))
                        ),
                        "member_count": rng.randint(1, 4),
                        "empty_nest": elderly and rng.random() < 0.6,
                        "lives_alone": elderly and rng.random() < 0.35,
                        "limited_mobility": elderly and rng.random() < 0.2,
                        "no_smartphone": elderly and rng.random() < 0.5,
                        "preferred_contact": ContactPreference.DOOR if elderly and rng.random() < 0.5 else ContactPreference.PUSH,
                    },
                )


def load_demo(session: Session) -> list[dict]:
    """Create the demo street, its buildings, households, departments and accounts; return the logins."""
    rng = random.Random(20260923)  # noqa: S311 — reproducible demo data, not security
    street = _get_or_create(session, Street, name=data.STREET["name"], defaults={"district": data.STREET["district"]})
    departments = {}
    for name, kind, phone in data.DEPARTMENTS:
        departments[name] = _get_or_create(
            session, Department, name=name, defaults={"kind": DepartmentKind(kind), "street_id": street.id, "duty_phone": phone}
        )
    property_company = departments[data.DEPARTMENTS[0][0]]
    communities, buildings = {}, {}
    for community_name, building_specs in data.COMMUNITIES.items():
        community = _get_or_create(session, Community, street_id=street.id, name=community_name)
        communities[community_name] = community
        for building_name, (entrances, floors, per_floor) in building_specs.items():
            building = _get_or_create(
                session,
                Building,
                community_id=community.id,
                name=building_name,
                defaults={
                    "address": f"北京市丰台区方庄{community_name}{building_name}",
                    "property_department_id": property_company.id,
                    "group_rules": "实名入群;文明发言;不发广告;有事找楼长。",
                },
            )
            buildings[(community_name, building_name)] = building
            _households(session, building, entrances, floors, per_floor, rng)

    def household(community_name, building_name, unit, room):
        building = buildings[(community_name, building_name)]
        return session.scalar(select(Household).filter_by(building_id=building.id, unit=unit, room=room))

    world = DemoWorld(street=street, communities=communities, buildings=buildings, departments=departments)
    logins = []
    for phone, name, role, scope_kind, key, extra in data.ACCOUNTS:
        user = session.scalar(select(User).where(User.phone == phone))
        if user is None:
            user = User(phone=phone, name=name, care_mode=extra.get("care", False), is_party_member=extra.get("party", False))
            user.set_password(data.DEMO_PASSWORD)
            session.add(user)
            scope = {}
            if scope_kind == "street":
                scope["street_id"] = street.id
            elif scope_kind == "community":
                scope["community_id"] = communities[key].id
            elif scope_kind == "building":
                scope["building_id"] = buildings[key].id
            elif scope_kind == "household":
                scope["household_id"] = household(*key).id
            elif scope_kind == "department":
                scope["department_id"] = departments[key].id
            user.roles.append(RoleAssignment(role=Role(role), **scope))
            if "home" in extra:  # a building head also lives in the building
                user.roles.append(RoleAssignment(role=Role.RESIDENT, household_id=household(*key, *extra["home"]).id))
            session.flush()
        world.users[phone] = user
        logins.append(
            {
                "role": role,
                "phone": phone,
                "password": data.DEMO_PASSWORD,
                "name": user.name,
                "scope": next((a.scope_name for a in user.roles if a.role.value == role), ""),
            }
        )
    for loader in feature_loaders():
        loader(session, world)
    return logins
