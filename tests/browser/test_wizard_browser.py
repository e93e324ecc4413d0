"""The patient wizard in a real browser at phone width: JavaScript on and off, one step by
keyboard alone, screenshots of every page, an axe scan of every page (JS on)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.extensions import db
from intake.forms.patient import STEP_NAMES
from intake.models import Submission
from tests.patient.helpers import VALID

pytestmark = pytest.mark.browser

#: One medicine and one therapy: the page starts with one empty row of each.
ANSWERS = {
    **VALID,
    "medications": {k: v for k, v in VALID["medications"].items() if "-0-" in k},
}


def fill(page, data: dict[str, str]) -> None:
    for name, value in data.items():
        locator = page.locator(f'[name="{name}"]')
        kind = locator.first.get_attribute("type")
        tag = locator.first.evaluate("el => el.tagName.toLowerCase()")
        if kind == "radio":
            page.check(f'[name="{name}"][value="{value}"]')
        elif kind == "checkbox":
            page.check(f'[name="{name}"]')
        elif tag == "select":
            page.select_option(f'[name="{name}"]', value)
        else:
            locator.fill(value)


def tab_to(page, element_id: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"could not reach #{element_id} with Tab")


def about_by_keyboard(page) -> None:
    """Fill "About you" with the keyboard alone."""
    tab_to(page, "first_name")
    page.keyboard.type("Ana")
    tab_to(page, "last_name")
    page.keyboard.type("Reyes")
    tab_to(page, "date_of_birth")
    page.keyboard.type("04121985")
    tab_to(page, "email")
    page.keyboard.type("ana@example.org")
    tab_to(page, "phone")
    page.keyboard.type("503 555 0100")
    tab_to(page, "preferred_language-0")
    page.keyboard.press("Space")
    tab_to(page, "preferred_contact-0")
    page.keyboard.press("Space")
    tab_to(page, "next-button")
    page.keyboard.press("Enter")


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_wizard_walk_on_a_phone(
    live_server, new_page, screenshot, assert_accessible, javascript
) -> None:
    mode = "js" if javascript else "nojs"
    page = new_page(javascript=javascript)
    page.goto(live_server + "/")
    page.click("#start-button")
    page.wait_for_url("**/intake/step/about")
    # An empty Next shows the error summary first.
    page.click("#next-button")
    assert page.locator("#error-summary").is_visible()
    screenshot(page, f"wizard-{mode}-about-errors")
    if javascript:
        assert_accessible(page, "about you, with errors")
    about_by_keyboard(page)
    page.wait_for_url("**/intake/step/concerns")
    for step in STEP_NAMES[1:-1]:
        assert f"Step {STEP_NAMES.index(step) + 1} of {len(STEP_NAMES)}" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        if javascript and step == "insurance":
            # Payer questions hide for self-pay and come back for insurance.
            page.check('[name="coverage_type"][value="self_pay"]')
            assert not page.locator("#payer_name").is_visible()
            page.check('[name="coverage_type"][value="commercial"]')
            assert page.locator("#payer_name").is_visible()
            assert not page.locator("#subscriber_name").is_visible()
        fill(page, ANSWERS[step])
        screenshot(page, f"wizard-{mode}-{step}")
        if javascript:
            assert_accessible(page, step)
        page.click("#next-button")
    page.wait_for_url("**/intake/step/review")
    fill(page, VALID["review"])
    screenshot(page, f"wizard-{mode}-review")
    if javascript:
        assert_accessible(page, "review")
    page.click("#submit-button")
    page.wait_for_url("**/intake/done")
    reference = db.session.scalars(select(Submission)).one().reference
    assert reference in page.content()
    screenshot(page, f"wizard-{mode}-done")
    if javascript:
        assert_accessible(page, "confirmation")


def test_crisis_page_in_the_browser(live_server, new_page, screenshot, assert_accessible):
    page = new_page(javascript=True)
    page.goto(live_server + "/")
    page.click("#start-button")
    for step in STEP_NAMES[:4]:
        page.wait_for_url(f"**/intake/step/{step}")
        fill(page, ANSWERS[step])
        page.click("#next-button")
    page.wait_for_url("**/intake/step/asq")
    assert not page.locator("#thoughts_right_now-field").is_visible()
    page.check('[name="wished_dead"][value="yes"]')
    assert page.locator("#thoughts_right_now-field").is_visible()
    fill(page, {k: v for k, v in VALID["asq"].items() if k != "wished_dead"})
    page.check('[name="thoughts_right_now"][value="no"]')
    page.click("#next-button")
    page.wait_for_url("**/intake/support**")
    assert "988" in page.content()
    screenshot(page, "wizard-js-crisis-support")
    assert_accessible(page, "crisis support")
    page.click("#continue-link")
    page.wait_for_url("**/intake/step/medications")


def test_change_on_the_review_comes_back_to_the_review(live_server, new_page) -> None:
    """Review → "Change" beside Medications → Next: back on "Review and send" (JS on), not on
    through Treatments and the steps after it."""
    page = new_page(javascript=True)
    page.goto(live_server + "/")
    page.click("#start-button")
    for step in STEP_NAMES[:-1]:
        page.wait_for_url(f"**/intake/step/{step}")
        fill(page, ANSWERS[step])
        page.click("#next-button")
    page.wait_for_url("**/intake/step/review")
    page.click("#review-medications a.change-link")
    page.wait_for_url("**/intake/step/medications?from=review")
    assert page.locator("#next-button").inner_text() == "Next: review your answers"
    page.fill('[name="medication_trials-0-weeks"]', "16")
    page.click("#next-button")
    page.wait_for_url("**/intake/step/review")
    assert page.locator("h1").inner_text() == "Review and send"
    assert "16 weeks" in page.locator("#review-medications").inner_text()
