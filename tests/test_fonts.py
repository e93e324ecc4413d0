"""The app's own fonts: served from /static/fonts/, the only fonts its stylesheets name.

No page may load a font from elsewhere (the CSP allows only 'self') or fall back to one a
machine happens to have: the layout, and the PDF's page count, would change from one to the next.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

from flask.testing import FlaskClient

STATIC = Path(__file__).resolve().parents[1] / "intake" / "static"
STYLESHEETS = sorted((STATIC / "css").glob("*.css"))
FAMILY = "Atkinson Hyperlegible"
GENERIC = {"sans-serif", "inherit"}  # the last resort, and code inheriting the family

FONT_FACE = re.compile(r"@font-face\s*{([^}]*)}")
URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;}]+)")


def _font_urls() -> list[str]:
    """The /static/... address of every font an @font-face rule loads."""
    urls = []
    for sheet in STYLESHEETS:
        base = f"/static/css/{sheet.name}"
        for rule in FONT_FACE.findall(sheet.read_text()):
            urls += [urljoin(base, url) for url in URL.findall(rule)]
    return urls


def test_every_font_face_is_served_from_static_fonts(client: FlaskClient) -> None:
    urls = _font_urls()
    assert len(urls) == 8  # 400 and 700, normal and italic, latin and latin-ext
    for url in urls:
        assert url.startswith("/static/fonts/") and url.endswith(".woff"), url
        with client.get(url) as response:  # closing it closes the file it streams
            assert response.status_code == 200, url
            assert response.mimetype == "font/woff"
            assert response.data[:4] == b"wOFF"
            assert response.data == (STATIC / url.removeprefix("/static/")).read_bytes()
    assert "SIL OPEN FONT LICENSE" in (STATIC / "fonts" / "OFL.txt").read_text()


def test_stylesheets_name_only_the_shipped_family() -> None:
    for sheet in STYLESHEETS:
        css = sheet.read_text()
        assert "local(" not in css and "@import" not in css, sheet.name
        for url in URL.findall(css):
            assert not re.match(r"^([a-z]+:|//)", url), f"{sheet.name}: {url}"
        for value in FONT_FAMILY.findall(FONT_FACE.sub("", css)):
            names = {name.strip().strip("\"'") for name in value.split(",")}
            assert names <= {FAMILY, *GENERIC}, f"{sheet.name}: {value}"
        shorthands = re.findall(r"(?<![\w-])font\s*:\s*([^;}]+)", css)
        assert set(shorthands) <= {"inherit"}, f"{sheet.name}: {shorthands}"


def test_the_policy_lets_pages_load_their_own_fonts_only(client: FlaskClient) -> None:
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "font-src 'self'" in policy.split("; ")
