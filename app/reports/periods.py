"""What a report covers: a period of Beijing calendar days and a scope (building, community, street, department).

Both come from the query string the same way for the page, the exports and the JSON API
(`scope=community:3&from=2026-09-01&to=2026-09-30`, or `month=2026-09`); a value the app never
makes is refused with a message in the person's language (BadRequest), a scope they do not
reach with 403 (permissions.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.clock import LOCAL_TZ, to_local
from app.inputs import BadInput, bounded_int, date_in_range
from app.models import Building, Community, Department, Role, Street, User

# The longest period one report covers: a year and a day (a leap year's whole year fits).
MAX_DAYS = 367


class BadReportRequest(BadInput):
    """A period or scope the app cannot read: a 400 whose message says what is wrong, in the person's language."""


@dataclass(frozen=True)
class Period:
    """Beijing calendar days `first`..`last` (inclusive), and the UTC instants [start, end) they span."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """The first instant, in UTC (midnight in Beijing)."""
        return datetime.combine(self.first, time(), LOCAL_TZ).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period, in UTC."""
        return datetime.combine(self.last + timedelta(days=1), time(), LOCAL_TZ).astimezone(UTC)

    @property
    def is_month(self) -> bool:
        """The period is one whole calendar month."""
        return self.first.day == 1 and self.last == _month_end(self.first)

    def previous(self) -> Period:
        """The month before (for a month), else the as-long period just before."""
        if self.is_month:
            last = self.first - timedelta(days=1)
            return Period(last.replace(day=1), last)
        days = (self.last - self.first).days + 1
        return Period(self.first - timedelta(days=days), self.first - timedelta(days=1))

    def args(self) -> dict[str, str]:
        """The query-string arguments that give this period back."""
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}

    def label(self) -> str:
        """2026年9月 for a month, 2026-09-01 – 2026-09-30 otherwise."""
        if self.is_month:
            return _("%(year)s-%(month)02d", year=self.first.year, month=self.first.month)
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def last_month(now: datetime) -> Period:
    """The Beijing calendar month before the one `now` falls in."""
    today = to_local(now).date()
    last = today.replace(day=1) - timedelta(days=1)
    return Period(last.replace(day=1), last)


def parse_period(args, now: datetime) -> Period:
    """The period the arguments give: `month=YYYY-MM`, or `from`/`to` dates; last month when none."""
    month, first, last = args.get("month", ""), args.get("from", ""), args.get("to", "")
    if month:
        try:
            day = datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            raise BadReportRequest(_("Give the month as YYYY-MM, e.g. 2026-09.")) from None
        return _checked(Period(day, _month_end(day)))
    if not first and not last:
        return last_month(now)
    try:
        period = Period(date.fromisoformat(first), date.fromisoformat(last))
    except ValueError:
        raise BadReportRequest(_("Give both dates as YYYY-MM-DD, e.g. from=2026-09-01&to=2026-09-30.")) from None
    _checked(period)
    if period.last < period.first:
        raise BadReportRequest(_("The period ends before it starts."))
    if (period.last - period.first).days + 1 > MAX_DAYS:
        raise BadReportRequest(_("A report covers at most a year."))
    return period


def _checked(period: Period) -> Period:
    if not (date_in_range(period.first) and date_in_range(period.last)):
        raise BadReportRequest(_("Choose dates between the years 1900 and 2999."))
    return period


KINDS = ("building", "community", "street", "department")


@dataclass(frozen=True)
class ReportScope:
    """Whose work a report counts: a building, a community, a street, or a department's work orders."""

    kind: str
    id: int
    name: str
    # The street or community above (for permission checks); None where there is none.
    community_id: int | None = None
    street_id: int | None = None

    @property
    def key(self) -> str:
        """How the query string writes it: community:3."""
        return f"{self.kind}:{self.id}"

    def building_ids(self) -> Select | None:
        """A SELECT of the scope's buildings; None for a department (its work orders, wherever they are)."""
        if self.kind == "building":
            return select(Building.id).where(Building.id == self.id)
        if self.kind == "community":
            return select(Building.id).where(Building.community_id == self.id)
        if self.kind == "street":
            return select(Building.id).join(Community).where(Community.street_id == self.id)
        return None


def find_scope(session: Session, key: str) -> ReportScope:
    """The scope `kind:id` names, or BadReportRequest."""
    kind, _sep, number = key.partition(":")
    if kind not in KINDS or not number.isdigit():
        raise BadReportRequest(_("Choose the scope as building:N, community:N, street:N or department:N."))
    found = session.get({"building": Building, "community": Community, "street": Street,
                         "department": Department}[kind], bounded_int(number))
    if found is None:
        raise BadReportRequest(_("There is no such %(kind)s.", kind=kind))
    if kind == "building":
        return ReportScope(kind, found.id, found.full_name, found.community_id, found.community.street_id)
    if kind == "community":
        return ReportScope(kind, found.id, found.name, found.id, found.street_id)
    if kind == "street":
        return ReportScope(kind, found.id, found.name, None, found.id)
    return ReportScope(kind, found.id, found.name, None, found.street_id)


def default_scope(session: Session, user: User) -> ReportScope | None:
    """The widest scope the person's roles give them (street, then community, department), or None."""
    order = {Role.ADMIN: 0, Role.STREET: 0, Role.STAFF: 1, Role.DEPARTMENT: 2}
    for assignment in sorted((a for a in user.roles if a.role in order), key=lambda a: order[a.role]):
        if assignment.role == Role.ADMIN:
            street = session.scalar(select(Street.id).order_by(Street.id))
            return find_scope(session, f"street:{street}") if street is not None else None
        value = {Role.STREET: ("street", assignment.street_id), Role.STAFF: ("community", assignment.community_id),
                 Role.DEPARTMENT: ("department", assignment.department_id)}[assignment.role]
        if value[1] is not None:
            return find_scope(session, f"{value[0]}:{value[1]}")
    return None
