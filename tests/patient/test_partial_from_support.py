"""Sending the answers so far from the support page (issue 15, item 6; docs/wizard.md,
"Sending what you have answered"), through the real pages as a browser without JavaScript
posts them (``Screen`` reads the rendered form).

- No choice, nothing stored: seeing the support page and going on sends nothing.
- The choice stores one urgent partial submission holding only the steps answered in full.
- A double press stores one; the second shows the first.
- Without a finished "About you" the page asks for name, date of birth and phone first.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from intake.extensions import db
from intake.models import AuditEvent, Draft, Submission
from tests.committed import committed_count
from tests.patient.helpers import (
    ACUTE_ASQ,
    POSITIVE_ASQ,
    SEND_URL,
    VALID,
    WizardWalker,
    get_page,
    press_send,
    to_support,
)
from tests.patient.screen import Screen
from tests.patient.test_done_wording import _configure, _stop_the_clock, _text

#: What the choice must say (the brief: what is sent, who sees it, nothing without the button).
EXPLAINED = (
    "Send your answers to the clinic now?",
    "What is sent:",
    "Who sees it:",
    "front desk team and its clinicians",
    "Nothing is sent unless you press the button.",
    "marked <strong>urgent</strong>",
)
#: The confirmation after sending: plain words, what happens next, crisis numbers, continue.
SENT_PAGE = (
    "Your answers so far were sent to the clinic",
    "What happens next",
    "Please do not wait for a call if you need help now.",
    'href="tel:988"',
    'href="tel:911"',
    "You can still finish the form.",
    'href="/intake/continue"',
)


def stored() -> list[Submission]:
    db.session.expire_all()
    return list(db.session.scalars(select(Submission).order_by(Submission.id)))


def test_the_support_page_offers_the_choice_and_nothing_is_sent_without_it(
    walker: WizardWalker, client: FlaskClient
) -> None:
    page = to_support(walker)
    html = page.get_data(as_text=True)
    for words in EXPLAINED:
        assert words in html
    # What is sent names the finished steps; the steps still to do are not sent.
    assert "About you, What brings you here" in html
    assert 'id="send-partial-button"' in html and "Continue the form without sending" in html
    walker.walk({"asq": POSITIVE_ASQ}, until="medications")
    assert get_page(client, "/intake/step/medications").status_code == 200
    assert committed_count(Submission) == 0


def test_the_choice_stores_one_urgent_partial_with_only_the_answered_steps(
    walker: WizardWalker, client: FlaskClient
) -> None:
    response = press_send(client, to_support(walker))
    assert response.status_code == 302 and response.location.endswith("/intake/support/sent")
    (partial,) = stored()
    assert committed_count(Submission, Submission.partial.is_(True)) == 1
    assert (partial.partial, partial.urgent, partial.acute, partial.status) == (
        True,
        True,
        False,
        "new",
    )
    assert set(partial.answers) == {"contract", "patient", "concerns", "phq9", "gad7", "asq"}
    assert partial.answers["asq"]["wished_dead"] == "yes"
    assert partial.answers["patient"]["last_name"] == VALID["about"]["last_name"]
    assert [f["code"] for f in partial.evaluation["flags"]] == ["suicide_risk"]
    assert partial.coverage_type is None
    sent = get_page(client, response.location).get_data(as_text=True)
    for words in SENT_PAGE:
        assert words in sent
    assert partial.reference in sent
    # The form stays open: continuing carries on at the first step not finished.
    assert get_page(client, "/intake/continue").location.endswith("/intake/step/medications")
    again = get_page(client, "/intake/support").get_data(as_text=True)
    assert 'id="send-partial-button"' not in again and partial.reference in again
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.detail == {"source": "wizard", "urgent": True, "partial": True}


def test_acute_risk_is_stored_acute(walker: WizardWalker, client: FlaskClient) -> None:
    press_send(client, to_support(walker, ACUTE_ASQ))
    (partial,) = stored()
    assert (partial.urgent, partial.acute) == (True, True)
    assert [f["code"] for f in partial.evaluation["flags"]] == ["suicide_risk_acute"]


def test_a_double_press_stores_one_partial(walker: WizardWalker, client: FlaskClient) -> None:
    page = to_support(walker)
    body = MultiDict(Screen(page.get_data(as_text=True)).post_body("send"))
    first = client.post(SEND_URL, data=body)
    second = client.post(SEND_URL, data=body)
    assert first.location == second.location and second.location.endswith("/intake/support/sent")
    assert committed_count(Submission) == 1


def test_a_post_without_its_csrf_token_sends_nothing(
    walker: WizardWalker, client: FlaskClient
) -> None:
    to_support(walker)
    assert client.post(SEND_URL, data={"action": "send"}).status_code == 400
    assert committed_count(Submission) == 0


def test_a_negative_screen_is_not_offered_and_cannot_be_sent(
    walker: WizardWalker, client: FlaskClient
) -> None:
    walker.start()
    walker.walk(until="medications")
    html = get_page(client, "/intake/support").get_data(as_text=True)
    assert 'id="send-partial-button"' not in html
    from tests.factories import post

    response = post(client, SEND_URL, {"action": "send"})
    assert response.status_code == 302 and response.location.endswith("/intake/support")
    assert committed_count(Submission) == 0


def test_without_about_you_the_page_asks_how_to_reach_the_patient(
    walker: WizardWalker, client: FlaskClient
) -> None:
    walker.start()
    for step in ("concerns", "phq9"):
        walker.post(step)
    response = walker.post("phq9", {**VALID["phq9"], "item_9": "2"})
    page = get_page(client, response.location)
    html = page.get_data(as_text=True)
    assert "and the name, date of birth and phone number you type below" in html
    missing = press_send(client, page)
    assert missing.status_code == 422
    problems = missing.get_data(as_text=True)
    assert "There is a problem" in problems or "error-summary" in problems
    assert committed_count(Submission) == 0
    bad_phone = press_send(
        client, page, first_name="Ana", last_name="Reyes", date_of_birth="1985-04-12", phone="12"
    )
    assert bad_phone.status_code == 422
    assert "7 to 15 digits" in bad_phone.get_data(as_text=True)
    contact: dict[str, Any] = {
        "first_name": "Ana",
        "last_name": "Reyes",
        "date_of_birth": "1985-04-12",
        "phone": "+1 503 555 0100",
    }
    sent = press_send(client, page, **contact)
    assert sent.status_code == 302
    (partial,) = stored()
    assert partial.answers["contact"] == contact
    assert set(partial.answers) == {"contract", "contact", "concerns", "phq9"}
    assert (partial.last_name, partial.urgent, partial.acute) == ("Reyes", True, False)
    # The draft has no date of birth of its own yet: nothing else about it changed.
    assert db.session.scalars(select(Draft)).one().date_of_birth is None


#: (the clinic's clock, New York; hours set?) → what both support pages say of a call's delay.
#: 2026-12-05 is a Saturday (closed), 2026-12-02 a Wednesday (open 9 to 5).
DELAY_WORDS = [
    (
        (2026, 12, 5, 11, 0),
        True,
        "The clinic is closed now, so a call can take time.",
        "The clinic is closed now, so it can take time before someone calls.",
    ),
    (
        (2026, 12, 2, 10, 0),
        True,
        "Even while the clinic is open, a call can take time.",
        "Even while the clinic is open, it can take time before someone calls.",
    ),
    (
        (2026, 12, 5, 11, 0),
        False,
        "The clinic may be closed now, and a call can take time.",
        "The clinic may be closed now, and it can take time before someone calls.",
    ),
]


@pytest.mark.parametrize(
    ("wall_clock", "hours", "before", "after"), DELAY_WORDS, ids=["closed", "open", "no-hours"]
)
def test_the_delay_of_a_call_is_said_as_the_clinics_hours_know_it(
    walker: WizardWalker,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    wall_clock: tuple[int, ...],
    hours: bool,
    before: str,
    after: str,
) -> None:
    """The walk found "The clinic may be closed now" under "The clinic is closed now and opens
    again …": each page now says what the hours know, and guesses only without them."""
    _configure(hours=hours)
    _stop_the_clock(monkeypatch, *wall_clock)
    page = to_support(walker)
    said = _text(
        re.search(r'id="call-may-take-time">(.*?)</p>', page.get_data(as_text=True), re.S).group(1)
    )  # type: ignore[union-attr]
    assert said.startswith(before) and "call or text 988, or call 911" in said
    sent = get_page(client, press_send(client, page).location).get_data(as_text=True)
    told = _text(re.search(r'id="call-may-take-time">(.*?)</li>', sent, re.S).group(1))  # type: ignore[union-attr]
    assert told == f"{after} Please do not wait for a call if you need help now."
