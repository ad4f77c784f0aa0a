"""Pages of the sync feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import Page

PAGES = (Page("sync.status", roles=("resident", "care", "building_head")),)
