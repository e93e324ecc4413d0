"""Commands: ``user create/disable/enable/list``, ``setup-demo`` and ``seed-demo``."""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import AppGroup

from intake.models.user import ROLES

user_cli = AppGroup("user", help="Manage staff accounts.")


def _prompt_password() -> str:
    password = os.environ.get("INTAKE_USER_PASSWORD")
    if password:
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@user_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(sorted(ROLES)),
    help="A role for the account; repeat for several.",
)
def create_user(email: str, roles: tuple[str, ...]) -> None:
    """Create a staff account. The password comes from INTAKE_USER_PASSWORD or a prompt."""
    from intake.services.accounts import AccountError, create_account

    password = _prompt_password()
    try:
        user = create_account(email, password, roles)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")


@user_cli.command("disable")
@click.argument("email")
def disable_user(email: str) -> None:
    """Disable a staff account and end its sessions."""
    from intake.services.accounts import AccountError, set_disabled

    try:
        user = set_disabled(email, True)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Disabled {user.email}.")


@user_cli.command("enable")
@click.argument("email")
def enable_user(email: str) -> None:
    """Enable a disabled staff account again."""
    from intake.services.accounts import AccountError, set_disabled

    try:
        user = set_disabled(email, False)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Enabled {user.email}.")


@user_cli.command("list")
def list_users() -> None:
    """List staff accounts with their roles."""
    from intake.extensions import db
    from intake.models import User

    for user in db.session.scalars(db.select(User).order_by(User.email)):
        state = "disabled" if user.disabled else "active"
        click.echo(f"{user.email}\t{','.join(sorted(user.roles))}\t{state}")


def register_auth_commands(app: Flask) -> None:
    """Attach the staff commands to ``app``."""
    app.cli.add_command(user_cli)
