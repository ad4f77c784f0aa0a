"""Routes of the uploads feature for the accessibility gate (see app/a11y.py)."""
from app.a11y import NotAPage

NOT_PAGES = (NotAPage("uploads.file", "a photo or voice file"),)
