"""The report's other sections, per building: visits, notices' reach, participation."""
import uuid
from datetime import date

from app.extensions import db
from app.joining.models import JoinRequest, JoinStatus
from app.models import Room
from app.notices.models import Notice, NoticeReceipt, NoticeTarget
from app.reports import sections
from app.reports.periods import find_scope, parse_period
from app.visits.models import Visit, VisitKind
from tests.reports.conftest import at

SEPTEMBER = {"month": "2026-09"}


def tables(world):
    scope = find_scope(db.session, f"community:{world.community.id}")
    period = parse_period(SEPTEMBER, None)
    return {t.key: t for t in sections.sections(db.session, scope, period, at(10, 5))}


def by_building(table):
    return {row["building"]: {k: v for k, v in row.items() if k != "building"} for row in table.rows}


def visit(world, household, when, follow_up_on=None, done=False):
    db.session.add(Visit(uuid=str(uuid.uuid4()), household=household, visitor=world.staff, visited_at=when,
                         kind=VisitKind.ROUTINE, follow_up_on=follow_up_on, follow_up_done=done))


def test_visits_per_building(report_world, make_household):
    b6, b24, _b1 = report_world.buildings
    lonely = make_household(b6, room="501", lives_alone=True)  # care-flagged, visited only in August
    nest = make_household(b6, room="502", empty_nest=True)  # care-flagged, visited on 15 September
    visit(report_world, lonely, at(8, 20))
    visit(report_world, nest, at(9, 15), follow_up_on=date(2026, 9, 25))  # due in September, not done: overdue
    visit(report_world, nest, at(9, 16))  # a second visit: still one household visited
    visit(report_world, b24.households[0], at(9, 2), follow_up_on=date(2026, 10, 2))  # due in October: not yet
    db.session.commit()
    rows = by_building(tables(report_world)["visits"])
    assert rows["6号楼"] == {"households": 3, "visited": 1, "coverage": 0.3333, "care_unvisited": 1,
                            "follow_ups_overdue": 1}
    assert rows["24号楼"] == {"households": 1, "visited": 1, "coverage": 1.0, "care_unvisited": 0,
                             "follow_ups_overdue": 0}


def test_notices_reach_per_notice_and_in_total(report_world, make_household):
    b6, b24, _b1 = report_world.buildings
    second = make_household(b6, room="601")
    notice = Notice(sender_id=report_world.staff.id, title="停水通知", body="周五停水", sent_at=at(9, 10),
                    targets=[NoticeTarget(building_id=b6.id), NoticeTarget(building_id=b24.id)])
    db.session.add_all([notice, Notice(sender_id=report_world.staff.id, title="八月的通知", body="…", sent_at=at(8, 10),
                                       targets=[NoticeTarget(building_id=b6.id)])])
    db.session.flush()
    db.session.add_all([NoticeReceipt(notice_id=notice.id, household_id=b6.households[0].id, read_at=at(9, 10, 2)),
                        NoticeReceipt(notice_id=notice.id, household_id=second.id, informed_in_person_at=at(9, 11))])
    db.session.commit()
    table = tables(report_world)["notices"]
    assert [(r["notice"], r["households"], r["pushed"], r["read"], r["informed"], r["not_reached"], r["reached"])
            for r in table.rows] == [("停水通知", 3, 0, 1, 1, 1, 0.6667), (table.rows[-1]["notice"], 3, 0, 1, 1, 1, 0.6667)]
    assert table.links[0]["read"] == f"/notices/{notice.id}/reach"


def test_participation_per_building(report_world, make_household):
    b6, b24, _b1 = report_world.buildings
    make_household(b6, room="701")  # nobody from it on Siheyuan
    room = Room(building_id=b24.id, unit="1门", number="101")
    db.session.add(room)
    db.session.flush()
    db.session.add_all([
        JoinRequest(building_id=b24.id, room_id=room.id, name="新邻居", phone="13900000001",
                    status=JoinStatus.APPROVED, decided_at=at(9, 20)),
        JoinRequest(building_id=b24.id, room_id=room.id, name="旧邻居", phone="13900000002",
                    status=JoinStatus.APPROVED, decided_at=at(8, 20)),
        JoinRequest(building_id=b24.id, room_id=room.id, name="被拒", phone="13900000003",
                    status=JoinStatus.DECLINED, decided_at=at(9, 21))])
    db.session.commit()
    rows = by_building(tables(report_world)["participation"])
    assert rows["6号楼"] == {"households": 2, "on_siheyuan": 1, "share": 0.5, "new_joins": 0}
    assert rows["24号楼"] == {"households": 1, "on_siheyuan": 1, "share": 1.0, "new_joins": 1}


def test_convention_votes_and_consultations(report_world, make_household):
    from app.consultations.models import Consultation, ConsultationBuilding, ConsultationComment
    from app.conventions.models import Choice, Convention, ConventionStatus, Vote, VoteChannel

    b6, b24, b1 = report_world.buildings
    second = make_household(b6, room="801")
    make_household(b6, room="802")  # did not vote
    staff = report_world.staff.id
    adopted = Convention(building_id=b6.id, title="楼道不堆物", status=ConventionStatus.ADOPTED, created_by_id=staff,
                         vote_closes_at=at(9, 20))
    august = Convention(building_id=b24.id, title="八月公约", status=ConventionStatus.REJECTED, created_by_id=staff,
                        vote_closes_at=at(8, 20))
    next_door = Convention(building_id=b1.id, title="隔壁公约", status=ConventionStatus.ADOPTED, created_by_id=staff,
                           vote_closes_at=at(9, 20))
    db.session.add_all([adopted, august, next_door])
    db.session.flush()
    for household in (b6.households[0], second):
        db.session.add(Vote(convention_id=adopted.id, household_id=household.id, choice=Choice.YES,
                            channel=VoteChannel.ONLINE, cast_by_id=staff, cast_at=at(9, 15)))
    consultation = Consultation(title="加装电梯", description="…", created_by_id=staff, phase2_opens_at=at(9, 1),
                                phase2_closes_at=at(9, 25), targets=[ConsultationBuilding(building_id=b24.id)])
    db.session.add(consultation)
    db.session.flush()
    db.session.add_all([ConsultationComment(consultation_id=consultation.id, author_id=staff, phase=2, body=text,
                                            adopted=text == "加在北侧", created_at=at(9, 10))
                        for text in ("加在北侧", "费用怎么分", "低层不同意")])
    db.session.commit()
    found = tables(report_world)
    assert [(r["building"], r["convention"], r["voted"], r["households"], r["turnout"], r["adopted"])
            for r in found["conventions"].rows] == [("6号楼", "楼道不堆物", 2, 3, 0.6667, 1)]
    assert found["consultations"].rows == [{"consultation": "加装电梯", "comments": 3, "adopted": 1}]
