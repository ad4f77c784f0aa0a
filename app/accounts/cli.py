"""`flask --app wsgi accounts create-admin PHONE NAME`: the first account of a real installation.

Everyone else is created on the pages (the admin creates streets' accounts, streets their staff…),
so an installation without the demo data needs exactly one account made here.
"""
import re

import click
from flask.cli import AppGroup

from app.accounts import services
from app.accounts.reach import Scope
from app.auth.forms import PHONE_PATTERN, normalise_phone
from app.auth.passwords import password_problem
from app.clock import utcnow
from app.extensions import db
from app.models import Role

accounts_cli = AppGroup("accounts", help="Accounts: the first administrator.")


@accounts_cli.command("create-admin")
@click.argument("phone")
@click.argument("name")
@click.password_option(help="The password (asked twice when not given).")
def create_admin(phone: str, name: str, password: str) -> None:
    """Create an administrator (管理员) who can then set up streets and their accounts in the browser."""
    phone = normalise_phone(phone)
    if not re.fullmatch(PHONE_PATTERN, phone):
        raise click.BadParameter("a mobile number has 11 digits and starts with 1", param_hint="PHONE")
    problem = password_problem(password, phone=phone)
    if problem is not None:
        raise click.BadParameter(str(problem), param_hint="--password")
    if services.find_by_phone(db.session, phone) is not None:
        raise click.ClickException(f"{phone} already has an account")
    person = services.create_account(db.session, None, name=name.strip(), phone=phone, password=password,
                                     role=Role.ADMIN, scope=Scope(), now=utcnow())
    if person is None:
        raise click.ClickException(f"{phone} already has an account")
    db.session.commit()
    click.echo(f"administrator {person.name} ({phone}) created: sign in at /auth/login")
