"""``role_required``: every staff, clinician and admin view says which roles may use it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from intake.extensions import db, login_manager
from intake.services import audit

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow the view to signed-in, active accounts holding any of ``roles``.

    Anonymous visitors are redirected to the sign-in page; a signed-in account without one of
    the roles gets 403. With no roles, any signed-in staff account may use the view. The roles
    are kept on the view as ``allowed_roles`` so the role-matrix test can check every route.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                _record_refusal()
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def _record_refusal() -> None:
    """Audit a refused attempt (its own transaction, before the 403).

    The refusal is answered even when it cannot be recorded (the database is down): a 403 must
    never turn into an error page, and nothing else was changed.
    """
    audit.record(
        "access_refused", detail={"endpoint": request.endpoint or "", "method": request.method}
    )
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("could not record a refused attempt on %s", request.endpoint)


def public(view: F) -> F:
    """Mark a view under ``/staff`` or ``/admin`` as open to anonymous visitors (sign-in pages)."""
    view.public = True  # type: ignore[attr-defined]
    return view


def background(view: F) -> F:
    """Mark a view a page calls by itself (the queue's live updates, ``staff.live``): it is not
    activity, so it never keeps an idle staff session open (``auth.sessions``)."""
    view.background = True  # type: ignore[attr-defined]
    return view
