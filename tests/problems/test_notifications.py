"""Problems reach people through the inbox and push: the reporter on updates, a department on dispatch."""
import uuid

from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.models import Department, DepartmentKind, Role
from app.notifications.models import InboxItem
from app.problems.models import Category
from app.problems.services import dispatch, report_problem, respond
from app.push.models import Delivery


def test_reporter_and_department_are_told(make_household, make_user, subscribe_device, push_service):
    household = make_household()
    resident = make_user(Role.RESIDENT, household)
    staff = make_user(Role.STAFF, household.building.community)
    police = Department(name="方庄派出所", kind=DepartmentKind.CITY)
    db.session.add(police)
    db.session.commit()
    officer = make_user(Role.DEPARTMENT, police)
    subscribe_device(resident)

    problem = report_problem(db.session, resident, household.building, category=Category.PUBLIC_ORDER,
                             text="楼上高空抛物", now=utcnow(), uuid=str(uuid.uuid4()), household=household,
                             reporter=resident)
    db.session.commit()
    assert db.session.scalar(select(InboxItem)) is None  # reporting it yourself is no news to you

    respond(db.session, staff, problem, "已联系物业查看监控。", now=utcnow())
    dispatch(db.session, staff, problem, [police], "请派出所协助", now=utcnow())
    db.session.commit()

    # Both steps raise one unread item that names the problem; each still went to the phone.
    [mine] = db.session.scalars(select(InboxItem).where(InboxItem.user_id == resident.id)).all()
    assert mine.title == "已请相关部门来处理您反映的「楼上高空抛物」" and mine.updates == 2
    assert mine.url == f"/issues/{problem.id}" and mine.body == "请派出所协助"
    assert len(db.session.scalars(select(Delivery).where(Delivery.user_id == resident.id)).all()) == 2
    [order] = db.session.scalars(select(InboxItem).where(InboxItem.user_id == officer.id)).all()
    assert order.kind == "issue.dispatch" and "楼上高空抛物" in order.title
