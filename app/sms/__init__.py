"""SMS 短信 and voice notices 语音通知: a channel of the notifications core, for phones Web Push cannot reach.

Off unless SMS_PROVIDER is set (app/config.py SETTINGS). The outbox is drained by the push worker
(`flask push work`); the provider adapters are in app/sms/providers/.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def init_app(app) -> None:
    """Register the tables, the channel, the outbox with the push worker, the commands and the staff page."""
    from app.notifications.channels import register_channel
    from app.push.worker import register_outbox
    from app.registry import register
    from app.slots import add_to_slot
    from app.sms import commands, models, permissions  # noqa: F401 — tables, rules
    from app.sms.config import log_problems, static_problems
    from app.sms.routes import bp, events_choice, receive_choice
    from app.sms.services import sms_channel
    from app.sms.worker import outbox_for

    register(commands, permissions)
    register_channel(sms_channel)
    register_outbox(outbox_for)
    app.register_blueprint(bp)
    add_to_slot("notifications.settings", "sms/_receive.html", context=receive_choice, order=60)
    add_to_slot("push.settings", "sms/_events.html", context=events_choice)
    with app.app_context():  # missing keys or template: said at start-up, not at the first send
        log_problems(static_problems(app.config))
