"""Pages of the home feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import Page

# Every role sees its own sections and actions (a care-mode resident is sent to the care home page).
PAGES = (Page("home.index", roles=("resident", "building_head", "staff", "street", "department", "property", "admin")),)
