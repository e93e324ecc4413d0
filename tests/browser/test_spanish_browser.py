"""The whole wizard in Spanish in a real browser at phone width (390 px), JavaScript on and off:
the language switch on the start page (a plain form), every step with "Español" as the language
answer, review and confirmation; an axe scan of every page with JavaScript on (docs/wizard.md,
"Spanish")."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.extensions import db
from intake.forms.patient import STEP_NAMES
from intake.models import Submission
from tests.browser.test_wizard_browser import ANSWERS, fill
from tests.patient.helpers import VALID

pytestmark = pytest.mark.browser

IN_SPANISH = {**ANSWERS, "about": {**ANSWERS["about"], "preferred_language": "es"}}


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_wizard_in_spanish_on_a_phone(
    live_server, new_page, screenshot, assert_accessible, javascript
) -> None:
    mode = "js" if javascript else "nojs"
    page = new_page(javascript=javascript)
    page.goto(live_server + "/")
    assert page.get_attribute("html", "lang") == "en"
    page.click("#language-es")
    page.wait_for_url(live_server + "/")
    assert page.get_attribute("html", "lang") == "es"
    assert "Antes de su primera visita" in page.content()
    screenshot(page, f"spanish-{mode}-start")
    if javascript:
        assert_accessible(page, "start, Spanish")
    page.click("#start-button")
    page.wait_for_url("**/intake/step/about")
    page.click("#next-button")
    assert page.locator("#error-summary").is_visible()
    assert "Responda esta pregunta." in page.content()
    for step in STEP_NAMES[:-1]:
        page.wait_for_url(f"**/intake/step/{step}")
        assert page.get_attribute("html", "lang") == "es", step
        number = STEP_NAMES.index(step) + 1
        assert f"Paso {number} de {len(STEP_NAMES)}" in page.content(), step
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, step
        if step == "medications":
            # The medicine field suggests the Spanish generic names the rules know.
            suggested = page.locator('#medicine-names option[value="sertralina"]')
            assert suggested.count() == 1
        fill(page, IN_SPANISH[step])
        screenshot(page, f"spanish-{mode}-{step}")
        if javascript:
            assert_accessible(page, f"{step}, Spanish")
        page.click("#next-button")
    page.wait_for_url("**/intake/step/review")
    assert "Revisar y enviar" in page.content()
    fill(page, VALID["review"])
    screenshot(page, f"spanish-{mode}-review")
    if javascript:
        assert_accessible(page, "review, Spanish")
    page.click("#submit-button")
    page.wait_for_url("**/intake/done")
    assert page.get_attribute("html", "lang") == "es"
    assert "Gracias. Sus respuestas se enviaron." in page.content()
    submission = db.session.scalars(select(Submission)).one()
    assert submission.answers["patient"]["preferred_language"] == "es"
    assert submission.reference in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"spanish-{mode}-done")
    if javascript:
        assert_accessible(page, "confirmation, Spanish")
    # "Terminar": the device forgets the form, and says so in Spanish; the page is the next
    # person's, in English.
    page.click("#finish-button")
    page.wait_for_url(live_server + "/")
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_attribute("#finished", "lang") == "es"
    assert page.locator("#finished").inner_text().startswith("Gracias. Sus respuestas se enviaron")
    if javascript:
        assert_accessible(page, "start after finishing, Spanish thanks")
    screenshot(page, f"spanish-{mode}-finished")


def test_a_check_in_in_spanish_on_a_phone(
    app, live_server, new_page, screenshot, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    """A course whose intake was answered in Spanish: its check-in link opens a Spanish page
    (JavaScript off), the instruments as published with the Spanish note, the ASQ asked for by
    the server after item 9, answered with the keyboard, and the thank-you page in Spanish;
    every page axe-scanned and no wider than the phone (docs/checkins.md, "Language")."""
    from answer_documents import changed, sample_answers
    from checkin_samples import link_for, open_course

    from intake.models import CheckIn
    from tests.browser.test_checkin_browser import answer_scales, choose, fits, send

    _course, checkin = open_course(
        weeks_ago=1, answers=changed(sample_answers(), {"patient.preferred_language": "es"})
    )
    checkin_id = checkin.id
    page = new_page(javascript=False)
    page.goto(f"{live_server}/c/{link_for(checkin)}")
    assert page.url == f"{live_server}/checkin"
    assert page.get_attribute("html", "lang") == "es"
    assert page.locator("h1").inner_text() == "Su seguimiento"
    assert page.locator("#instrument-language-note").is_visible()
    assert page.locator(".instrument").first.get_attribute("lang") == "en"
    fits(page, "spanish-checkin-start", screenshot, assert_accessible)
    answer_scales(page, [1, 1, 1, 1, 1, 1, 1, 0, 1], [1] * 7)
    choose(page, "effect_headache", "mild")
    send(page)
    assert page.locator("#asq-section").is_visible()
    prompt = page.locator("#asq-prompt").inner_text()
    assert "Por su respuesta a la pregunta 9, responda también estas preguntas." in prompt
    fits(page, "spanish-checkin-asq", screenshot, assert_accessible)
    for name in ("wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried"):
        choose(page, name, "no")
    send(page)
    assert page.url == f"{live_server}/checkin/done"
    assert page.get_attribute("html", "lang") == "es"
    assert page.locator("h1").inner_text() == "Gracias: su seguimiento se envió"
    assert "llame al 988 y marque 2" in page.content()
    fits(page, "spanish-checkin-done", screenshot, assert_accessible)
    db.session.expire_all()
    saved = db.session.get(CheckIn, checkin_id)
    assert saved is not None and saved.urgent and saved.answers is not None
    assert saved.answers["side_effects"]["headache"] == "mild"
    assert saved.language == "es"
    # The front desk reads it in English, told the patient answered in Spanish.
    from tests.browser.staff_pages import sign_in
    from tests.factories import make_user

    desk = make_user("front_desk")
    db.session.commit()
    staff = new_page(javascript=True)
    sign_in(staff, live_server, desk.email)
    staff.goto(f"{live_server}/staff/checkins/{checkin_id}")
    assert staff.get_attribute("html", "lang") == "en"
    note = staff.locator("#answered-language").inner_text()
    assert note.startswith("The patient answered in Spanish; items are shown in English.")
    fits(staff, "spanish-checkin-staff-record", screenshot, assert_accessible)


def test_the_switch_turns_a_check_in_spanish_with_javascript_on(
    app, live_server, new_page, screenshot, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    from checkin_samples import link_for, open_course

    from tests.browser.test_checkin_browser import choose, fits

    _course, checkin = open_course(weeks_ago=1)
    page = new_page(javascript=True)
    page.goto(f"{live_server}/c/{link_for(checkin)}")
    assert page.get_attribute("html", "lang") == "en"
    page.click("#language-es")
    page.wait_for_url(f"{live_server}/checkin")
    assert page.get_attribute("html", "lang") == "es"
    choose(page, "phq9_9", "2")
    assert page.locator("#asq-section").is_visible()  # revealed at once, as in English
    assert page.locator("#asq-heading").inner_text() == "Preguntas sobre su seguridad (ASQ)"
    fits(page, "spanish-checkin-js-asq", screenshot, assert_accessible)
