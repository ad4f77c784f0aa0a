"""`flask --app wsgi open311 issue-key NAME --phone STAFF_PHONE`: a key for a city platform."""
import secrets

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.open311.models import ApiKey, key_hash

open311_cli = AppGroup("open311", help="Open311 integrators.")


@open311_cli.command("issue-key")
@click.argument("name")
@click.option("--phone", required=True, help="The staff account whose scope the key reaches.")
def issue_key(name: str, phone: str) -> None:
    """Issue a key (printed once; only its hash is stored)."""
    user = db.session.scalar(select(User).where(User.phone == phone))
    if user is None:
        raise click.ClickException(f"no account with phone {phone}")
    key = secrets.token_urlsafe(32)
    db.session.add(ApiKey(name=name, key_hash=key_hash(key), user=user))
    db.session.commit()
    click.echo(key)
