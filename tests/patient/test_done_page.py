"""The confirmation page for acute and non-acute suicide risk (pathway-rules-v2.md, "What
patients read"): acute risk keeps the crisis wording; non-acute risk reads calm."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from answer_documents import AS_OF_ISO, OCD_TWO_FAILED_SRIS, changed, sample_answers_v2
from flask import Flask, render_template

from intake.answers import parse_answers
from intake.clinic import Availability, follow_up
from intake.models.submission import is_urgent
from intake.rules import evaluate
from intake.rules.education import default_education, patient_summary

AS_OF = date.fromisoformat(AS_OF_ISO)
ACUTE = {"asq.wished_dead": "yes", "asq.thoughts_right_now": "yes"}
NON_ACUTE = {"asq.wished_dead": "yes", "asq.thoughts_right_now": "no"}


def done_page(app: Flask, changes: dict[str, Any]) -> str:
    answers = parse_answers(changed(sample_answers_v2(), changes), AS_OF)
    evaluation = evaluate(answers, AS_OF)
    submission = SimpleNamespace(reference="ABCD-1234", urgent=is_urgent(evaluation))
    with app.test_request_context("/intake/done"):
        html = render_template(
            "patient/done.html",
            submission=submission,
            summary=patient_summary(evaluation),
            disclaimer=default_education().disclaimer,
            printable=False,
            acute=any(f["code"] == "suicide_risk_acute" for f in evaluation["flags"]),
            right_now=answers["asq"]["thoughts_right_now"],
            # The clinic open now, the patient agreeing to a call (the wording's cases:
            # tests/test_clinic.py, through the real page: test_done_wording.py).
            next_steps=follow_up(
                Availability("open"),
                urgent=submission.urgent,
                agrees_to_contact=True,
                preferred_contact="phone",
            ),
        )
    # Links split sentences in the markup; phrases are checked in the text a patient reads.
    return re.sub(r"\s+", " ", re.sub(r"<a [^>]*>|</a>", "", html))


def test_acute_risk_keeps_the_crisis_wording(app: Flask) -> None:
    html = done_page(app, ACUTE)
    assert 'id="done-acute"' in html and 'id="done-safety"' not in html
    assert "may be having thoughts of suicide" in html
    for fact in ("988", "988lifeline.org", "911", "press 1", "press 2"):
        assert fact in html, fact
    assert html.index('id="done-acute"') < html.index("Crisis support now")


def test_non_acute_risk_reads_calm(app: Flask) -> None:
    html = done_page(app, NON_ACUTE)
    assert 'id="done-safety"' in html and 'id="done-acute"' not in html
    assert 'class="notice danger' not in html
    assert "may be having thoughts of suicide" not in html
    assert "Crisis support now" not in html
    assert "press 1" not in html
    assert "will want to talk with you about your safety" in html
    assert "call or text 988 or call 911 now" in html
    assert html.index('id="done-safety"') < html.index("A safety check-in with a clinician")
    assert "today" in html  # staff read urgent answers the same day


@pytest.mark.parametrize("changes", [OCD_TWO_FAILED_SRIS, {}])
def test_no_risk_no_support_note(app: Flask, changes: dict[str, Any]) -> None:
    html = done_page(app, changes)
    assert 'id="done-safety"' not in html and 'id="done-acute"' not in html
    assert "2 working days" in html


def test_ocd_is_what_the_patient_told_us(app: Flask) -> None:
    html = done_page(app, OCD_TWO_FAILED_SRIS)
    assert "You told us OCD is what brings you here" in html
    assert "You have OCD" not in html
    assert "earplugs at every session" in html
