"""Notifications 消息, the core below every feature: the inbox, notify(), muted kinds, send-once markers.

Features import app.notifications.services and write their own texts; channels such as Web Push
(app/push) register with app.notifications.channels. This package imports no feature and no channel.
"""


def init_app(app) -> None:
    """Register the tables, the muting command and page, the unread API and the header's badge."""
    from app.notifications import commands, models  # noqa: F401 — tables
    from app.notifications.routes import api, bp, save_kinds, unread
    from app.registry import register
    from app.slots import add_to_slot

    register(commands)
    app.register_blueprint(bp)
    app.register_blueprint(api)
    # The addresses these had when they lived in app/push, kept for the pages and scripts a phone's
    # service worker cached before the move.
    app.add_url_rule("/push/kinds", "notifications.save_kinds_at_push", save_kinds, methods=["POST"])
    app.add_url_rule("/api/v1/push/unread", "notifications_api.unread_at_push", unread)
    add_to_slot("header.badges", "notifications/_badge.html", context=badge)


# The page the header's 消息 opens, as features register it: (endpoint, for whom); None: everyone else.
_inbox_pages: list[tuple[str, object]] = []


def inbox_page(endpoint: str, when=None) -> None:
    """Let the header's 消息 open `endpoint` (for the people `when(user)` accepts; without it, for everyone else).

    The inbox itself is a feature's page (app/notices lists it, care mode in large type): this core
    names none of them.
    """
    if (endpoint, when) not in _inbox_pages:
        _inbox_pages.append((endpoint, when))


def inbox_url(user) -> str | None:
    """Where the header's 消息 leads this person; None when no feature offers an inbox."""
    from flask import url_for

    chosen = next((e for e, when in _inbox_pages if when is not None and when(user)), None) or \
        next((e for e, when in _inbox_pages if when is None), None)
    return url_for(chosen) if chosen else None


def badge() -> dict | None:
    """The signed-in person's unread count for the header's badge (one small query); nothing when signed out."""
    from flask_login import current_user

    from app.extensions import db
    from app.notifications.services import unread_count

    if not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    return {"unread": unread_count(db.session, user), "inbox": inbox_url(user)}
