"""Web Push 推送, a channel of the notifications core: subscriptions, VAPID, the outbox of deliveries, the worker."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

push_cli = AppGroup("push", help="Web Push: keys and the delivery worker.")


@push_cli.command("keys")
def keys_command():
    """Create the VAPID key pair in instance/ if missing and print the public key."""
    from app.push import vapid

    click.echo(vapid.public_key(current_app.instance_path))


@push_cli.command("work")
@click.option("--once", is_flag=True, help="Send everything due now, then exit.")
@click.option("--concurrency", default=64, show_default=True, help="Requests in flight at once.")
@click.option("--batch", default=1000, show_default=True, help="Deliveries claimed at a time (two batches are out at once).")
def work_command(once: bool, concurrency: int, batch: int):
    """Send pending deliveries (runs until stopped unless --once)."""
    import signal

    from app.database import immediate_transactions
    from app.extensions import db
    from app.push import vapid, worker
    from app.push.channels import WebPushChannel

    immediate_transactions()
    stopping = {"now": False}
    previous = signal.signal(signal.SIGTERM, lambda *_: stopping.update(now=True))
    # The VAPID "sub" claim: how a push service reaches the operator (set it in production).
    subject = current_app.config["PUSH_VAPID_SUBJECT"]
    from app.push.config import allow_local_http

    # Only tests and local demos may reach a push service inside this machine's network.
    channel = WebPushChannel(vapid.load(current_app.instance_path), subject, pool_size=concurrency,
                             public_only=not allow_local_http())
    others = [outbox for make in worker.OUTBOXES if (outbox := make(current_app.config)) is not None]
    try:
        stats = worker.run(db.session, channel, once=once, batch_size=batch,
                           should_stop=lambda: stopping["now"], others=others)
    except KeyboardInterrupt:
        return
    finally:
        channel.close()
        for outbox in others:
            outbox.close()
        signal.signal(signal.SIGTERM, previous)
    click.echo(f"sent {stats.sent}, retry later {stats.retried}, gone {stats.gone}, failed {stats.failed}")
    for outbox in others:  # SMS and voice notices (app/sms), when configured
        click.echo(outbox.summary())


def init_app(app) -> None:
    """Register the tables, the Web Push channel, the subscription commands, the settings page, the API and the CLI."""
    from app.notifications.channels import register_channel
    from app.push import commands, models  # noqa: F401 — tables
    from app.push.routes import api, bp
    from app.push.services import push_channel
    from app.registry import register
    from app.slots import add_to_slot

    register_channel(push_channel)  # every notification also becomes a push to its people's devices
    register(commands)
    app.register_blueprint(bp)
    app.register_blueprint(api)
    app.cli.add_command(push_cli)
    add_to_slot("notifications.settings", "push/_settings_link.html")
