"""Real-browser fixtures: the app on a live local server, Debian's Chromium driven by Playwright.

Chromium comes from Debian (``apt-get install chromium``); Playwright cannot download browsers
here. Without it these tests skip with the reason, except under CI (``CI`` set), where a missing
browser is a failure. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from background import running
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One headless Chromium for the whole run."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    try:
        with running(server.serve_forever, server.shutdown, join_seconds=5):
            yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.server_close()


#: Pages opened with JavaScript off (axe, being a script, cannot run inside them).
_NO_SCRIPT_PAGES: set[int] = set()


@pytest.fixture
def new_page(chromium: object) -> Iterator[Callable[..., object]]:
    """Open a phone-sized page, with JavaScript on or off."""
    contexts = []

    def open_page(*, javascript: bool = True, viewport: dict[str, int] | None = None) -> object:
        context = chromium.new_context(viewport=viewport or PHONE, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        if not javascript:
            _NO_SCRIPT_PAGES.add(id(page))
        return page

    yield open_page
    for context in contexts:
        for page in context.pages:
            _NO_SCRIPT_PAGES.discard(id(page))
        context.close()


@pytest.fixture
def screenshot(database_url: str) -> Callable[[object, str], Path]:
    """Save a full-page screenshot under test-artifacts/screenshots/<database>/."""
    backend = "postgresql" if database_url.startswith("postgresql") else "sqlite"

    def take(page: object, name: str) -> Path:
        folder = ARTIFACTS / backend
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def assert_accessible() -> Callable[..., None]:
    """Run axe-core on the page; fail on any serious or critical violation (``strict``: any)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page: object, name: str, *, strict: bool = False) -> None:
        if id(page) in _NO_SCRIPT_PAGES:
            # axe is a script: scan the same URL in a JS-enabled twin of this page. The twin
            # carries the page's cookies (so it sees the same draft, not the start page) and
            # loads none of the app's scripts (so its page is the one drawn without them).
            twin = page.context.browser.new_context(
                viewport=page.viewport_size, storage_state=page.context.storage_state()
            )
            try:
                twin.route("**/static/js/**", lambda route: route.abort())
                twin_page = twin.new_page()
                twin_page.goto(page.url)
                assert urlsplit(twin_page.url).path == urlsplit(page.url).path, twin_page.url
                _scan(axe, twin_page, name, strict)
            finally:
                twin.close()
            return
        _scan(axe, page, name, strict)

    return check


def _scan(axe: object, page: object, name: str, strict: bool = False) -> None:
    results = axe.run(page)
    violations = results.response["violations"]
    bad = [v for v in violations if strict or v.get("impact") in {"serious", "critical"}]
    summary = "; ".join(
        f"{v['id']} ({v['impact']}): {len(v['nodes'])} node(s), e.g. {v['nodes'][0]['target']}"
        for v in bad
    )
    assert not bad, f"axe found problems on {name}: {summary}"
