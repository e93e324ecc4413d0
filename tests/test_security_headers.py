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
