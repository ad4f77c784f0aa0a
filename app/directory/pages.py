"""Pages of the directory 通讯录 for the accessibility gate (see app/a11y.py)."""
from app.a11y import Page
from app.directory.models import DirectoryEntry, EntryKind
from app.models import Building


def _building(demo):
    return {"building_id": demo.id_of(Building, name="6号楼")}  # 芳群园一区 6号楼: heads, staff, legal, 12345


def _entry(demo):
    return {"entry_id": demo.id_of(DirectoryEntry, building_id=_building(demo)["building_id"], kind=EntryKind.LEGAL)}


PAGES = (
    Page("directory.index", roles=("resident", "care", "building_head", "staff", "street", "admin")),
    Page("directory.show", roles=("resident", "care", "building_head", "staff", "street", "admin"), args=_building),
    Page("directory.add", roles=("staff", "street", "admin"), args=_building),
    Page("directory.edit", roles=("staff", "street", "admin"), args=_entry),
)
