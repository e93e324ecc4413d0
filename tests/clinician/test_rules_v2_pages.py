"""Rules v2 as staff and clinicians read it: sequence, acute first, v1 evaluations named."""

from __future__ import annotations

import re
from datetime import date

from answer_documents import changed, sample_answers
from clinician_samples import store
from flask import Flask
from flask.testing import FlaskClient

from intake.answers import parse_answers
from intake.extensions import db
from intake.models.types import utcnow
from intake.rules import evaluate
from intake.rules.ruleset import shipped_ruleset
from intake.services.submissions import build_submission


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


BIPOLAR_AND_FAINTING = {"concerns.mania_history": "yes", "safety_screen.fainting": "yes"}


def test_clinician_summary_shows_what_comes_first(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    submission = store(changed(sample_answers(), BIPOLAR_AND_FAINTING))
    page = _text(client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True))
    expected = "After: TMS safety review with a physician and Bipolar assessment"
    assert page.count(expected) == 2  # TMS with CBT and TMS with a medication review
    assert "Re-evaluated under the current ruleset" not in page  # made by v2, the current one


def test_front_desk_page_shows_the_sequence(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    submission = store(changed(sample_answers(), {"concerns.mania_history": "yes"}))
    page = _text(client.get(f"/staff/submissions/{submission.id}").get_data(as_text=True))
    assert "TMS with cognitive behavioral therapy (after: Bipolar assessment)" in page


def test_a_v1_evaluation_says_which_rules_made_it(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    day = date(2026, 11, 1)
    answers = parse_answers(
        changed(sample_answers(), {"asq.ever_tried": "yes", "asq.thoughts_right_now": "no"}), day
    )
    submission = build_submission(
        answers, evaluate(answers, day, shipped_ruleset("1")), source="api", submitted_at=utcnow()
    )
    db.session.add(submission)
    db.session.commit()
    page = _text(client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True))
    assert "This evaluation was made under ruleset 1.0.0" in page
    assert "the current ruleset is 2.1.0" in page
    # v1 called this "Crisis support now"; v2 asks for a same-day safety check-in instead.
    assert "Pathway added: A safety check-in with a clinician" in page
    assert "Pathway removed: Crisis support now" in page
    assert "After:" not in page  # v1 has no sequence


def test_the_front_desk_page_says_acute_risk(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    acute = store(
        changed(sample_answers(), {"asq.wished_dead": "yes", "asq.thoughts_right_now": "yes"})
    )
    other = store(
        changed(sample_answers(), {"asq.wished_dead": "yes", "asq.thoughts_right_now": "no"})
    )
    page = _text(client.get(f"/staff/submissions/{acute.id}").get_data(as_text=True))
    assert "ACUTE RISK – crisis support now – not acknowledged" in page
    page = _text(client.get(f"/staff/submissions/{other.id}").get_data(as_text=True))
    assert "URGENT – not acknowledged" in page and "ACUTE" not in page
