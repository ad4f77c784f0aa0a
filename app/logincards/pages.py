"""Pages of the login-card feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import NotAPage, Page
from app.models import Building


def _building(demo):
    return {"building_id": demo.id_of(Building, name="6号楼")}


def _pan(demo):
    return {"user_id": demo.user("care").id}  # S8: 潘大爷, 6号楼 7门 101


PAGES = (
    Page("logincards.index", roles=("building_head", "staff")),
    Page("logincards.building", roles=("building_head", "staff"), args=_building),
    Page("logincards.manage", roles=("building_head", "staff"), args=_pan),
)
NOT_PAGES = (
    NotAPage("logincards.revoke", "asks about a printed card, and the demo prints none (tests/logincards cover it)"),
    NotAPage("logincards.card", "needs a printed card's token (tests/browser/test_logincards.py opens it)"),
)
