"""Admin routes."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from intake.admin import bp
from intake.auth.decorators import role_required


@bp.get("/")
@role_required("admin")
def index() -> ResponseReturnValue:
    return render_template("admin/index.html")
