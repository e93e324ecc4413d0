"""Staff sign-in, sign-out, password change and two-factor authentication (``/staff/login`` …)."""

from typing import Any

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/staff")


@bp.record_once
def _setup(state: Any) -> None:
    from intake.auth.sessions import init_app

    init_app(state.app)


from intake.auth import views  # noqa: E402,F401 - registers the routes
