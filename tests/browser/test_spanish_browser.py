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
