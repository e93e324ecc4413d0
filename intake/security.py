"""Response headers that keep pages private and the browser strict.

- A Content Security Policy that allows only this app's own scripts, styles and images: no CDN,
  tracker or third-party script can run even if one were added to a template by mistake.
- ``Cache-Control: no-store`` on every HTML page, because intake answers and staff screens must
  not be kept in a shared computer's browser cache or shown again from history after sign-out.
- No referrer is sent, so a link followed from a page never carries its address elsewhere.
- In production, ``Strict-Transport-Security`` (``HSTS_MAX_AGE``, one year, with
  ``includeSubDomains``): once a browser has reached the clinic's address over HTTPS it refuses
  plain HTTP there for a year, so a network on the way cannot downgrade a sign-in to HTTP.
  Development and the tests serve plain HTTP and send none (browsers ignore it over HTTP anyway).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app
from werkzeug.routing import IntegerConverter, Map

#: The largest id a database integer column holds (PostgreSQL ``integer``).
MAX_DB_ID = 2**31 - 1

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def security_headers(hsts_max_age: int = 0) -> dict[str, str]:
    """The headers every response carries (also sent by ``intake.errors.LastResort``), with
    ``Strict-Transport-Security`` when ``hsts_max_age`` (seconds) is set."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if hsts_max_age > 0:
        headers["Strict-Transport-Security"] = f"max-age={hsts_max_age}; includeSubDomains"
    return headers


def add_security_headers(response: Response) -> Response:
    """Attach the headers to every response."""
    for name, value in security_headers(current_app.config["HSTS_MAX_AGE"]).items():
        response.headers.setdefault(name, value)
    if response.mimetype in {"text/html", "application/json", "text/csv", "application/pdf"}:
        response.headers["Cache-Control"] = "no-store"
    return response


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in every URL: an id the database can hold, else the URL does not match (404).

    Werkzeug's own converter takes any number of digits, and a 25-digit id reached the database
    driver and failed there (a 500).
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_DB_ID)
        super().__init__(map, *args, **kwargs)


def register(app: Flask) -> None:
    """Install the headers and the id converter on ``app`` (before any blueprint is added)."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.after_request(add_security_headers)
