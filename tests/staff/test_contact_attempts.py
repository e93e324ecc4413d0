"""Contact attempts through the front desk's submission page (HTTP, CSRF, the real database)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from answer_documents import ASQ_YES
from committed import committed, committed_count
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import Acknowledgement, AuditEvent, ContactAttempt, Submission
from tests.factories import make_submission, make_user, post


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_offers_the_four_outcomes_instead_of_the_acknowledgement(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    s = make_submission(changes=ASQ_YES)
    html = client.get(f"/staff/submissions/{s.id}").get_data(as_text=True)
    assert f'action="/staff/submissions/{s.id}/contact-attempts#problems"' in html
    assert "/acknowledge" not in html and "Record acknowledgement" not in html
    offered = re.findall(r'name="outcome"[^>]*value="([a-z_]+)"', html) or re.findall(
        r'value="([a-z_]+)"[^>]*name="outcome"', html
    )
    assert offered == ["reached", "left_voicemail", "no_answer", "wrong_number"]
    text = _text(html)
    for words in ("Reached the patient", "Left a voicemail", "No answer", "Wrong number"):
        assert words in text
    assert "Risk workflow: not contacted, awaiting clinician" in text
    # A submission that is not urgent has no risk workflow.
    calm = make_submission()
    assert "contact-attempts" not in client.get(f"/staff/submissions/{calm.id}").get_data(
        as_text=True
    )


def test_a_no_answer_acknowledges_and_is_committed_with_its_audit_event(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    desk = login_as("front_desk")
    s = make_submission(changes=ASQ_YES)
    response = post(
        client, f"/staff/submissions/{s.id}/contact-attempts", {"outcome": "no_answer", "note": ""}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#risk")
    assert committed(sa.select(Submission.acknowledged_at).where(Submission.id == s.id))
    assert committed_count(ContactAttempt, ContactAttempt.outcome == "no_answer") == 1
    assert committed_count(AuditEvent, AuditEvent.action == "contact_attempt_recorded") == 1
    text = _text(client.get(f"/staff/submissions/{s.id}").get_data(as_text=True))
    assert "Risk workflow: contacted (no answer), awaiting clinician" in text
    assert f"No answer — {desk.email}" in text
    assert "Not signed off yet" in text


def test_without_the_csrf_token_nothing_is_recorded(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    s = make_submission(changes=ASQ_YES)
    response = client.post(
        f"/staff/submissions/{s.id}/contact-attempts", data={"outcome": "no_answer"}
    )
    assert response.status_code == 400
    assert committed_count(ContactAttempt) == 0


def test_an_unknown_outcome_is_refused_at_its_field(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    s = make_submission(changes=ASQ_YES)
    response = post(client, f"/staff/submissions/{s.id}/contact-attempts", {"outcome": "emailed"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert committed_count(ContactAttempt) == 0
    assert committed(sa.select(Submission.acknowledged_at).where(Submission.id == s.id)) is None


def test_earlier_acknowledgements_are_still_shown(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    """Rows written by the acknowledgement form before contact attempts replaced it."""
    login_as("front_desk")
    earlier = make_user("front_desk", email="earlier.desk@example.org")
    s = make_submission(changes=ASQ_YES, acknowledged=True)
    db.session.add(
        Acknowledgement(
            submission_id=s.id,
            by_id=earlier.id,
            action="called_988_with_patient",
            note="Stayed on the line.",
        )
    )
    db.session.commit()
    text = _text(client.get(f"/staff/submissions/{s.id}").get_data(as_text=True))
    assert "Risk workflow: acknowledged, awaiting clinician" in text
    assert "Earlier acknowledgements" in text
    assert "Called 988 with the patient — earlier.desk@example.org" in text
    assert "Stayed on the line." in text
