"""Pages of the problems feature for the accessibility gate (see app/a11y.py)."""
import uuid

from app.a11y import NotAPage, Page
from app.models import Building
from app.problems.demo import NAMESPACE
from app.problems.models import Problem


def _problem(key):
    return lambda demo: {"problem_id": demo.id_of(Problem, uuid=str(uuid.uuid5(NAMESPACE, key)))}


PAGES = (
    Page("problems.feed", roles=("resident", "staff"), args=lambda demo: {"building_id": demo.id_of(Building, name="6号楼")}),
    Page("problems.new", roles=("resident", "care", "building_head", "staff")),
    Page("problems.show", roles=("resident", "care", "staff"), args=_problem("s1")),  # S1: the bent tree, confirmed
    Page("problems.show", roles=("street", "department"), args=_problem("s2")),  # S2: dispatched to four departments
    Page("problems.queue", roles=("staff", "street")),
    Page("problems.orders", roles=("department", "property")),
    Page("problems.orders", roles=("department",), args=lambda demo: {"tab": "done"}),  # the department's history
)
NOT_PAGES = (NotAPage("problems.index", "redirects to the person's feed, queue or work orders"),)
