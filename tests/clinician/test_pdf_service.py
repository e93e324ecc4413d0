"""The offline PDF renderer: the app's static files only, never the network or the disk."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from intake.services.pdf import RefusedURL, StaticOnlyFetcher, html_to_pdf

STATIC = Path(__file__).resolve().parents[2] / "intake" / "static"
BASE = "http://intake.test/"


def test_static_files_are_served() -> None:
    response = StaticOnlyFetcher(BASE, STATIC).fetch(BASE + "static/css/app.css")
    assert b"@font-face" in response.read()


def test_the_shipped_fonts_are_served() -> None:
    """The @font-face rules of the PDF's stylesheets load through this fetcher."""
    url = BASE + "static/fonts/atkinson-hyperlegible-latin-400-normal.woff"
    response = StaticOnlyFetcher(BASE, STATIC).fetch(url)
    assert response.headers["Content-Type"] == "font/woff" and response.read()[:4] == b"wOFF"


@pytest.mark.parametrize(
    "url",
    [
        "https://fonts.example.com/font.woff2",
        "http://intake.test.evil.example/static/css/app.css",
        "file:///etc/passwd",
        "http://intake.test/static/../../config.py",
        "http://intake.test/static/%2e%2e/%2e%2e/config.py",
        "http://intake.test/patient/start",
        "http://intake.test/static/css/missing.css",
    ],
)
def test_everything_else_is_refused(url: str) -> None:
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher(BASE, STATIC).fetch(url)


def test_a_page_with_remote_links_renders_without_them() -> None:
    html = (
        '<html><head><link rel="stylesheet" href="/static/css/app.css">'
        '<link rel="stylesheet" href="https://cdn.example.com/x.css"></head>'
        '<body><h1>Pathway summary</h1><img src="https://example.com/x.png" alt=""></body></html>'
    )
    pdf = html_to_pdf(html, base_url=BASE, static_folder=STATIC)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert "Pathway summary" in reader.pages[0].extract_text()
