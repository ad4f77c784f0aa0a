"""The report's other sections: visits 走访, notices 通知, conventions and consultations, participation.

Tables like figures.py's (the page, the CSV, the XLSX and the JSON render them the same way); a link
here is a URL of an existing page (a notice's reach page) where one lists what the figure counts.
Notice reach reuses app/notices (services.reach, reach_counts): the notice page and the report agree.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from app.consultations.models import Consultation, ConsultationBuilding, ConsultationComment
from app.conventions.models import Convention, ConventionStatus, Vote
from app.joining.models import JoinRequest, JoinStatus
from app.models import Building, Household, Role, RoleAssignment
from app.notices import services as notices
from app.notices.models import Notice, NoticeTarget
from app.reports.figures import Column, Table, rate
from app.reports.periods import Period, ReportScope
from app.visits.models import Visit

CARE_UNVISITED = timedelta(days=30)  # a care-flagged household not visited in this long is listed


def _buildings(session: Session, scope: ReportScope) -> list[tuple[int, str]]:
    ids = scope.building_ids()
    if ids is None:
        return []
    return list(session.execute(select(Building.id, Building.name).where(Building.id.in_(ids)).order_by(Building.id)))


def _per_building(session: Session, query) -> Counter:
    return Counter(dict(session.execute(query.group_by(Household.building_id)).all()))


def visits(session: Session, scope: ReportScope, period: Period, buildings: list[tuple[int, str]]) -> Table:
    """Per building: households, households visited in the period and the share, and what is left to do.

    Care-flagged households not visited in the 30 days to the end; follow-ups due by the end and not done.
    """
    ids = [b for b, _name in buildings]
    live = (Household.building_id.in_(ids), Household.is_deleted.is_(False))
    households = _per_building(session, select(Household.building_id, func.count()).where(*live))
    visited = _per_building(session, select(Household.building_id, func.count(func.distinct(Visit.household_id)))
                            .join(Visit, Visit.household_id == Household.id)
                            .where(*live, Visit.visited_at >= period.start, Visit.visited_at < period.end))
    care = or_(Household.lives_alone, Household.empty_nest, Household.limited_mobility)
    seen = select(Visit.household_id).where(Visit.visited_at >= period.end - CARE_UNVISITED,
                                            Visit.visited_at < period.end)
    unvisited = _per_building(session, select(Household.building_id, func.count()).where(
        *live, care, Household.id.not_in(seen)))
    overdue = _per_building(session, select(Household.building_id, func.count()).join(
        Visit, Visit.household_id == Household.id).where(
        *live, Visit.follow_up_on.is_not(None), Visit.follow_up_on <= period.last, Visit.follow_up_done.is_(False),
        Visit.visited_at < period.end))
    table = Table("visits", _("Visits by building"), [
        Column("building", _("Building"), "text"), Column("households", _("Households")),
        Column("visited", _("Households visited")), Column("coverage", _("Visited share"), "rate"),
        Column("care_unvisited", _("Care households not visited in 30 days")),
        Column("follow_ups_overdue", _("Follow-ups overdue"))])
    for building, name in buildings:
        table.add({"building": name, "households": households[building], "visited": visited[building],
                   "coverage": rate(visited[building], households[building]),
                   "care_unvisited": unvisited[building], "follow_ups_overdue": overdue[building]})
    return table


def notices_reach(session: Session, scope: ReportScope, period: Period, buildings: list[tuple[int, str]],
                  now: datetime) -> Table:
    """Each notice sent in the period to the scope's buildings, and in total: how its households were reached.

    By push, read, told in person, not reached: app/notices' reach, counted over the scope's buildings.
    """
    ids = [b for b, _name in buildings]
    sent = session.scalars(select(Notice).where(
        Notice.sent_at >= period.start, Notice.sent_at < period.end, Notice.is_deleted.is_(False),
        Notice.id.in_(select(NoticeTarget.notice_id).where(NoticeTarget.building_id.in_(ids or [-1]))))
        .order_by(Notice.sent_at)).all()
    columns = ("households", "pushed", "read", "informed", "not_reached")
    table = Table("notices", _("Notices"), [
        Column("notice", _("Notice title"), "text"), Column("households", _("Households")),
        Column("pushed", _("Reached by push")), Column("read", _("Read")), Column("informed", _("Told in person")),
        Column("not_reached", _("Not reached")), Column("reached", _("Reached share"), "rate")])
    total: Counter = Counter()
    for notice in sent:
        counts = notices.reach_counts(notices.reach(session, notice, now=now, building_ids=ids))
        row = {key: counts[key] for key in columns}
        total.update(row)
        link = url_for("notices.reach_page", notice_id=notice.id)
        table.add({"notice": notice.title, **row, "reached": rate(counts["reached"], counts["households"])},
                  dict.fromkeys(columns, link))
    table.add({"notice": _("Total"), **{key: total[key] for key in columns},
               "reached": rate(total["households"] - total["not_reached"], total["households"])})
    return table


def participation(session: Session, scope: ReportScope, period: Period, buildings: list[tuple[int, str]]) -> Table:
    """Per building: households with at least one member on Siheyuan ÷ households; joins approved in the period."""
    ids = [b for b, _name in buildings]
    live = (Household.building_id.in_(ids), Household.is_deleted.is_(False))
    households = _per_building(session, select(Household.building_id, func.count()).where(*live))
    joined = _per_building(session, select(Household.building_id, func.count(func.distinct(Household.id))).join(
        RoleAssignment, RoleAssignment.household_id == Household.id).where(*live, RoleAssignment.role == Role.RESIDENT))
    new = Counter(dict(session.execute(select(JoinRequest.building_id, func.count()).where(
        JoinRequest.building_id.in_(ids), JoinRequest.status == JoinStatus.APPROVED,
        JoinRequest.decided_at >= period.start, JoinRequest.decided_at < period.end).group_by(JoinRequest.building_id)).all()))
    table = Table("participation", _("Participation"), [
        Column("building", _("Building"), "text"), Column("households", _("Households")),
        Column("on_siheyuan", _("Households on Siheyuan")), Column("share", _("Share"), "rate"),
        Column("new_joins", _("New joins"))])
    for building, name in buildings:
        table.add({"building": name, "households": households[building], "on_siheyuan": joined[building],
                   "share": rate(joined[building], households[building]), "new_joins": new[building]})
    return table


def conventions(session: Session, period: Period, buildings: list[tuple[int, str]]) -> Table:
    """Each convention vote that closed in the period: households voted ÷ the building's households, adopted or not."""
    names = dict(buildings)
    held = session.execute(select(Convention.id, Convention.building_id, Convention.title, Convention.status).where(
        Convention.building_id.in_(names), Convention.vote_closes_at >= period.start,
        Convention.vote_closes_at < period.end, Convention.is_deleted.is_(False)).order_by(Convention.vote_closes_at)).all()
    voted = Counter(dict(session.execute(select(Vote.convention_id, func.count(func.distinct(Vote.household_id)))
                                         .where(Vote.convention_id.in_([h[0] for h in held]))
                                         .group_by(Vote.convention_id)).all()))
    households = _per_building(session, select(Household.building_id, func.count()).where(
        Household.building_id.in_(names), Household.is_deleted.is_(False)))
    table = Table("conventions", _("Convention votes held"), [
        Column("building", _("Building"), "text"), Column("convention", _("Convention"), "text"),
        Column("voted", _("Households voted")), Column("households", _("Households")),
        Column("turnout", _("Turnout"), "rate"), Column("adopted", _("Adopted"))])
    for convention_id, building, title, status in held:
        table.add({"building": names[building], "convention": title, "voted": voted[convention_id],
                   "households": households[building], "turnout": rate(voted[convention_id], households[building]),
                   "adopted": int(status == ConventionStatus.ADOPTED)},
                  {"voted": url_for("conventions.show", convention_id=convention_id)})
    return table


