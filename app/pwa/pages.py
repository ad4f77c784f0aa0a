"""Pages of the PWA shell for the accessibility gate (see app/a11y.py)."""
from app.a11y import NotAPage, Page

PAGES = (Page("pwa.offline", roles=("anonymous", "care")),)
NOT_PAGES = (
    NotAPage("pwa.manifest", "the web app manifest (JSON)"),
    NotAPage("pwa.service_worker", "the service worker script"),
)
