"""What the patient is told happens next, through the real pages, with the clinic's clock
stopped: the wording follows the clinic's hours (open now, closed until Monday, no hours) and
the consent to be contacted; the clinic's phone is on every patient page once it is set.

The cases of the wording itself are a table in tests/test_clinic.py; here each kind is checked
once on the page a patient reads."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask, g

from intake.clinic import DayHours, Holiday
from intake.extensions import db
from intake.services import settings
from tests.patient.helpers import VALID, WizardWalker, csrf_token, get_page
from tests.patient.test_wizard_v2 import NO_TO_ALL_FOUR, answer, finish_from

NEW_YORK = ZoneInfo("America/New_York")
PHONE = "503-555-0142"
NINE_TO_FIVE = DayHours(datetime(2026, 1, 1, 9).time(), datetime(2026, 1, 1, 17).time())
#: A non-acute positive ASQ: the submission is urgent.
URGENT_ASQ = {**NO_TO_ALL_FOUR, "wished_dead": "yes", "thoughts_right_now": "no"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _configure(hours: bool = True) -> None:
    settings.set_setting(settings.CLINIC_NAME, "Riverside Mind Clinic", user_id=None)
    settings.set_setting(settings.CLINIC_PHONE, PHONE, user_id=None)
    settings.set_setting(settings.CLINIC_TIME_ZONE, "America/New_York", user_id=None)
    if hours:
        week = (NINE_TO_FIVE,) * 5 + (None, None)
        settings.set_setting(settings.CLINIC_HOURS, week, user_id=None)
        christmas = (Holiday(datetime(2026, 12, 25).date(), "Christmas Day"),)
        settings.set_setting(settings.CLINIC_HOLIDAYS, christmas, user_id=None)
    db.session.commit()


def _stop_the_clock(monkeypatch: pytest.MonkeyPatch, *wall_clock: int) -> None:
    moment = datetime(*wall_clock, tzinfo=NEW_YORK).astimezone(UTC)  # type: ignore[misc]
    monkeypatch.setattr(settings, "utc_now", lambda: moment)


def _send_urgent(walker: WizardWalker, agrees: bool = True) -> str:
    walker.start()
    walker.walk(until="asq")
    assert answer(walker.client, "asq", URGENT_ASQ).status_code == 302
    review = {**VALID["review"], "agrees_to_contact": "y" if agrees else ""}
    assert finish_from(walker, "asq", review).location.endswith("/intake/done")
    return _text(walker.client.get("/intake/done").get_data(as_text=True))


def test_saturday_promises_monday_morning_with_help_meanwhile(
    app: Flask, walker: WizardWalker, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure()
    _stop_the_clock(monkeypatch, 2026, 12, 5, 11, 0)  # a Saturday
    page = _send_urgent(walker)
    assert (
        "Our clinic staff will read your answers when the clinic opens, on Monday morning at "
        "9:00 AM." in page
    )
    # The patient chose email (tests/patient/helpers.py VALID["about"]).
    assert (
        "The clinic is closed now. We open again on Monday morning at 9:00 AM and will email "
        "you then." in page
    )
    assert "Until then, if you need help, call or text 988" in page
    assert "will email you today" not in page and "contact you soon" not in page
    assert f"call Riverside Mind Clinic at {PHONE}" in page


def test_a_holiday_moves_the_promise_to_the_next_working_day(
    app: Flask, walker: WizardWalker, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure()
    _stop_the_clock(monkeypatch, 2026, 12, 24, 18, 30)  # Thursday evening; Friday is Christmas
    page = _send_urgent(walker)
    assert "We open again on Monday morning at 9:00 AM and will email you then." in page


def test_open_now_promises_today(
    app: Flask, walker: WizardWalker, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure()
    _stop_the_clock(monkeypatch, 2026, 12, 2, 10, 0)  # a Wednesday morning
    page = _send_urgent(walker)
    assert "Our clinic staff will read your answers today." in page
    assert "Someone from the clinic will email you today." in page
    assert "Until then" not in page


def test_no_consent_to_contact_promises_no_contact(
    app: Flask, walker: WizardWalker, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure()
    _stop_the_clock(monkeypatch, 2026, 12, 5, 11, 0)
    page = _send_urgent(walker, agrees=False)
    assert "You did not ask us to contact you, so we will not email you." in page
    assert f"please call the clinic at {PHONE}." in page
    assert "opens again on Monday morning at 9:00 AM" in page
    assert "will email you then" not in page and "will email you today" not in page


def test_no_hours_set_promises_no_time(
    app: Flask, walker: WizardWalker, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(hours=False)
    _stop_the_clock(monkeypatch, 2026, 12, 5, 11, 0)
    page = _send_urgent(walker)
    assert "Our clinic staff will read your answers as soon as they can." in page
    assert "Someone from the clinic will email you." in page
    assert "today" not in page.split("What happens next")[1].split("Options")[0]
    assert "Monday" not in page


def test_the_phone_and_name_are_on_patient_pages_only_when_set(
    app: Flask, walker: WizardWalker, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = get_page(walker.client, "/").get_data(as_text=True)
    assert 'id="clinic-contact"' not in start
    assert "<title>" in start and "· Clinic intake</title>" in start

    _configure()
    _stop_the_clock(monkeypatch, 2026, 12, 5, 11, 0)
    start = get_page(walker.client, "/").get_data(as_text=True)
    assert f'<a href="tel:5035550142"><strong>{PHONE}</strong></a>' in start
    assert "· Riverside Mind Clinic</title>" in start
    assert 'class="brand"' in start and ">Riverside Mind Clinic</a>" in start

    walker.start()
    walker.walk(until="asq")
    response = answer(walker.client, "asq", URGENT_ASQ)
    support = _text(walker.client.get(response.location).get_data(as_text=True))
    assert (
        f"To talk with someone at the clinic, call {PHONE}. The clinic is closed now and opens "
        "again on Monday morning at 9:00 AM; until then, use the numbers above." in support
    )


def test_the_too_many_tries_page_gives_the_phone(app: Flask, walker: WizardWalker) -> None:
    """Reopening a form is limited to 10 tries an hour per address; the 11th is refused with
    the clinic's number."""
    _configure()
    statuses = []
    page = get_page(walker.client, "/resume").get_data(as_text=True)
    token = csrf_token(page)
    for _ in range(11):
        body = {
            "csrf_token": token,
            "code": "ABCD-EFGH-JKLM",
            "date_of_birth": "1985-04-12",
        }
        response = walker.client.post("/resume", data=body)
        statuses.append(response.status_code)
    assert statuses[-1] == 429 and 429 not in statuses[:-1], statuses
    text = _text(response.get_data(as_text=True))
    assert f"If you cannot wait, call the clinic at {PHONE}." in text


