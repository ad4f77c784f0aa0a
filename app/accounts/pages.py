"""Pages of the accounts feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import NotAPage, Page
from app.models import Household


def _resident(demo):
    return {"user_id": demo.user("resident").id}  # 李居民, 芳群园一区 6号楼 6门 302


def _moving(demo):
    return {"user_id": demo.user("resident").id, "household_id": demo.id_of(Household, unit="6门", room="302")}


PAGES = (
    Page("accounts.index", roles=("staff", "street", "admin")),
    Page("accounts.new", roles=("street", "admin")),
    Page("accounts.person", roles=("staff", "street", "admin", "building_head"), args=_resident),
    Page("accounts.deactivate", roles=("staff", "admin"), args=_resident),
    Page("accounts.move_out", roles=("staff", "building_head"), args=_moving),
)
NOT_PAGES = (
    NotAPage("accounts.reactivate", "asks only about a switched-off account, and every demo account is on "
                                    "(tests/accounts cover it)"),
)
