"""`flask --app wsgi conventions close-due [--every SECONDS]`: close votes whose time is up."""
import time

import click
from flask.cli import AppGroup

from app.clock import utcnow
from app.conventions.services import close_due_votes
from app.extensions import db

conventions_cli = AppGroup("conventions", help="Building conventions maintenance.")


@conventions_cli.command("close-due")
@click.option("--every", type=float, default=0, help="Keep running, checking every SECONDS (0: once).")
def close_due_command(every: float) -> None:
    """Compute the result of every vote past its close time (idempotent)."""
    while True:
        closed = close_due_votes(db.session, utcnow())
        db.session.commit()
        if closed or not every:
            click.echo(f"closed {len(closed)} vote(s)")
        if not every:
            return
        db.session.remove()
        time.sleep(every)
