"""Pages of the SMS channel for the accessibility gate (see app/a11y.py)."""
from app.a11y import Page

PAGES = (Page("sms.index", roles=("staff", "street", "admin")),)
