"""The demo street's directories: sensible for every building, and loading the demo again adds nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from app.demo.services import load_demo
from app.directory.models import DirectoryEntry
from app.directory.queries import directory
from app.extensions import db
from app.models import Building, Community


def building(community: str, name: str) -> Building:
    """A demo building by community and name."""
    return db.session.scalar(select(Building).join(Community).where(Community.name == community, Building.name == name))


def test_the_demo_buildings_have_a_directory_and_a_second_load_changes_nothing(app):
    load_demo(db.session)
    db.session.commit()
    count = db.session.scalar(select(func.count()).select_from(DirectoryEntry))
    six = [(c.label, c.name, c.phone) for c in directory(db.session, building("芳群园一区", "6号楼"))]
    assert six == [("楼长", "孙楼长", "13800000003"), ("物业", "方庄物业服务中心", "010-67610001"),
                   ("包楼居干", "钱书记", "13800000002"), ("法律服务专员", "刘律师(周三上午在社区服务站)", "010-67610012"),
                   ("热线", "北京市民热线", "12345")]
    high_rise = [(c.label, c.name) for c in directory(db.session, building("芳群园三区", "24号楼"))]
    assert ("包楼居干", "王社工") in high_rise and ("热线", "北京市民热线") in high_rise
    assert all(label != "法律服务专员" for label, _ in high_rise)

    load_demo(db.session)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(DirectoryEntry)) == count
