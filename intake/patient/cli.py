"""Wizard commands: ``flask --app intake purge-drafts``."""

from __future__ import annotations

import click
from flask import Flask


def register_wizard_commands(app: Flask) -> None:
    @app.cli.command("purge-drafts")
    def purge_drafts() -> None:
        """Delete unsubmitted drafts older than DRAFT_LIFETIME and print how many."""
        from intake.extensions import db
        from intake.services.drafts import purge_expired

        count = purge_expired()
        db.session.commit()
        click.echo(f"Deleted {count} expired draft{'s' if count != 1 else ''}.")
