"""Commands: ``user create/disable/enable/list``, ``purge-sessions``, ``setup-demo`` and
``seed-demo``."""

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
    """Create a staff account. The password comes from INTAKE_USER_PASSWORD or a prompt; the
    person must choose their own at the first sign-in. Admin never goes with front_desk or
    clinician on one account."""
    from intake.extensions import db
    from intake.services.accounts import AccountError, create_account

    password = _prompt_password()
    try:
        user = create_account(email, password, roles)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}).")
    click.echo("They must choose a new password when they first sign in.")


@user_cli.command("disable")
@click.argument("email")
def disable_user(email: str) -> None:
    """Disable a staff account and end its sessions."""
    _set_disabled(email, disabled=True)


@user_cli.command("enable")
@click.argument("email")
def enable_user(email: str) -> None:
    """Enable a disabled staff account again."""
    _set_disabled(email, disabled=False)


def _set_disabled(email: str, *, disabled: bool) -> None:
    from intake.extensions import db
    from intake.services.accounts import AccountError, set_disabled

    try:
        user = set_disabled(email, disabled)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{'Disabled' if disabled else 'Enabled'} {user.email}.")


@user_cli.command("list")
def list_users() -> None:
    """List staff accounts with their roles."""
    from intake.extensions import db
    from intake.models import User

    for user in db.session.scalars(db.select(User).order_by(User.email)):
        notes = ["disabled" if user.disabled else "active"]
        if user.must_change_password:
            notes.append("must change password")
        if user.mixes_duties:
            notes.append("admin and patient data on one account: split it")
        click.echo(f"{user.email}\t{','.join(sorted(user.roles))}\t{'; '.join(notes)}")


@click.command("purge-sessions")
def purge_sessions() -> None:
    """Delete staff session records that are closed or past STAFF_MAX_SESSION; print how many."""
    from flask import current_app

    from intake.extensions import db
    from intake.services.staff_sessions import purge_finished

    count = purge_finished(current_app.config["STAFF_MAX_SESSION"])
    db.session.commit()
    click.echo(f"Deleted {count} staff session record{'s' if count != 1 else ''}.")


DEMO_ACCOUNTS = (
    ("frontdesk@example.org", ("front_desk",)),
    ("clinician@example.org", ("clinician",)),
    ("admin@example.org", ("admin",)),
)
DEMO_SUBMISSIONS = 25


def _seed(count: int, seed_value: int | None) -> int:
    """Run the demo seeder, imported only now: it is development code that needs Faker."""
    import importlib.util

    if importlib.util.find_spec("faker") is None:
        raise click.ClickException(
            "Demo data needs Faker, which comes with the development extra: "
            "pip install -e '.[dev]' (or make install)."
        )
    from intake.demo.seed import seed

    step = max(10_000, count // 10)  # a line per tenth, for large counts
    shown = [0]

    def progress(done: int) -> None:
        if count >= 10_000 and (done // step > shown[0] // step or done == count):
            shown[0] = done
            click.echo(f"  {done:,} / {count:,}")

    def say(message: str) -> None:
        if count >= 10_000:
            click.echo(f"  {message}")

    return seed(count, seed_value=seed_value, progress=progress, say=say)


@click.command("setup-demo")
def setup_demo() -> None:
    """Create demo staff accounts and a few demo submissions, the first time only."""
    import secrets

    from intake.extensions import db
    from intake.models import Submission
    from intake.services.accounts import create_account, find_account

    created = []
    for email, roles in DEMO_ACCOUNTS:
        if find_account(email) is None:
            password = secrets.token_urlsafe(12)
            # Shown once to the developer who uses them: no change asked at first sign-in.
            create_account(email, password, roles, must_change_password=False)
            created.append((email, roles, password))
    db.session.commit()
    if created:
        click.echo("Demo staff accounts (shown once; sign in at /staff/login):")
        for email, roles, password in created:
            click.echo(f"  {email:<24} {','.join(roles):<12} password: {password}")
    else:
        click.echo(
            "Demo staff accounts already exist (" + ", ".join(e for e, _r in DEMO_ACCOUNTS) + "). "
            "Their passwords were printed on the first run; create another account with "
            "flask --app intake user create EMAIL --role ROLE."
        )
    if db.session.scalar(db.select(db.func.count()).select_from(Submission)):
        click.echo("Submissions already exist; no demo submissions added.")
    else:
        stored = _seed(DEMO_SUBMISSIONS, seed_value=None)
        click.echo(f"Added {stored} demo submissions.")


@click.command("seed-demo")
@click.option("--count", default=100, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option(
    "--seed", "seed_value", type=int, default=None, help="Fixed seed for repeatable data."
)
def seed_demo(count: int, seed_value: int | None) -> None:
    """Create COUNT synthetic submissions spread over every pathway and flag."""
    import time

    started = time.monotonic()
    stored = _seed(count, seed_value)
    click.echo(f"Added {stored:,} demo submissions in {time.monotonic() - started:.1f} s.")


def register_auth_commands(app: Flask) -> None:
    """Attach the staff commands to ``app``."""
    app.cli.add_command(user_cli)
    app.cli.add_command(purge_sessions)
    app.cli.add_command(setup_demo)
    app.cli.add_command(seed_demo)
