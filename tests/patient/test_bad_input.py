"""Bad input on the wizard: over-long strings, wrong types, unknown fields, HTML and script,
missing CSRF token, oversized bodies. Each gets a clear error and nothing is stored."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.extensions import db
from intake.models import Draft, Submission
from tests.patient.helpers import VALID, WizardWalker, errors, get_page, step_url

SCRIPT = '<script>alert("x")</script><b>bold</b>'

#: Every free-text field of the wizard, with its step and the longest answer allowed.
TEXT_FIELDS = [
    ("about", "first_name", 100),
    ("about", "last_name", 100),
    ("concerns", "other_description", 500),
    ("medications", "medication_trials-0-name", 100),
    ("treatments", "other_medications", 100),
    ("insurance", "payer_name", 100),
    ("insurance", "member_id", 100),
    ("insurance", "group_number", 50),
    ("insurance", "subscriber_name", 200),
    ("review", "signature", 200),
]

_CONDITIONS = {
    "other_description": {"primary": "other"},
    "subscriber_name": {
        "subscriber_relationship": "parent",
        "subscriber_date_of_birth": "1960-05-01",
    },
}


def stored(step: str) -> dict | None:
    draft = db.session.scalars(select(Draft)).one()
    db.session.refresh(draft)
    return (draft.data or {}).get(step)


@pytest.mark.parametrize(("step", "field", "limit"), TEXT_FIELDS)
def test_over_long_text_is_refused(walker: WizardWalker, step: str, field: str, limit: int):
    walker.start()
    if step == "review":
        walker.walk()
    data = {**VALID[step], **_CONDITIONS.get(field, {}), field: "x" * (limit + 1)}
    response = walker.post(step, data, action="submit" if step == "review" else "next")
    assert response.status_code == 422
    assert any("characters or fewer" in e for e in errors(response)), errors(response)
    assert stored(step) is None
    assert db.session.scalar(select(Submission.id)) is None


@pytest.mark.parametrize(
    ("step", "field", "value"),
    [
        ("about", "date_of_birth", "not a date"),
        ("about", "preferred_language", "klingon"),
        ("concerns", "episode_months", "a year"),
        ("phq9", "item_1", "9"),
        ("medications", "medication_trials-0-daily_dose_mg", "1e9999"),
        ("medications", "medication_trials-0-weeks", "[]"),
        ("treatments", "psychotherapy_trials-0-sessions", "-3"),
        ("insurance", "coverage_type", "{'a': 1}"),
    ],
)
def test_wrong_types_are_refused(walker: WizardWalker, step: str, field: str, value: str):
    walker.start()
    response = walker.post(step, {**VALID[step], field: value})
    assert response.status_code == 422
    assert errors(response)
    assert stored(step) is None


def test_unknown_fields_are_refused(walker: WizardWalker) -> None:
    walker.start()
    response = walker.post("about", {**VALID["about"], "is_admin": "1"})
    assert response.status_code == 422
    assert "questions it does not ask" in response.get_data(as_text=True)
    assert stored("about") is None


def test_unknown_button_acts_as_next(walker: WizardWalker) -> None:
    walker.start()
    assert walker.post("about", action="explode").location.endswith(step_url("concerns"))


def test_html_and_script_are_shown_escaped(walker: WizardWalker, client: FlaskClient) -> None:
    walker.start()
    overrides = {
        "about": {**VALID["about"], "first_name": SCRIPT, "last_name": SCRIPT},
        "concerns": {**VALID["concerns"], "primary": "other", "other_description": SCRIPT},
        "medications": {**VALID["medications"], "medication_trials-0-name": SCRIPT},
        "treatments": {**VALID["treatments"], "other_medications": SCRIPT},
        "insurance": {
            **VALID["insurance"],
            "payer_name": SCRIPT,
            "member_id": SCRIPT[:40],
            "group_number": SCRIPT[:40],
            "subscriber_relationship": "other",
            "subscriber_name": SCRIPT,
            "subscriber_date_of_birth": "1970-01-01",
        },
    }
    walker.walk(overrides)
    review = get_page(client, step_url("review")).get_data(as_text=True)
    assert "<script>alert" not in review
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in review
    response = walker.submit({**VALID["review"], "signature": SCRIPT})
    assert response.location.endswith("/intake/done")
    submission = db.session.scalars(select(Submission)).one()
    assert submission.answers["patient"]["first_name"] == SCRIPT  # stored as typed
    done = client.get("/intake/done").get_data(as_text=True)
    assert "<script>alert" not in done
    # Step pages show the typed text escaped inside the value attribute.
    about = get_page(client, step_url("about"))
    assert about.status_code == 302  # submitted: the wizard leads to the confirmation


def test_typed_html_is_escaped_when_redisplayed_with_errors(walker: WizardWalker) -> None:
    walker.start()
    response = walker.post("about", {**VALID["about"], "first_name": SCRIPT, "email": "bad"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_missing_csrf_token_is_400(walker: WizardWalker) -> None:
    walker.start()
    response = walker.post("about", VALID["about"], with_csrf=False)
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert stored("about") is None


def test_start_without_csrf_token_is_400(client: FlaskClient) -> None:
    assert client.post("/intake/start").status_code == 400
    assert db.session.scalar(select(Draft.id)) is None


def test_oversized_body_is_413(walker: WizardWalker, client: FlaskClient) -> None:
    walker.start()
    response = client.post(step_url("about"), data={**VALID["about"], "first_name": "x" * 300_000})
    assert response.status_code == 413
    assert "256 KB" in response.get_data(as_text=True)
    assert stored("about") is None
