"""Pages of the reports feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import Page

PAGES = (
    Page("reports.index", roles=("staff", "street", "admin", "department")),
    Page("reports.problems", roles=("staff", "street"), args=lambda demo: {"figure": "received"}),
)
