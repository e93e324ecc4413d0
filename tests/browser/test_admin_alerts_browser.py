"""The admin's alerts page in a real browser at phone width (390 px), JavaScript on and off:
add a tier and a recipient, send a test alert; no horizontal scroll, axe-clean."""

from __future__ import annotations

import pytest

from tests.browser.staff_pages import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _fits_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_admin_sets_up_a_tier_and_sends_a_test_alert(
    live_server, new_page, screenshot, assert_accessible, javascript: bool
) -> None:  # type: ignore[no-untyped-def]
    make_user("admin", email="boss@example.org")
    page = new_page(javascript=javascript, viewport=PHONE)
    sign_in(page, live_server, "boss@example.org")
    page.goto(live_server + "/admin/alerts")
    assert "No tiers yet" in page.inner_text("main")
    assert_accessible(page, "admin alerts (empty)")

    page.fill("#new-name", "")
    page.get_by_role("button", name="Add tier 1").click()
    page.wait_for_load_state()
    assert "Give the tier a name." in page.inner_text(".error-summary")
    assert_accessible(page, "admin alerts (refused)")

    page.fill("#new-name", "Front desk")
    page.fill("#new-minutes", "10")
    page.get_by_role("button", name="Add tier 1").click()
    page.wait_for_load_state()
    assert "Tier 1 “Front desk” added." in page.inner_text("main")

    page.get_by_text("Add a recipient").click()
    page.get_by_label("An e-mail address").check()
    page.get_by_label("E-mail address", exact=True).fill("desk@clinic.example")
    page.get_by_role("button", name="Add recipient").click()
    page.wait_for_load_state()
    assert "E-mail desk@clinic.example" in page.inner_text("main")

    page.get_by_role("button", name="Send a test alert to tier 1").click()
    page.wait_for_load_state()
    assert "Test alert queued for 1 recipient of tier 1" in page.inner_text("main")
    assert "Test alert" in page.inner_text("table")
    _fits_a_phone(page)
    screenshot(page, f"admin-alerts-{'js' if javascript else 'no-js'}")
    assert_accessible(page, "admin alerts")
