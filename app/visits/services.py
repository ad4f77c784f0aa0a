"""Visit and ledger rules 走访 / 台账: recording visits, last-visit dates, coverage, follow-ups."""
from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter

from flask_babel import gettext as _
from sqlalchemy import Select, exists, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from app.commands import Refused
from app.database import insert_many
from app.models import Building, Household
from app.uploads.services import link_attachments
from app.visits.models import NeedStatus, Visit, VisitKind, VisitNeed
from app.visits.schemas import VisitIn

CARE_FLAGS = ("empty_nest", "lives_alone", "limited_mobility", "no_smartphone")


def check_visit(data: VisitIn, *, now: datetime) -> None:
    """The rules a visit must meet besides its schema."""
    if data.visited_at > now + timedelta(hours=1):
        raise Refused(_("The visit time is in the future."), "invalid", field="visited_at")


@dataclass(slots=True)
class NewNeed:
    """A need found on a visit, as it is stored."""

    text: str
    status: NeedStatus
    referral: str


@dataclass(slots=True)
class NewVisit:
    """A visit about to be stored: the payload's values as the visit table keeps them (texts trimmed).

    Its attributes are the Visit model's, so the serialiser devices get answers for it as for a
    stored visit (visit_json), and the visit table's row is read off it (VISIT_FIELDS).
    """

    uuid: str
    household_id: int
    visitor_id: int
    visited_at: datetime
    kind: VisitKind
    notes: str
    follow_up_on: date | None
    needs: list[NewNeed]
    id: int | None = None  # known once stored (add_visit) or reserved (reserve_visit_ids)
    follow_up_done: bool = False
    is_deleted: bool = False


def new_visit(data: VisitIn, *, uuid: str, visitor_id: int) -> NewVisit:
    """The visit a checked payload records."""
    return NewVisit(uuid, data.household_id, visitor_id, data.visited_at, data.kind, data.notes.strip(), data.follow_up_on,
                    [NewNeed(n.text.strip(), n.status, n.referral.strip()) for n in data.needs])


# The columns a NewVisit (NewNeed) gives; the writes add the rest.
STAMPS = ("change_seq", "created_at", "updated_at")
VISIT_FIELDS = tuple(c.name for c in Visit.__table__.columns if c.name not in STAMPS)
NEED_FIELDS = tuple(c.name for c in VisitNeed.__table__.columns if c.name not in ("id", "visit_id", "created_at", "updated_at"))
_visit_row, _need_row = attrgetter(*VISIT_FIELDS), attrgetter(*NEED_FIELDS)


def add_visit(session: Session, visit: NewVisit, *, attachments: list | None = None) -> Visit:
    """Store a visit with its needs and photos (the caller has checked it: `visit.add`, check_visit)."""
    stored = Visit(**{name: getattr(visit, name) for name in VISIT_FIELDS if name != "id"},
                   needs=[VisitNeed(**{name: getattr(need, name) for name in NEED_FIELDS}) for need in visit.needs])
    session.add(stored)
    session.flush()
    if attachments:
        link_attachments(session, attachments, "visit", stored.id)
    return stored


NEED_NAMESPACE = uuidlib.UUID("0b6a2f0e-6c3e-4f0e-8d61-8f7c2b1d9a44")


def need_problem_uuid(need: VisitNeed) -> str:
    """The problem report made from a need has a fixed id, so reporting twice makes one report."""
    return str(uuidlib.uuid5(NEED_NAMESPACE, f"need-{need.id}"))


def need_problem(session: Session, need: VisitNeed):
    """The problem report made from this need, if any."""
    from app.problems.models import Problem

    return session.scalar(select(Problem).where(Problem.uuid == need_problem_uuid(need)))


def refer_need(need: VisitNeed) -> None:
    """The need was reported as a problem: it is referred to the report."""
    need.status = NeedStatus.REFERRED
    need.referral = _("Problem report")


def reserve_visit_ids(session: Session, count: int) -> list[int]:
    """Ids for `count` visits about to be added by add_visits, known before they are written.

    So a sync batch can record its answers (which carry the ids) before taking the change
    number. PostgreSQL hands them out from the id sequence; SQLite's rowids simply follow the
    largest, and the transaction holds the write lock (a writer racing a deferred one would
    fail on the primary key, and the sync engine then applies the items one by one).
    """
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(text("SELECT nextval(pg_get_serial_sequence('visit', 'id')) FROM generate_series(1, :n)"),
                                    {"n": count}))
    last = session.scalar(select(func.coalesce(func.max(Visit.id), 0)))
    return list(range(last + 1, last + 1 + count))


def add_visits(session: Session, visits: list[NewVisit], *, change_seq: int, now: datetime) -> None:
    """Store many checked visits (ids from reserve_visit_ids, no photos) in one statement per table — a stairwell's worth at once.

    One executemany per table and no ORM objects (insert_many): this is the sync endpoint's hot
    path (bench/sync.py). The households' rows are left alone: a pull sends a household again
    when one of its visits changed (changed_households in app/visits/mutations.py).
    """
    stamps = (change_seq, now, now)
    insert_many(session, Visit.__table__, VISIT_FIELDS + STAMPS, [_visit_row(visit) + stamps for visit in visits])
    needs = [(visit.id, *_need_row(need), now, now) for visit in visits for need in visit.needs]
    if needs:
        insert_many(session, VisitNeed.__table__, ("visit_id", *NEED_FIELDS, "created_at", "updated_at"), needs)


