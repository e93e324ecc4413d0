"""Numbers and times as the patient's language writes them (English and Spanish).

A Spanish reader writes 12,5 and 8:00 (24-hour); an English one 12.5 and 8:00 AM. The expected
strings are written here. What is stored does not change: a dose typed "12,5" is the number
12.5 in the draft and the submission.
"""

from __future__ import annotations

import html as htmllib
import re
from datetime import time

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.formats import clock, number
from intake.models import Submission
from tests.patient.helpers import VALID, WizardWalker, get_page, step_url
from tests.patient.test_done_wording import _configure, _send_urgent, _stop_the_clock
from tests.patient.test_spanish import IN_SPANISH, switch_to_spanish

NUMBERS = [
    (12.5, "en", "12.5"),
    (12.5, "es", "12,5"),
    (37.5, "es", "37,5"),
    (0.25, "es", "0,25"),
    (150, "en", "150"),
    (150, "es", "150"),
    (1000, "es", "1000"),  # no thousands separator: the forms ask for none
    (0.0000001, "en", "0.0000001"),
    (0.0000001, "es", "0,0000001"),
]
TIMES = [
    (time(8, 0), "en", "8:00 AM"),
    (time(13, 30), "en", "1:30 PM"),
    (time(0, 15), "en", "12:15 AM"),
    (time(12, 0), "en", "12:00 PM"),
    (time(8, 0), "es", "8:00"),
    (time(13, 30), "es", "13:30"),
    (time(0, 15), "es", "0:15"),
]


@pytest.mark.parametrize(("value", "locale", "expected"), NUMBERS)
def test_a_number_in_each_language(value: float, locale: str, expected: str) -> None:
    assert number(value, locale) == expected


@pytest.mark.parametrize(("value", "locale", "expected"), TIMES)
def test_a_time_in_each_language(value: time, locale: str, expected: str) -> None:
    assert clock(value, locale) == expected


def _text(page: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _with_dose(typed: str) -> dict[str, str]:
    return {**VALID["medications"], "medication_trials-0-daily_dose_mg": typed}


@pytest.mark.parametrize(
    ("spanish", "hint"),
    [(False, "For example 150 or 37.5."), (True, "Por ejemplo 150 o 37,5.")],
)
def test_the_dose_hint_writes_the_decimal_as_the_reader_does(
    client: FlaskClient, spanish: bool, hint: str
) -> None:
    if spanish:
        switch_to_spanish(client)
    walker = WizardWalker(client)
    walker.start()
    walker.walk(IN_SPANISH if spanish else {}, until="medications")
    page = _text(get_page(client, step_url("medications")).get_data(as_text=True))
    assert hint in page
    assert ("37.5" in page) is not spanish


@pytest.mark.parametrize(
    ("spanish", "typed", "shown"),
    [
        (False, "12.5", "12.5"),
        (False, "12,5", "12.5"),
        (True, "12,5", "12,5"),
        (True, "12.5", "12,5"),
    ],
)
def test_the_review_shows_a_dose_in_the_patients_language(
    client: FlaskClient, spanish: bool, typed: str, shown: str
) -> None:
    if spanish:
        switch_to_spanish(client)
    walker = WizardWalker(client)
    walker.start()
    overrides = {**(IN_SPANISH if spanish else {}), "medications": _with_dose(typed)}
    walker.walk(overrides)
    review = get_page(client, step_url("review")).get_data(as_text=True)
    rows = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", review, re.S)
    doses = [_text(answer) for question, answer in rows if "mg" in _text(question)]
    assert shown in doses
    # The step shows the dose again as typed, or written the patient's way.
    step = get_page(client, step_url("medications")).get_data(as_text=True)
    assert re.search(r'name="medication_trials-0-daily_dose_mg"[^>]*value="([^"]*)"', step)[1] in (
        typed,
        shown,
    )
    # The submission stores the number, whatever was typed or shown (the draft keeps the
    # answer as typed).
    walker.submit()
    submission = db.session.scalars(sa.select(Submission)).one()
    assert submission.answers["medication_trials"][0]["daily_dose_mg"] == 12.5


@pytest.mark.parametrize(
    ("spanish", "promise"),
    [
        (False, "We open again on Monday morning at 9:00 AM"),
        (True, "Volvemos a abrir el lunes por la mañana a las 9:00 y"),
    ],
)
def test_the_clinic_opening_time_is_written_the_patients_way(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    spanish: bool,
    promise: str,
) -> None:
    _configure()
    _stop_the_clock(monkeypatch, 2026, 12, 5, 11, 0)  # a Saturday: opens Monday at 9
    walker = WizardWalker(client)
    if spanish:
        switch_to_spanish(client)
        monkeypatch.setitem(VALID, "about", IN_SPANISH["about"])
    page = _send_urgent(walker)
    assert promise in " ".join(page.split())
    assert ("AM" in page.split()) is not spanish
