"""`flask --app wsgi issues remind [--every SECONDS]` and `issues close-stale`: the problem loop's periodic work."""
import time
import traceback

import click
from flask.cli import AppGroup

from app.clock import utcnow
from app.extensions import db
from app.problems.services import close_stale

problems_cli = AppGroup("issues", help="Problem-loop maintenance.")  # the CLI name operators run: kept


@problems_cli.command("remind")
@click.option("--every", type=float, default=0, help="Keep running, once every SECONDS (0: once).")
def remind_command(every: float) -> None:
    """Remind owners before and after the feedback deadline; close problems resolved 7 days ago, unconfirmed."""
    from app.database import immediate_transactions
    from app.problems import reminders

    # SQLite: take the write lock at BEGIN, so a run overlapping a web request waits instead of failing.
    immediate_transactions()
    while True:
        try:
            tick = reminders.run(db.session, now=utcnow())
            db.session.commit()
        except Exception:  # a looping job must outlive one bad run (a lock timeout, a lost connection)
            if not every:
                raise
            db.session.rollback()
            click.echo(traceback.format_exc(), err=True)
        else:
            if not every or tick.reminded_soon or tick.reminded_overdue or tick.closed:
                click.echo(str(tick))
        if not every:
            return
        db.session.remove()
        time.sleep(every)


@problems_cli.command("close-stale")
def close_stale_command() -> None:
    """Close resolved problems nobody confirmed within 7 days (`remind` does this too)."""
    closed = close_stale(db.session, now=utcnow())
    db.session.commit()
    click.echo(f"closed {closed} problem(s)")
