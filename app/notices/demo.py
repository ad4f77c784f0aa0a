"""Demo notices: S6 (an urgent car fire at dawn) and S11 (painting over the stairwell adverts)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.demo.registry import DemoWorld, demo_loader
from app.models import Building
from app.notices.models import Notice, Urgency
from app.notices.schemas import NoticeIn
from app.notices.services import send_notice

S6_TITLE = "紧急:地下车库车辆起火,请勿进入车库"
S11_TITLE = "9月23日清理楼道小广告并粉刷墙面"


@demo_loader
def load_notices(session: Session, world: DemoWorld) -> None:
    """An urgent notice to 芳群园三区 from its staff, and a normal one to 芳群园一区 6号楼."""
    now = utcnow()
    staff3 = world.users.get("13800000008")
    community3 = world.communities.get("芳群园三区")
    if staff3 is not None and community3 is not None and session.scalar(
            select(Notice).where(Notice.title == S6_TITLE)) is None:
        buildings = list(session.scalars(select(Building).where(Building.community_id == community3.id)))
        data = NoticeIn(title=S6_TITLE, urgency=Urgency.URGENT,
                        body="地下车库一辆车起火,消防正在处置。请大家不要进入车库,不要挪车,"
                             "家中有老人的请邻居帮忙照看。楼长会逐户敲门通知。有情况请打社区电话。",
                        community_ids=[community3.id])
        send_notice(session, staff3, data, buildings, community3.name, now=now - timedelta(hours=2))
    staff1 = world.users.get("13800000002")
    building = world.buildings.get(("芳群园一区", "6号楼"))
    if staff1 is not None and building is not None and session.scalar(
            select(Notice).where(Notice.title == S11_TITLE)) is None:
        data = NoticeIn(title=S11_TITLE, building_ids=[building.id],
                        body="9月23日(周二)上午,社区组织志愿者清理楼道里的小广告并粉刷墙面。"
                             "请把楼道里的杂物提前搬回家,当天楼道有油漆味,请开窗通风。谢谢配合!")
        send_notice(session, staff1, data, [building], building.full_name, now=now - timedelta(hours=20))
    session.flush()
