"""Pages of the notices feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import Page
from app.notices.demo import S11_TITLE
from app.notices.models import Notice


def _notice(demo):
    return {"notice_id": demo.id_of(Notice, title=S11_TITLE)}  # S11: to 芳群园一区 6号楼


PAGES = (
    Page("notices.index", roles=("resident", "care", "staff")),
    Page("notices.show", roles=("resident", "care", "staff"), args=_notice),
    Page("notices.new", roles=("staff",)),
    Page("notices.reach_page", roles=("staff",), args=_notice),
    Page("notices.door_index", roles=("building_head",)),
    Page("notices.door", roles=("building_head",), args=_notice),
    Page("notices.print_copy", roles=("staff",), args=_notice),
)
