"""intake-answers/2 in a real browser at phone width (issue 11, "Wizard"): a 15-year-old sends
the form with a parent or guardian named in the consent, with JavaScript on and off; a
declined ASQ question shows question 5 and then the calm, non-acute support page; a declined
question 5 the crisis page; under 12 is refused with the clinic's phone number. Every page is
scanned with axe and photographed (test-artifacts/screenshots/)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from intake.extensions import db
from intake.models import Submission
from tests.browser.test_wizard_browser import ANSWERS, fill

pytestmark = pytest.mark.browser

CLINIC_PHONE = "503-555-0199"


def years_ago(years: int) -> str:
    today = date.today()
    try:
        return today.replace(year=today.year - years).isoformat()
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28).isoformat()


def choose(page, question: str, answer: str) -> None:
    """Click the answer, by its words, in the group of radio buttons whose legend matches."""
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def start(page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.click("#start-button")
    page.wait_for_url("**/intake/step/about")


def answer_steps(page, steps: list[str], answers: dict[str, dict[str, str]]) -> None:
    for step in steps:
        page.wait_for_url(f"**/intake/step/{step}")
        fill(page, answers[step])
        page.click("#next-button")


BEFORE_ASQ = ["about", "concerns", "phq9", "gad7"]
AFTER_ASQ = ["medications", "treatments", "safety", "preferences", "insurance"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_a_15_year_old_sends_with_a_parent_or_guardian(
    live_server, new_page, screenshot, assert_accessible, javascript
) -> None:
    mode = "js" if javascript else "nojs"
    page = new_page(javascript=javascript)
    start(page, live_server)
    teen = {**ANSWERS, "about": {**ANSWERS["about"], "date_of_birth": years_ago(15)}}
    answer_steps(page, [*BEFORE_ASQ, "asq", *AFTER_ASQ], teen)
    page.wait_for_url("**/intake/step/review")
    guardian = page.locator("#guardian")
    assert guardian.is_visible()
    assert "You are under 18, so a parent or legal guardian" in guardian.inner_text()
    fill(page, ANSWERS["review"])
    # Sending without the guardian's answers: both are asked for at their fields.
    page.click("#submit-button")
    page.wait_for_url("**/intake/step/review")
    assert page.locator("#error-summary").is_visible()
    assert page.locator("#guardian_name-error-1").is_visible()
    assert page.locator("#guardian_relationship-error-1").is_visible()
    screenshot(page, f"wizard-v2-{mode}-guardian-errors")
    assert_accessible(page, "review with guardian errors")
    page.get_by_label("Your parent's or legal guardian's full name").fill("Maria Reyes")
    choose(page, "Is this person your parent or your legal guardian?", "Parent")
    if not page.get_by_label("I understand that this form gives general").is_checked():
        fill(page, ANSWERS["review"])
    screenshot(page, f"wizard-v2-{mode}-guardian")
    assert_accessible(page, "review with guardian", strict=True)
    page.click("#submit-button")
    page.wait_for_url("**/intake/done")
    submission = db.session.scalars(select(Submission)).one()
    assert submission.answers["contract"] == "intake-answers/2"
    assert submission.answers["consent"]["guardian_name"] == "Maria Reyes"
    assert submission.answers["consent"]["guardian_relationship"] == "parent"
    assert "guardian_consent" in [flag["code"] for flag in submission.evaluation["flags"]]
    assert submission.reference in page.content()


def test_an_adult_is_not_asked_for_a_guardian(live_server, new_page) -> None:
    page = new_page(javascript=True)
    start(page, live_server)
    answer_steps(page, [*BEFORE_ASQ, "asq", *AFTER_ASQ], ANSWERS)
    page.wait_for_url("**/intake/step/review")
    assert page.locator("#guardian").count() == 0
    assert page.locator('[name="guardian_name"]').count() == 0


def test_declining_a_question_shows_question_5_then_the_calm_page(
    live_server, new_page, screenshot, assert_accessible
) -> None:
    page = new_page(javascript=True)
    start(page, live_server)
    answer_steps(page, BEFORE_ASQ, ANSWERS)
    page.wait_for_url("**/intake/step/asq")
    note = page.locator("#asq-declined-note")
    assert "a clinician may reach out to check on you, just to be safe" in note.inner_text()
    right_now = page.locator("#thoughts_right_now-field")
    assert not right_now.is_visible()
    for question in ("wished you were dead", "ever tried to kill yourself"):
        choose(page, question, "No")
    choose(page, "thoughts about killing yourself", "No")
    choose(page, "better off if you were dead", "I'd rather not answer")
    assert right_now.is_visible()  # declining counts as a positive screen: question 5 asked
    screenshot(page, "wizard-v2-js-asq-declined")
    assert_accessible(page, "ASQ with a declined answer", strict=True)
    choose(page, "thoughts of killing yourself right now", "No")
    page.click("#next-button")
    page.wait_for_url("**/intake/support**")
    assert page.locator("#support-calm").is_visible()
    assert page.locator("h1").inner_text() == "Thank you for answering"
    assert "a clinician will want to talk with you about your safety" in page.content()
    assert page.locator("#support-acute").count() == 0
    assert page.locator('a[href="tel:988"]').first.is_visible()
    assert page.locator('a[href="tel:911"]').first.is_visible()
    screenshot(page, "wizard-v2-js-support-calm")
    assert_accessible(page, "calm support page", strict=True)
    page.click("#continue-link")
    page.wait_for_url("**/intake/step/medications")
    answer_steps(page, AFTER_ASQ, ANSWERS)
    page.wait_for_url("**/intake/step/review")
    assert "I'd rather not answer" in page.locator("#review-asq").inner_text()
    fill(page, ANSWERS["review"])
    page.click("#submit-button")
    page.wait_for_url("**/intake/done")
    assert page.locator("#done-safety").is_visible()
    screenshot(page, "wizard-v2-js-done-safety-check")
    assert_accessible(page, "confirmation, non-acute", strict=True)
    asq = db.session.scalars(select(Submission)).one().answers["asq"]
    assert asq["family_better_off"] == "declined" and asq["thoughts_right_now"] == "no"


def test_declining_question_5_shows_the_crisis_page(
    live_server, new_page, screenshot, assert_accessible
) -> None:
    """Without JavaScript question 5 is on the page after four noes; declining it is acute."""
    page = new_page(javascript=False)
    start(page, live_server)
    answer_steps(page, BEFORE_ASQ, ANSWERS)
    page.wait_for_url("**/intake/step/asq")
    fill(page, ANSWERS["asq"])
    choose(page, "thoughts of killing yourself right now", "I'd rather not answer")
    page.click("#next-button")
    page.wait_for_url("**/intake/support**")
    text = page.locator("main").inner_text()
    assert "You chose not to say if you are having thoughts of killing yourself right now" in text
    for line in ("988", "press 1", "press 2", "911", "front desk"):
        assert line in text
    screenshot(page, "wizard-v2-nojs-support-acute-declined")
    assert_accessible(page, "crisis page, question 5 declined", strict=True)


def test_under_12_is_refused_with_the_clinic_phone(
    app, live_server, new_page, screenshot, assert_accessible
) -> None:
    app.config["CLINIC_PHONE"] = CLINIC_PHONE
    page = new_page(javascript=True)
    start(page, live_server)
    fill(page, {**ANSWERS["about"], "date_of_birth": years_ago(10)})
    page.click("#next-button")
    page.wait_for_url("**/intake/step/about")
    error = page.locator("#date_of_birth-error-1")
    assert error.is_visible()
    assert f"Please call the clinic at {CLINIC_PHONE}" in error.inner_text()
    assert "for people aged 12 and over" in page.locator("#error-summary").inner_text()
    screenshot(page, "wizard-v2-js-about-under-12")
    assert_accessible(page, "about you, under 12", strict=True)
