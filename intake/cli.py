"""Flask CLI commands (``flask --app intake …``). Each command imports what it needs lazily."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every command group to ``app``."""
    from intake.rules_cli import register_rules_commands

    register_rules_commands(app)
