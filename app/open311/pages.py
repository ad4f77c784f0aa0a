"""Routes of the Open311 feature for the accessibility gate (see app/a11y.py): all machine-readable."""
from app.a11y import NotAPage

NOT_PAGES = tuple(
    NotAPage(f"open311.{name}", "Open311 GeoReport v2 (JSON/XML)")
    for name in ("services", "service_definition", "requests_list", "request_one", "token_lookup")
)