def last_visits() -> Select:
    """Household id → last visit time, as a subquery."""
    return (select(Visit.household_id, func.max(Visit.visited_at).label("last_visit_at"))
            .where(Visit.is_deleted.is_(False)).group_by(Visit.household_id).subquery())


@dataclass
class LedgerRow:
    """A household in the ledger with its last visit."""

    household: Household
    last_visit_at: datetime | None


def ledger(session: Session, building: Building, *, search: str = "", flag: str = "", not_visited_days: int | None = None,
           now: datetime) -> list[LedgerRow]:
    """The building's households, filtered by room/name, care flag and "not visited in N days"."""
    last = last_visits()
    query = (select(Household, last.c.last_visit_at).outerjoin(last, last.c.household_id == Household.id)
             .where(Household.building_id == building.id, Household.is_deleted.is_(False))
             .order_by(Household.unit, Household.floor, Household.room))
    if search.strip():
        term = f"%{search.strip()}%"
        query = query.where(or_(Household.room.like(term), Household.members.like(term), Household.unit.like(term)))
    if flag in CARE_FLAGS:
        query = query.where(getattr(Household, flag).is_(True))
    if not_visited_days:
        cutoff = now - timedelta(days=not_visited_days)
        query = query.where(or_(last.c.last_visit_at.is_(None), last.c.last_visit_at < cutoff))
    return [LedgerRow(h, _aware(v)) for h, v in session.execute(query)]


def _aware(value):
    from app.clock import as_utc

    return as_utc(value)


@dataclass
class Coverage:
    """Share of a building's households visited in the last 30 and 90 days."""

    building: Building
    households: int
    visited_30: int
    visited_90: int

    @property
    def share_30(self) -> float:
        """Fraction visited within 30 days."""
        return self.visited_30 / self.households if self.households else 0.0

    @property
    def share_90(self) -> float:
        """Fraction visited within 90 days."""
        return self.visited_90 / self.households if self.households else 0.0


def coverage(session: Session, buildings: list[Building], *, now: datetime) -> list[Coverage]:
    """Coverage figures per building, in two queries whatever the number of buildings."""
    ids = [b.id for b in buildings]
    totals = dict(session.execute(select(Household.building_id, func.count()).where(
        Household.building_id.in_(ids), Household.is_deleted.is_(False)).group_by(Household.building_id)).all())
    last = last_visits()
    rows = session.execute(select(Household.building_id, last.c.last_visit_at).join(last, last.c.household_id == Household.id)
                           .where(Household.building_id.in_(ids))).all()
    v30: dict[int, int] = {}
    v90: dict[int, int] = {}
    for building_id, last_at in rows:
        age = now - _aware(last_at)
        if age <= timedelta(days=90):
            v90[building_id] = v90.get(building_id, 0) + 1
        if age <= timedelta(days=30):
            v30[building_id] = v30.get(building_id, 0) + 1
    return [Coverage(b, totals.get(b.id, 0), v30.get(b.id, 0), v90.get(b.id, 0)) for b in buildings]


def follow_ups_due(session: Session, building_ids: Select, *, today: date) -> list[Visit]:
    """Visits whose follow-up date has come, soonest first.

    A follow-up is owed until it is marked done or the household is visited again after it
    (that later visit may set a follow-up of its own).
    """
    later = aliased(Visit)
    visited_again = exists().where(later.household_id == Visit.household_id, later.visited_at > Visit.visited_at,
                                   later.is_deleted.is_(False))
    return list(session.scalars(
        select(Visit).join(Household).where(Household.building_id.in_(building_ids), Visit.follow_up_on <= today,
                                            Visit.follow_up_done.is_(False), Visit.is_deleted.is_(False),
                                            ~visited_again)
        .order_by(Visit.follow_up_on, Visit.id)))


def complete_follow_up(visit: Visit) -> None:
    """The follow-up of this visit has been made."""
    visit.follow_up_done = True


def update_household(household: Household, data) -> None:
    """Change a household's ledger entry (members, care flags, contact) to the checked values."""
    for name, value in data.model_dump(exclude={"household_id"}).items():
        setattr(household, name, value)


def set_need_status(need: VisitNeed, status: NeedStatus, referral: str = "") -> None:
    """Move a need along (open → referred → done); referral says to whom."""
    need.status = status
    if referral:
        need.referral = referral.strip()[:200]


def household_visits(session: Session, household: Household) -> list[Visit]:
    """A household's visits, newest first."""
    return list(session.scalars(select(Visit).where(Visit.household_id == household.id, Visit.is_deleted.is_(False))
                                .order_by(Visit.visited_at.desc())))
