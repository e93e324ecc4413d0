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


def test_the_clinic_name_and_phone_fit_a_phone(
    app, live_server, new_page, screenshot, assert_accessible
) -> None:
    from intake.extensions import db
    from intake.services import settings

    settings.set_setting(settings.CLINIC_NAME, "Riverside Mind and Mood Clinic", user_id=None)
    settings.set_setting(settings.CLINIC_PHONE, "+1 503-555-0100", user_id=None)
    settings.set_setting(
        settings.CLINIC_ADDRESS,
        "1200 Northwest Riverside Boulevard\nPortland, OR 97201",
        user_id=None,
    )
    db.session.commit()
    page = new_page(javascript=False)
    page.goto(live_server + "/")
    assert page.title().endswith("· Riverside Mind and Mood Clinic")
    assert page.locator("a.brand").inner_text() == "Riverside Mind and Mood Clinic"
    phone = page.locator("#clinic-contact a")
    assert phone.get_attribute("href") == "tel:+15035550100"
    assert phone.inner_text() == "+1 503-555-0100"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "start-with-clinic-settings")
    assert_accessible(page, "start page with the clinic's name and phone")


def test_the_page_asks_for_nothing_that_is_not_there(live_server, new_page) -> None:
    """Every request a page makes is answered: the browser's icon is the app's own, not a
    /favicon.ico that is not served (a 404 in the console of every page)."""
    page = new_page(javascript=True)
    answers: list[tuple[str, int, str]] = []
    page.on(
        "response",
        lambda r: answers.append((r.url, r.status, r.headers.get("content-type", ""))),
    )
    page.goto(live_server + "/")
    page.wait_for_load_state("networkidle")
    missing = [(url, status) for url, status, _kind in answers if status >= 400]
    assert missing == []
    icons = [kind for url, _status, kind in answers if url.endswith("/static/favicon.svg")]
    assert icons and icons[0].startswith("image/svg+xml")
