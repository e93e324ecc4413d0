"""Flask CLI commands (``flask --app intake …``). Each command imports what it needs lazily."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every command group to ``app``."""
    from intake.auth.cli import register_auth_commands

    register_auth_commands(app)
