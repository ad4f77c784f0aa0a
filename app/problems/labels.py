"""Problem wordings in the person's language: sources, statuses, timeline steps, departments' parts, the clock.

Built per call (per request), so each is in the signed-in person's language; pages of other
features (care mode's home page) read them from here rather than from the problems pages.
"""
from __future__ import annotations

from flask_babel import gettext as _

from app.problems.models import Source


def source_labels() -> dict:
    """Sources in words (built per request, in the person's language)."""
    return {Source.APP: _("App"), Source.VISIT: _("Building-head visit"), Source.HOTLINE: _("12345 hotline"),
            Source.WALK_IN: _("Walk-in"), Source.GROUP: _("Group chat"), Source.PLATFORM: _("City platform")}


def status_labels() -> dict:
    """Statuses in words."""
    return {"reported": _("Reported"), "acknowledged": _("Acknowledged"), "in_progress": _("In progress"),
            "escalated": _("Escalated"), "resolved": _("Resolved"), "confirmed": _("Confirmed"), "closed": _("Closed")}


def event_labels() -> dict:
    """Timeline steps in words."""
    return {"reported": _("reported"), "response": _("answered"), "note": _("internal note"), "comment": _("commented"),
            "escalated": _("escalated"), "dispatched": _("dispatched to departments"), "accepted": _("reported for duty"),
            "dispatch_progress": _("posted progress"), "dispatch_done": _("finished its part"), "resolved": _("resolved"),
            "confirmed": _("confirmed"), "reopened": _("reopened"), "closed": _("closed"),
            "assigned": _("assigned it to"), "recategorised": _("changed the category"),
            "merged": _("merged it as a duplicate into"), "merged_in": _("merged a duplicate into it")}


def dispatch_labels() -> dict:
    """A department's part in words."""
    return {"dispatched": _("Dispatched"), "accepted": _("Reported for duty"), "done": _("Done")}


def clock_texts() -> dict:
    """The answer clock's wordings (templates/problems/_macros.html fills in the time)."""
    return {"answered": _("Answered %(time)s"), "overdue": _("Overdue: no answer since %(time)s"),
            "due": _("Answer due in %(h)s h")}


