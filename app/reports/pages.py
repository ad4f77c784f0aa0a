"""Pages of the reports feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import NotAPage, Page

PAGES = (
    Page("reports.index", roles=("staff", "street", "admin", "department")),
    Page("reports.print_view", roles=("staff", "street")),
    Page("reports.problems", roles=("staff", "street"), args=lambda demo: {"figure": "received"}),
)
NOT_PAGES = (NotAPage("reports.export", "a CSV or XLSX download"),)
