"""Patient routes. Views stay thin: forms validate, services store."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from intake.patient import bp


@bp.get("/")
def start() -> ResponseReturnValue:
    """What the intake is, how long it takes, and that it is not for emergencies."""
    return render_template("patient/start.html")
