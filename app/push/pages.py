"""Pages of the push feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import Page

PAGES = (Page("push.settings", roles=("resident", "care")),)
