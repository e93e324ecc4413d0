"""Urgent means someone is told, end to end in Chromium (issue 15, "Done when").

A patient on a phone answers "yes" to an ASQ question and sends the form; the worker's sweep
sends the on-call address one e-mail through a real SMTP server (aiosmtpd), naming only the
reference and a staff link; the front desk records a contact attempt (no answer), which stops
the escalation but leaves the submission on the clinicians' urgent list; a clinician signs it
off and it leaves that list. Staff pages at 390 px and on a desktop, each axe-scanned.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from intake.extensions import db
from intake.models import Submission
from intake.models.types import utcnow
from intake.worker import sweep
from tests.alerts.helpers import make_tier
from tests.alerts.servers import SmtpServer
from tests.browser.test_wizard_browser import ANSWERS, fill
from tests.browser.test_wizard_v2_browser import AFTER_ASQ, BEFORE_ASQ, answer_steps, start
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.patient.helpers import VALID

pytestmark = pytest.mark.browser

ON_CALL = "oncall@clinic.example"
LEAD = "lead@clinic.example"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: ASQ question 1 yes, question 5 ("right now") no: urgent, not acute.
ASQ_POSITIVE = {**ANSWERS["asq"], "wished_dead": "yes", "thoughts_right_now": "no"}


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_SECURITY="none", ALERT_DIGEST_HOUR=None
    )
    yield server
    server.stop()


def sign_in(page, base: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def check(page, name: str, width: int, screenshot, assert_accessible) -> None:  # type: ignore[no-untyped-def]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name}: {scroll} px wide at {width} px"
    screenshot(page, name)
    assert_accessible(page, name)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_positive_screen_is_told_contacted_and_signed_off(
    app: Flask, live_server, new_page, screenshot, assert_accessible, smtp, viewport
) -> None:  # type: ignore[no-untyped-def]
    make_tier("Front desk on call", 15, emails=(ON_CALL,))
    make_tier("Clinical lead", 30, emails=(LEAD,))
    desk = make_user("front_desk")
    clinician = make_user("clinician")
    size = "phone" if viewport is PHONE else "desktop"

    # The patient, on a phone: a "yes" on the ASQ shows the support page, then the form goes on.
    patient = new_page(viewport=PHONE)
    start(patient, live_server)
    answer_steps(patient, BEFORE_ASQ, ANSWERS)
    patient.wait_for_url("**/intake/step/asq")
    fill(patient, ASQ_POSITIVE)
    patient.click("#next-button")
    patient.wait_for_url("**/intake/support**")
    patient.click("#continue-link")
    answer_steps(patient, AFTER_ASQ, ANSWERS)
    patient.wait_for_url("**/intake/step/review")
    fill(patient, VALID["review"])
    patient.click("#submit-button")
    patient.wait_for_url("**/intake/done")
    db.session.expire_all()
    submission = db.session.scalars(select(Submission)).one()
    assert (submission.urgent, submission.acute) == (True, False)
    assert submission.reference in patient.content()

    # The worker's sweep: the on-call address gets one e-mail, with no patient data in it.
    sweep(utcnow())
    sweep(utcnow())  # a second sweep sends nothing again
    (alert,) = smtp.messages
    assert alert.recipients == [ON_CALL]
    assert submission.reference in alert.message["Subject"]
    # What a person reads: the subject and the text (the headers' random ids are not answers).
    words = f"{alert.message['Subject']}\n{alert.message.get_payload()}"
    assert f"/staff/submissions/{submission.id}" in words
    about = VALID["about"]
    for answer in (about["first_name"], about["last_name"], about["date_of_birth"], about["email"]):
        assert answer not in alert.raw.decode(), answer

    # The front desk calls: no answer. It leaves the pinned list; escalation stops.
    page = new_page(viewport=viewport)
    sign_in(page, live_server, desk.email)
    assert "1 urgent not acknowledged" in page.inner_text("header")
    assert submission.reference in page.inner_text("#pinned")
    check(page, f"urgent-{size}-queue", viewport["width"], screenshot, assert_accessible)
    page.goto(f"{live_server}/staff/submissions/{submission.id}")
    page.get_by_label("No answer").check()
    page.get_by_role("button", name="Record contact attempt").click()
    page.wait_for_load_state()
    assert "contacted (no answer), awaiting clinician" in page.inner_text("#risk")
    assert "0 urgent not acknowledged" in page.inner_text("header")
    check(page, f"urgent-{size}-contacted", viewport["width"], screenshot, assert_accessible)
    sweep(utcnow() + timedelta(hours=2))
    assert [m.recipients for m in smtp.messages] == [[ON_CALL]]  # the lead is never paged

    # It stays on the clinicians' list until a clinician signs it off.
    page.context.clear_cookies()
    sign_in(page, live_server, clinician.email)
    assert page.url.endswith("/clinician/")
    assert submission.reference in page.inner_text("main")
    check(page, f"urgent-{size}-clinician-list", viewport["width"], screenshot, assert_accessible)
    page.get_by_role("link", name=submission.reference).click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Record the risk assessment").click()
    page.get_by_label("No current risk identified").check()
    page.get_by_label("Assessment note").fill("Called back; no current thoughts; plan agreed.")
    page.get_by_role("button", name="Record risk assessment and sign off").click()
    page.wait_for_load_state()
    assert page.get_by_text("Risk assessment recorded: signed off.").is_visible()
    check(page, f"urgent-{size}-signed-off", viewport["width"], screenshot, assert_accessible)
    page.goto(f"{live_server}/clinician/")
    assert submission.reference not in page.inner_text("main")
    assert "None right now" in page.inner_text("main")
