"""Error handlers: a friendly page for people, a JSON body for the API.

Error responses never echo the request body back, so patient answers cannot leak into an error
report.

A database that cannot be reached (restarting, stopped, a dropped connection) is a 503 with
``Retry-After``, never a 500: the request may be tried again, and a patient is told plainly that
the answers they saved before are safe. Handling it must not need the database: the page uses
only the base template (no signed-in user, no counts), and a rollback that fails too is logged
and dropped. ``LastResort`` catches whatever still escapes Flask, so even then the response is
the app's own, with the security headers, not gunicorn's bare page.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before retrying after a database outage.
RETRY_AFTER_SECONDS = 5


def N_(text: str) -> str:
    """Mark ``text`` for the catalogue (pybabel extracts ``N_``); the error pages translate it
    when a patient page is rendered in Spanish (``errors/error.html``), JSON stays English."""
    return text


_TITLES = {
    400: N_("That request could not be read"),
    401: N_("Please sign in"),
    403: N_("You do not have access to this page"),
    404: N_("We could not find that page"),
    405: N_("That action is not allowed here"),
    409: N_("Someone else changed this first"),
    413: N_("That was too much to send at once"),
    422: N_("Some answers need another look"),
    429: N_("Too many tries"),
    500: N_("Something went wrong on our side"),
    503: N_("We cannot reach our records just now"),
}

#: What the API says during an outage; a kiosk retries the same request with the same key.
API_UNAVAILABLE = (
    "The database could not be reached. Retry the same request after Retry-After seconds, with "
    "the same Idempotency-Key: an intake that was stored is then returned, not stored again."
)
PATIENT_UNAVAILABLE = N_(
    "Your answers saved so far are safe. If you had just pressed a button, that page may not "
    "have been saved: please try again in a minute."
)
STAFF_UNAVAILABLE = (
    "The clinic database could not be reached. Everything confirmed as saved is safe; the "
    "change you just sent may not have been saved. Please try again in a minute."
)

#: Exception types that mean "the database is unreachable", not "this request was wrong".
_OUTAGE_TYPES = (OperationalError, InterfaceError, PoolTimeout)


def is_database_outage(error: BaseException) -> bool:
    """Whether ``error`` says the database could not be reached or the connection was lost."""
    if isinstance(error, _OUTAGE_TYPES):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz", "/livez")


def _render(code: int, detail: str | None = None) -> ResponseReturnValue:
    title = _TITLES.get(code, "Something went wrong")
    if _wants_json():
        return jsonify(error=title, detail=detail), code
    return render_template("errors/error.html", code=code, title=title, detail=detail), code


def _rollback_quietly() -> None:
    """Roll the session back; if that fails too (the connection is gone), drop the session.

    An error handler that raises is how gunicorn's bare 500 page was once served."""
    from intake.extensions import db

    try:
        db.session.rollback()
    except Exception as exc:
        log.warning("rollback failed in the error handler: %s", type(exc).__name__)
        try:
            db.session.remove()
        except Exception as again:
            log.warning("closing the session failed too: %s", type(again).__name__)


def _no_user_lookup() -> None:
    """Render as nobody: Flask-Login puts ``current_user`` in every template, and loading the
    signed-in user needs the database that just failed (the same ``g`` key sessions.py uses)."""
    from flask_login import AnonymousUserMixin

    g._login_user = AnonymousUserMixin()


def _no_settings_lookup() -> None:
    """Render with the clinic's profile as this worker last kept it, however old, else the
    defaults (``INTAKE_CLINIC_PHONE``): the stored one is in the database that just failed."""
    from intake.services.settings import offline_profile

    offline_profile()


def _no_draft_lookup() -> None:
    """Render in the language this browser chose (the session), not the draft's: the draft is
    in the database that just failed."""
    from intake.patient.language import skip_draft_lookup

    skip_draft_lookup()


def database_unavailable(error: BaseException) -> Response:
    """The 503 for a database outage: JSON for the API, a page for patients or for staff."""
    cause = getattr(error, "orig", None) or error
    # The type only: an exception's text carries the SQL and its parameters (patient answers).
    log.error(
        "database unavailable (%s) on %s %s", type(cause).__name__, request.method, request.path
    )
    _rollback_quietly()
    _no_user_lookup()
    _no_settings_lookup()
    _no_draft_lookup()
    if _wants_json():
        response = jsonify(
            error=_TITLES[503], detail=API_UNAVAILABLE, retry_after=RETRY_AFTER_SECONDS
        )
    else:
        staff = request.blueprint not in (None, "patient")
        response = Response(
            render_template(
                "errors/unavailable.html",
                code=503,
                title=_TITLES[503],
                detail=STAFF_UNAVAILABLE if staff else PATIENT_UNAVAILABLE,
                staff=staff,
            ),
            mimetype="text/html",
        )
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _seconds_until_reset() -> int:
    """Seconds until the limit that was just exceeded lets a request through again."""
    from intake.extensions import limiter

    try:
        current = limiter.current_limit
        if current is not None:
            return max(1, int(current.reset_at - time.time()))
    except Exception as exc:  # the limit's storage went away meanwhile: a safe guess
        log.warning("could not read the rate limit's reset time: %s", type(exc).__name__)
    return 60


