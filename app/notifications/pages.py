"""Pages of the notifications core for the accessibility gate (see app/a11y.py)."""
from app.a11y import Page

PAGES = (Page("notifications.settings", roles=("resident", "care")),)
