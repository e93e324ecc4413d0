"""Every page is private (not cached) and may only load the app's own resources."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize("path", ["/", "/healthz", "/no-such-page"])
def test_strict_headers_on_every_response(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_reference_no_third_party_host(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    for marker in ('src="http', "src='http", 'href="//', "fonts.googleapis", "cdn."):
        assert marker not in html


# --- HSTS: production only, one year, subdomains included ---------------------------------------

#: What production sends, written out: one year in seconds, and every subdomain.
PRODUCTION_HSTS = "max-age=31536000; includeSubDomains"


def _production_app(tmp_path):  # type: ignore[no-untyped-def]
    from config import config_from_env
    from intake import create_app

    return create_app(
        config_from_env(
            {
                "INTAKE_ENV": "production",
                "INTAKE_SECRET_KEY": "k" * 40,
                "INTAKE_DATABASE_URL": f"sqlite:///{tmp_path / 'hsts.sqlite3'}",
                "INTAKE_ALLOW_SQLITE": "1",
                "INTAKE_RATELIMIT_STORAGE_URL": "memory://",
                "INTAKE_ALLOW_MEMORY_RATELIMIT": "1",
            }
        )
    )


def test_production_sends_hsts_on_every_response(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from intake.extensions import db

    app = _production_app(tmp_path)
    client = app.test_client()
    for path in ("/healthz", "/no-such-page", "/api/v1/intakes"):
        response = client.get(path)
        assert response.headers["Strict-Transport-Security"] == PRODUCTION_HSTS, path
    with app.app_context():
        db.engine.dispose()


def test_the_last_resort_page_sends_hsts_in_production(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from intake.errors import LastResort
    from intake.extensions import db

    app = _production_app(tmp_path)

    def broken(environ, start_response):  # type: ignore[no-untyped-def]
        raise RuntimeError("a handler failed")

    assert isinstance(app.wsgi_app, LastResort)
    app.wsgi_app.wsgi_app = broken  # what Flask runs inside the last-resort wrapper
    response = app.test_client().get("/staff/")
    assert response.status_code == 500
    assert response.headers["Strict-Transport-Security"] == PRODUCTION_HSTS
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/", "/healthz", "/no-such-page"])
def test_no_hsts_outside_production(client: FlaskClient, path: str) -> None:
    assert "Strict-Transport-Security" not in client.get(path).headers
