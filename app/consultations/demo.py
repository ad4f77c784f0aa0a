"""S4: the pocket park at the south gate of 芳群园一区 — phase 1 comments from party members, phase 2 open."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.consultations.models import Consultation
from app.consultations.services import add_comment, create_consultation
from app.demo.registry import DemoWorld, demo_loader

TITLE = "南门口袋公园怎么建?"
DESCRIPTION = ("南门附近的违建拆除后,腾出了约 800 平方米空地。街道打算在这里建一个口袋公园。\n"
               "第一轮先听党员和楼长的意见,修改方案后,第二轮请全体居民来提意见、投票。")
COMMENTS = [
    ("13800000004", "我在供电公司做工程师。垃圾站就在旁边,建议多种能吸附异味的植物,比如侧柏、桂花。"),
    ("13800000009", "简单一点就好,多放几条长椅,老人能坐下歇歇脚。"),
    ("13800000003", "希望加几件健身器材,早晚大家都能锻炼。"),
]


@demo_loader
def load_consultations(session: Session, world: DemoWorld) -> None:
    """The S4 consultation with the three party-member comments of phase 1 (idempotent)."""
    community = world.communities.get("芳群园一区")
    staff = world.users.get("13800000002")
    if community is None or staff is None:
        return
    if session.scalar(select(Consultation).where(Consultation.title == TITLE)):
        return
    for phone, _text in COMMENTS[:2]:
        if phone in world.users:
            world.users[phone].is_party_member = True
    now = utcnow()
    consultation = create_consultation(
        session, staff, title=TITLE, description=DESCRIPTION, buildings=list(community.buildings),
        scope_label=community.name, phase1_opens_at=now - timedelta(days=14), phase1_closes_at=now - timedelta(days=7),
        phase2_opens_at=now - timedelta(days=1), phase2_closes_at=now + timedelta(days=13),
        poll_question="口袋公园最想要什么?(可多选)", poll_options=["除味绿植", "长椅", "健身器材", "儿童游乐"],
        poll_multiple=True, now=now - timedelta(days=14))
    for index, (phone, text) in enumerate(COMMENTS):
        author = world.users.get(phone)
        if author is not None:
            add_comment(session, author, consultation, text, now=now - timedelta(days=13 - index))
    consultation.comments[0].adopted = True
