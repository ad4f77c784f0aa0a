"""Pages of the auth feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import Page

PAGES = (
    Page("auth.login", roles=("anonymous",)),
    Page("auth.account", roles=("resident", "staff")),
)
