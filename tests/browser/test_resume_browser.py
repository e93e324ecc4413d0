"""Save and finish later, then resume on another device, in a real browser at phone width."""

from __future__ import annotations

import pytest

from tests.patient.helpers import VALID

pytestmark = pytest.mark.browser
ABOUT = VALID["about"]


def test_save_then_resume_elsewhere(live_server, new_page, screenshot, assert_accessible) -> None:
    page = new_page(javascript=True)
    page.goto(live_server + "/")
    page.click("#start-button")
    page.wait_for_url("**/intake/step/about")
    page.fill("#first_name", ABOUT["first_name"])
    page.fill("#date_of_birth", ABOUT["date_of_birth"])
    page.click("#save-button")
    page.wait_for_url("**/intake/saved")
    code = page.locator("#resume-code").inner_text()
    screenshot(page, "wizard-js-saved")
    assert_accessible(page, "saved for later")

    other = new_page(javascript=True)  # another phone: no session, only the code
    other.goto(live_server + "/resume")
    assert_accessible(other, "resume")
    other.fill("#code", code)
    other.fill("#date_of_birth", "2000-01-01")
    other.click("#resume-button")
    summary = other.locator("#error-summary")
    assert summary.is_visible()
    assert "do not match" in summary.inner_text()
    screenshot(other, "wizard-js-resume-wrong-pair")
    assert_accessible(other, "resume with a wrong pair")

    other.fill("#code", code.lower().replace("-", " "))
    other.fill("#date_of_birth", ABOUT["date_of_birth"])
    other.click("#resume-button")
    other.wait_for_url("**/intake/step/**")
    other.goto(live_server + "/intake/step/about")
    assert other.locator("#first_name").input_value() == ABOUT["first_name"]


def test_not_found_page_is_friendly_and_accessible(
    live_server, new_page, screenshot, assert_accessible
) -> None:
    page = new_page(javascript=True)
    response = page.goto(live_server + "/no-such-page")
    assert response.status == 404
    assert "988" in page.content()
    screenshot(page, "error-404")
    assert_accessible(page, "not found page")
