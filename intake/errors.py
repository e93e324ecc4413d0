"""Error handlers: a friendly page for people, a JSON body for the API.

Error responses never echo the request body back, so patient answers cannot leak into an error
report.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

_TITLES = {
    400: "That request could not be read",
    401: "Please sign in",
    403: "You do not have access to this page",
    404: "We could not find that page",
    405: "That action is not allowed here",
    409: "Someone else changed this first",
    413: "That was too much to send at once",
    422: "Some answers need another look",
    429: "Too many tries",
    500: "Something went wrong on our side",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _render(code: int, detail: str | None = None) -> ResponseReturnValue:
    title = _TITLES.get(code, "Something went wrong")
    if _wants_json():
        return jsonify(error=title, detail=detail), code
    return render_template("errors/error.html", code=code, title=title, detail=detail), code


def register(app: Flask) -> None:
    """Attach the handlers to ``app``."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return _render(
            400,
            "This form had expired or was sent from somewhere else. Please go back, reload the "
            "page and try again. Your saved answers are safe.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        detail = None
        if code == 413:
            detail = "Requests are limited to 256 KB."
        return _render(code, detail)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        # Log the type and where it happened, never the request data.
        app.logger.error(
            "unhandled %s on %s %s", type(error).__name__, request.method, request.url_rule
        )
        from intake.extensions import db

        db.session.rollback()
        return _render(500)
