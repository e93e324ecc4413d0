"""Sending the answers so far from the support page, in Chromium at 390 px (issue 15, item 6):
with JavaScript on and off, the choice is on the support page, reachable by keyboard, axe-clean
and as wide as the phone; pressing it stores one urgent partial and shows the confirmation;
without a finished "About you" the page asks for name, date of birth and phone first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.extensions import db
from intake.models import Submission
from tests.browser.test_wizard_browser import ANSWERS, fill, tab_to
from tests.browser.test_wizard_v2_browser import BEFORE_ASQ, answer_steps, start

pytestmark = pytest.mark.browser

ACUTE = {**ANSWERS["asq"], "wished_dead": "yes", "thoughts_right_now": "yes"}


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at 390 px"


def partials() -> list[Submission]:
    db.session.expire_all()
    return list(db.session.scalars(select(Submission).where(Submission.partial.is_(True))))


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_support_page_choice_sends_once(
    live_server, new_page, screenshot, assert_accessible, javascript: bool
) -> None:
    page = new_page(javascript=javascript)
    start(page, live_server)
    answer_steps(page, BEFORE_ASQ, ANSWERS)
    page.wait_for_url("**/intake/step/asq")
    fill(page, ACUTE)
    page.click("#next-button")
    page.wait_for_url("**/intake/support**")
    choice = page.locator("#send-now")
    assert choice.is_visible()
    assert "Nothing is sent unless you press the button." in choice.inner_text()
    fits_the_phone(page)
    name = "js" if javascript else "nojs"
    screenshot(page, f"partial-{name}-support-choice")
    assert_accessible(page, "support page with the choice to send", strict=True)
    assert partials() == []  # seeing the choice sends nothing
    tab_to(page, "send-partial-button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/intake/support/sent")
    assert "Your answers so far were sent to the clinic" in page.locator("h1").inner_text()
    fits_the_phone(page)
    screenshot(page, f"partial-{name}-sent")
    assert_accessible(page, "partial sent confirmation", strict=True)
    (partial,) = partials()
    assert (partial.urgent, partial.acute) == (True, True)
    assert partial.reference in page.locator("#partial-sent").inner_text()
    page.go_back()  # back to the support page: it says it was sent, no second button
    page.reload()
    assert page.locator("#send-partial-button").count() == 0
    assert partial.reference in page.locator("#partial-sent").inner_text()
    page.click("#continue-link")
    page.wait_for_url("**/intake/step/medications")
    assert len(partials()) == 1


def test_without_about_you_the_choice_asks_how_to_reach_the_patient(
    live_server, new_page, screenshot, assert_accessible
) -> None:
    # JavaScript on: axe scans this very page (a page without scripts is scanned by loading
    # its URL again, which for the refused POST would not be the page with its errors).
    page = new_page(javascript=True)
    start(page, live_server)
    page.goto(live_server + "/intake/step/phq9")
    fill(page, {**ANSWERS["phq9"], "item_9": "2"})
    page.click("#next-button")
    page.wait_for_url("**/intake/support**")
    page.click("#send-partial-button")
    page.wait_for_url("**/intake/support/send")
    assert page.locator("#error-summary").is_visible()
    fits_the_phone(page)
    screenshot(page, "partial-js-contact-errors")
    assert_accessible(page, "support page, contact details missing", strict=True)
    assert partials() == []
    fill(
        page,
        {
            "first_name": "Ana",
            "last_name": "Reyes",
            "date_of_birth": "1985-04-12",
            "phone": "+1 503 555 0100",
        },
    )
    page.click("#send-partial-button")
    page.wait_for_url("**/intake/support/sent")
    (partial,) = partials()
    assert partial.answers["contact"]["phone"] == "+1 503 555 0100"
