"""``flask --app intake api-token …``: create and revoke API tokens.

Each command commits once: the token change and its audit event (recorded by the service, with
no actor, as every command-line event) are saved together.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup


def register_api_commands(app: Flask) -> None:
    """Attach the api-token command group."""
    app.cli.add_command(api_token)


api_token = AppGroup("api-token", help="Create and revoke API tokens for kiosks/integrations.")


@api_token.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="intakes:write (send intakes) or fhir:read (read FHIR Bundles); repeat for both. "
    "Without --scope: intakes:write only.",
)
def api_token_create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a token; it is printed once, alone on the last line, and only its hash is kept."""
    from intake.extensions import db
    from intake.services.api_tokens import DEFAULT_SCOPES, TokenError, create_token

    try:
        token = create_token(name, scopes or DEFAULT_SCOPES)
    except TokenError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created API token {name!r}. Store it now: it cannot be shown again.")
    click.echo(token)


@api_token.command("revoke")
@click.argument("name")
def api_token_revoke(name: str) -> None:
    """Revoke a token; requests using it get 401 from now on."""
    from intake.extensions import db
    from intake.services.api_tokens import TokenError, revoke_token

    try:
        revoke_token(name)
    except TokenError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Revoked API token {name!r}.")
