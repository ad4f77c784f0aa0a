"""Pages of the visits feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import NotAPage, Page
from app.models import Building, Household


def _building(demo):
    return {"building_id": demo.id_of(Building, name="6号楼")}


def _household(demo):
    building = demo.id_of(Building, name="6号楼")
    return {"household_id": demo.id_of(Household, building_id=building, unit="7门", room="101")}  # S8: 潘大爷


PAGES = (
    Page("visits.index", roles=("building_head", "staff", "street")),
    Page("visits.building_ledger", roles=("building_head", "staff"), args=_building),
    Page("visits.household", roles=("building_head", "staff"), args=_household),
    Page("visits.edit_household", roles=("staff",), args=_household),
    Page("visits.new", roles=("building_head",), args=_building),
    Page("visits.follow_ups", roles=("building_head", "staff")),
    Page("visits.import_ledger", roles=("staff",)),
)
NOT_PAGES = (
    NotAPage("visits.import_template", "a CSV download"),
    NotAPage("visits.import_template_xlsx", "an Excel download"),
)
