"""Front-desk routes."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from intake.auth.decorators import role_required
from intake.staff import bp

QUEUE_ROLES = ("front_desk", "clinician")


@bp.app_context_processor
def staff_header() -> dict[str, object]:
    """``unacknowledged_urgent_count`` for the header of every staff page."""
    from flask_login import current_user

    def count() -> int:
        if not current_user.is_authenticated or not current_user.has_role(*QUEUE_ROLES):
            return 0
        from intake.services.queue import unacknowledged_urgent_count

        return unacknowledged_urgent_count()

    return {"unacknowledged_urgent_count": _Lazy(count)}


class _Lazy:
    """Runs the count query only when a template prints it."""

    def __init__(self, fn):  # type: ignore[no-untyped-def]
        self._fn = fn
        self._value: int | None = None

    def _get(self) -> int:
        if self._value is None:
            self._value = self._fn()
        return self._value

    def __str__(self) -> str:
        return str(self._get())

    def __bool__(self) -> bool:
        return bool(self._get())

    def __int__(self) -> int:
        return self._get()


@bp.get("/")
@role_required(*QUEUE_ROLES)
def queue() -> ResponseReturnValue:
    return render_template("staff/queue.html")
