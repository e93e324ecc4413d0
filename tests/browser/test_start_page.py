"""The start page in a real browser: phone width, keyboard, accessibility."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_start_page_on_a_phone(
    live_server, new_page, screenshot, assert_accessible, javascript
) -> None:
    page = new_page(javascript=javascript)
    page.goto(live_server + "/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_text("988").first.is_visible()
    # The page never needs horizontal scrolling at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The first Tab lands on the skip link, which takes keyboard users to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    screenshot(page, f"start-{'js' if javascript else 'nojs'}")
    assert_accessible(page, "start page")