def too_many_requests(error: HTTPException) -> ResponseReturnValue:
    """A 429 with ``Retry-After``; the API's says in JSON which limit and when to retry."""
    retry_after = _seconds_until_reset()
    if _wants_json():
        limit = getattr(getattr(error, "limit", None), "limit", None)
        detail = f"Retry after {retry_after} seconds."
        if limit is not None:
            detail = f"Rate limit exceeded ({limit}): retry after {retry_after} seconds."
        response = jsonify(error="Too many requests", detail=detail, retry_after=retry_after)
    else:
        response = Response(
            render_template("errors/error.html", code=429, title=_TITLES[429], detail=None),
            mimetype="text/html",
        )
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    return response


def register(app: Flask) -> None:
    """Attach the handlers to ``app``, and ``LastResort`` around its WSGI callable."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return _render(
            400,
            N_(
                "This form had expired or was sent from somewhere else. Please go back, reload "
                "the page and try again. Your saved answers are safe."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        original = getattr(error, "original_exception", None)
        if code == 500 and original is not None and is_database_outage(original):
            return database_unavailable(original)
        if code == 429:
            return too_many_requests(error)
        detail = None
        if code == 413:
            detail = N_("Requests are limited to 256 KB.")
        return _render(code, detail)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        if is_database_outage(error):
            return database_unavailable(error)
        # Log the type and where it happened, never the request data.
        app.logger.error(
            "unhandled %s on %s %s", type(error).__name__, request.method, request.url_rule
        )
        _rollback_quietly()
        return _render(500)

    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in
    # reverse): a request that succeeded must not become an error because the connection was
    # cut before the session's closing rollback.
    app.teardown_appcontext(close_session_quietly)
    app.wsgi_app = LastResort(  # type: ignore[method-assign]
        app.wsgi_app, hsts_max_age=app.config["HSTS_MAX_AGE"]
    )


def close_session_quietly(_error: BaseException | None = None) -> None:
    """End the request's session; a rollback that fails (server gone) is logged, not raised."""
    from intake.extensions import db

    try:
        db.session.remove()
    except Exception as exc:
        log.warning("closing the session failed: %s", type(exc).__name__)
        db.session.registry.clear()  # the connection is invalidated; forget this session


_StartResponse = Callable[..., Any]

_LAST_RESORT_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Clinic intake</title>"
    "<h1>{title}</h1><p>{detail}</p></html>"
)


class LastResort:
    """WSGI middleware: an exception that escapes Flask (an error handler that itself failed)
    becomes a small page of our own, 503 with ``Retry-After`` for a database outage, else 500,
    carrying the same security headers as every other response."""

    def __init__(
        self,
        wsgi_app: Callable[[dict[str, Any], _StartResponse], Iterable[bytes]],
        *,
        hsts_max_age: int = 0,
    ):
        self.wsgi_app = wsgi_app
        self.hsts_max_age = hsts_max_age

    def __call__(self, environ: dict[str, Any], start_response: _StartResponse) -> Iterable[bytes]:
        started = False

        def tracking_start_response(*args: Any) -> Any:
            nonlocal started
            started = True
            return start_response(*args)

        try:
            return self.wsgi_app(environ, tracking_start_response)
        except Exception as exc:
            outage = is_database_outage(exc)
            log.error("error escaped the handlers: %s", type(exc).__name__)
            # Once a response was started, replacing it needs exc_info (PEP 3333); before
            # that, none (the test client would re-raise it).
            exc_info = sys.exc_info() if started else None
            return self._respond(outage, environ, start_response, exc_info, self.hsts_max_age)

    @staticmethod
    def _respond(
        outage: bool,
        environ: dict[str, Any],
        start_response: _StartResponse,
        exc_info: Any,
        hsts_max_age: int = 0,
    ) -> Iterable[bytes]:
        from intake.security import security_headers

        api = str(environ.get("PATH_INFO", "")).startswith("/api/")
        status = "503 Service Unavailable" if outage else "500 Internal Server Error"
        title = _TITLES[503] if outage else _TITLES[500]
        if api:
            detail = API_UNAVAILABLE if outage else None
            body = json.dumps({"error": title, "detail": detail}).encode()
            content_type = "application/json"
        else:
            detail = PATIENT_UNAVAILABLE if outage else "Please try again in a minute."
            body = _LAST_RESORT_PAGE.format(title=title, detail=detail).encode()
            content_type = "text/html; charset=utf-8"
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        headers += list(security_headers(hsts_max_age).items())
        headers.append(("Cache-Control", "no-store"))
        if outage:
            headers.append(("Retry-After", str(RETRY_AFTER_SECONDS)))
        if exc_info is None:
            start_response(status, headers)
        else:
            start_response(status, headers, exc_info)
        return [body]