def test_a_page_reads_the_settings_once(
    app: Flask, walker: WizardWalker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The confirmation uses the profile many times (title, header, wording, footer): one
    query of the setting table."""
    _configure()
    _stop_the_clock(monkeypatch, 2026, 12, 5, 11, 0)
    _send_urgent(walker)
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if re.search(r"\bFROM setting\b", statement):
            seen.append(statement)

    # The test client's requests share the test's app context (and so its ``g``); a real
    # request starts with none, as here.
    g.pop("_clinic_profile", None)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = walker.client.get("/intake/done").get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert "Riverside Mind Clinic" in page and PHONE in page
    assert len(seen) == 1, seen


#: (coverage answered, the language, what the patient is asked to bring)
BRING = [
    ("commercial", "en", "Bring your insurance card and a list of your medicines to your visit."),
    ("self_pay", "en", "Bring a list of your medicines to your visit."),
    (
        "commercial",
        "es",
        "Traiga a su visita su tarjeta del seguro y una lista de sus medicamentos.",
    ),
    ("self_pay", "es", "Traiga a su visita una lista de sus medicamentos."),
]


@pytest.mark.parametrize(("coverage", "lang", "bring"), BRING)
def test_a_self_pay_patient_is_not_asked_for_an_insurance_card(
    walker: WizardWalker, coverage: str, lang: str, bring: str
) -> None:
    insurance = (
        {"coverage_type": "self_pay"} if coverage == "self_pay" else dict(VALID["insurance"])
    )
    walker.start()
    walker.walk({"about": {**VALID["about"], "preferred_language": lang}, "insurance": insurance})
    assert walker.submit().status_code == 302
    done = _text(get_page(walker.client, "/intake/done").get_data(as_text=True))
    assert bring in done
    assert ("insurance card" in done or "tarjeta del seguro" in done) is (coverage != "self_pay")
