"""Pages of the joining feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import NotAPage, Page
from app.models import Building


def _six(demo):
    return {"building_id": demo.id_of(Building, name="6号楼")}


def _code(demo):
    return {"code": demo.session.get(Building, demo.id_of(Building, name="6号楼")).join_code}


PAGES = (
    Page("joining.join", roles=("anonymous",), args=_code),
    Page("joining.my_status", roles=("anonymous",)),
    Page("joining.forgot", roles=("anonymous",)),
    Page("joining.new_password", roles=("anonymous",)),
    Page("joining.index", roles=("building_head", "staff")),
    Page("joining.building", roles=("building_head", "staff"), args=_six),
    Page("joining.poster", roles=("building_head",), args=_six),
)
NOT_PAGES = (
    NotAPage("joining.status", "needs a request's signed token (tests/browser/test_joining.py opens it)"),
)
