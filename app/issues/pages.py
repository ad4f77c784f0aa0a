"""Pages of the issues feature for the accessibility gate (see app/a11y.py)."""
import uuid

from app.a11y import NotAPage, Page
from app.issues.demo import NAMESPACE
from app.issues.models import Problem
from app.models import Building


def _problem(key):
    return lambda demo: {"problem_id": demo.id_of(Problem, uuid=str(uuid.uuid5(NAMESPACE, key)))}


PAGES = (
    Page("issues.feed", roles=("resident", "staff"), args=lambda demo: {"building_id": demo.id_of(Building, name="6号楼")}),
    Page("issues.new", roles=("resident", "care", "building_head", "staff")),
    Page("issues.show", roles=("resident", "care", "staff"), args=_problem("s1")),  # S1: the bent tree, confirmed
    Page("issues.show", roles=("street", "department"), args=_problem("s2")),  # S2: dispatched to four departments
    Page("issues.queue", roles=("staff", "street")),
    Page("issues.orders", roles=("department", "property")),
)
NOT_PAGES = (NotAPage("issues.index", "redirects to the person's feed, queue or work orders"),)
