"""`flask --app wsgi demo`: load the demo street and print the demo logins."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from app.demo.services import database_is_empty, load_demo
from app.extensions import db


@click.command("demo")
@click.option("--json", "as_json", is_flag=True, help="Print the demo accounts as JSON.")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no users (used by make run).")
@with_appcontext
def demo_command(as_json: bool, if_empty: bool) -> None:
    """Load the demo street from the scenarios (harmless to run again)."""
    if if_empty and not database_is_empty(db.session):
        # JSON readers get valid JSON: no demo accounts were loaded.
        click.echo("[]" if as_json else "Database already has data; demo not loaded.")
        return
    logins = load_demo(db.session)
    db.session.commit()
    if as_json:
        click.echo(json.dumps(logins, ensure_ascii=False, indent=2))
        return
    click.echo(f"Demo logins (password for all: {logins[0]['password']})")
    for login in logins:
        click.echo(f"  {login['role']:<14} {login['phone']}  {login['name']}  {login['scope']}")
