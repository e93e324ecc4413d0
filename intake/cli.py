"""Flask CLI commands (``flask --app intake …``).

Each area keeps its commands beside its code and registers them here; commands import what they
need lazily so that ``flask --app intake evaluate`` starts quickly.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every command group to ``app``."""
    from intake.api.cli import register_api_commands
    from intake.auth.cli import register_auth_commands
    from intake.patient.cli import register_wizard_commands
    from intake.rules_cli import register_rules_commands
    from intake.worker import register_worker_commands

    register_api_commands(app)
    register_auth_commands(app)
    register_rules_commands(app)
    register_wizard_commands(app)
    register_worker_commands(app)