def consultations(session: Session, period: Period, buildings: list[tuple[int, str]]) -> Table:
    """Each consultation whose last phase closed in the period in the scope's buildings: comments, and adopted."""
    ids = [b for b, _name in buildings]
    run = session.execute(select(Consultation.id, Consultation.title).where(
        Consultation.phase2_closes_at >= period.start, Consultation.phase2_closes_at < period.end,
        Consultation.id.in_(select(ConsultationBuilding.consultation_id).where(
            ConsultationBuilding.building_id.in_(ids)))).order_by(Consultation.phase2_closes_at)).all()
    comments = {cid: (total, adopted or 0) for cid, total, adopted in session.execute(
        select(ConsultationComment.consultation_id, func.count(),
               func.sum(case((ConsultationComment.adopted.is_(True), 1), else_=0)))
        .where(ConsultationComment.consultation_id.in_([r[0] for r in run]))
        .group_by(ConsultationComment.consultation_id))}
    table = Table("consultations", _("Consultations run"), [
        Column("consultation", _("Consultation"), "text"), Column("comments", _("Comments")),
        Column("adopted", _("Comments adopted"))])
    for consultation_id, title in run:
        total, adopted = comments.get(consultation_id, (0, 0))
        table.add({"consultation": title, "comments": total, "adopted": int(adopted)},
                  {"comments": url_for("consultations.show", consultation_id=consultation_id)})
    return table


def sections(session: Session, scope: ReportScope, period: Period, now: datetime) -> list[Table]:
    """The visits, notices and participation tables of the scope (none for a department)."""
    buildings = _buildings(session, scope)
    if not buildings:
        return []
    return [visits(session, scope, period, buildings), notices_reach(session, scope, period, buildings, now),
            conventions(session, period, buildings), consultations(session, period, buildings),
            participation(session, scope, period, buildings)]
