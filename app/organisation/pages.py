"""Pages of the organisation set-up for the accessibility gate (see app/a11y.py)."""
from app.a11y import NotAPage, Page
from app.models import Building, Community, Department, Room, Street


def _street(demo):
    return {"street_id": demo.id_of(Street, name="方庄地区")}


def _community(demo):
    return {"community_id": demo.id_of(Community, name="芳群园一区")}


def _building(demo):
    return {"building_id": demo.id_of(Building, name="6号楼")}


def _room(demo):
    return {"room_id": demo.id_of(Room, building_id=_building(demo)["building_id"], number="101")}


def _company(demo):
    return {"department_id": demo.id_of(Department, name="方庄物业服务中心")}


PAGES = (
    Page("organisation.index", roles=("admin",)),
    Page("organisation.new_street", roles=("admin",)),
    Page("organisation.street", roles=("street", "admin"), args=_street),
    Page("organisation.new_community", roles=("street",), args=_street),
    Page("organisation.community", roles=("street", "staff"), args=_community),
    Page("organisation.new_building", roles=("staff",), args=_community),
    Page("organisation.building", roles=("staff", "street"), args=_building),
    Page("organisation.room", roles=("staff",), args=_room),
    Page("organisation.new_department", roles=("street",), args=_street),
    Page("organisation.department", roles=("street",), args=_company),
    Page("organisation.import_workbook", roles=("street", "admin")),
)
NOT_PAGES = (
    NotAPage("organisation.import_template", "an XLSX download (tests/organisation and the browser test open it)"),
    NotAPage("organisation.import_template_csv", "a CSV download"),
)
