"""The language a check-in was answered in, shown to staff beside its answers.

Staff pages stay English (issue 17: "shows the language the patient used, beside the
answers"). A check-in is in the intake's language unless the patient presses the switch
(docs/checkins.md, "Language"); what is kept is the language of the pages the answers were
sent from. Walked like a browser: the link, the switch when pressed, the form posted; then a
front-desk account opens the check-in's record.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from answer_documents import changed, sample_answers
from checkin_samples import link_for, open_course
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import CheckIn
from tests.patient.helpers import csrf_token, get_page
from tests.patient.test_spanish import checkin_body

NOTE = (
    "The patient answered in Spanish; items are shown in English. The PHQ-9, GAD-7 and ASQ "
    "were asked in their published English wording."
)

#: (the intake's preferred language, the switch pressed on the check-in or None,
#:  the language kept, whether the record says the patient answered in Spanish)
CASES = [
    ("en", None, "en", False),
    ("es", None, "es", True),
    ("en", "es", "es", True),
    ("es", "en", "en", False),
]


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize(("intake", "switch", "kept", "noted"), CASES)
def test_the_record_says_which_language_the_check_in_was_answered_in(
    app: Flask,
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
    intake: str,
    switch: str | None,
    kept: str,
    noted: bool,
) -> None:
    answers = changed(sample_answers(), {"patient.preferred_language": intake})
    _course, checkin = open_course(weeks_ago=1, answers=answers)
    checkin_id = checkin.id
    patient = app.test_client()
    assert patient.get(f"/c/{link_for(checkin)}").location == "/checkin"
    html = get_page(patient, "/checkin").get_data(as_text=True)
    if switch is not None:
        pressed = patient.post(
            "/intake/language",
            data={"csrf_token": csrf_token(html), "lang": switch, "next": "/checkin"},
        )
        assert pressed.location == "/checkin"
        html = get_page(patient, "/checkin").get_data(as_text=True)
    assert f'<html lang="{kept}">' in html
    sent = patient.post("/checkin", data=checkin_body(csrf_token(html), [1] * 8 + [0]))
    assert sent.location == "/checkin/done"

    db.session.expire_all()
    stored = db.session.get_one(CheckIn, checkin_id)
    assert stored.language == kept
    login_as("front_desk")
    record = client.get(f"/staff/checkins/{checkin_id}")
    assert record.status_code == 200
    text = _text(record.get_data(as_text=True))
    assert (NOTE in text) is noted
    assert '<html lang="en">' in record.get_data(as_text=True)  # the staff page stays English


def test_a_check_in_sent_before_the_language_was_kept_says_nothing(
    app: Flask,
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
) -> None:
    answers = changed(sample_answers(), {"patient.preferred_language": "es"})
    _course, checkin = open_course(weeks_ago=1, answers=answers)
    patient = app.test_client()
    patient.get(f"/c/{link_for(checkin)}")
    html = get_page(patient, "/checkin").get_data(as_text=True)
    patient.post("/checkin", data=checkin_body(csrf_token(html), [0] * 9))
    db.session.expire_all()
    stored = db.session.get_one(CheckIn, checkin.id)
    stored.language = None  # as the migration leaves the check-ins sent before it
    db.session.commit()
    login_as("front_desk")
    text = _text(client.get(f"/staff/checkins/{stored.id}").get_data(as_text=True))
    assert "The patient answered in" not in text
