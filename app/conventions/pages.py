"""Pages of the conventions feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import NotAPage, Page
from app.conventions.demo import TITLE
from app.conventions.models import Convention
from app.models import Building, Community


def _convention(demo):
    return {"convention_id": demo.id_of(Convention, title=TITLE)}  # S3: 24号楼, in voting


PAGES = (
    Page("conventions.index", roles=("resident", "care", "building_head", "staff")),
    Page("conventions.new", roles=("building_head",), args=lambda demo: {"building": demo.id_of(Building, name="6号楼")}),
    Page("conventions.show", roles=("building_head_24", "street"), args=_convention),
    Page("conventions.defaults", roles=("staff",), args=lambda demo: {"community_id": demo.id_of(Community, name="芳群园一区")}),
)
# Not checked yet: the demo street has no closed vote, and before the close the page redirects.
NOT_PAGES = (NotAPage("conventions.result", "redirects until a vote closes; the demo data has no closed vote yet"),
             NotAPage("conventions.print_result", "redirects until a vote closes (tests/browser/test_print_pages.py)"),
             NotAPage("conventions.board", "only an adopted convention has one; the demo has none "
                                           "(tests/browser/test_print_pages.py runs axe on it)"))
