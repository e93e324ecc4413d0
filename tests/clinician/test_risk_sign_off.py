"""The clinician's urgent list and risk sign-off, through HTTP (CSRF, the real database).

Expected, from docs/staff.md ("The risk workflow"): only a clinician signs off; an urgent
submission stays on the clinician's list (``/clinician/``, a clinician's landing page) until a
clinician records a risk assessment, whatever the front desk did; the assessment shows on the
summary, its PDF, the front desk's submission page and in the audit log.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
import sqlalchemy as sa
from answer_documents import ASQ_ACUTE, ASQ_YES
from clinician_samples import rich_answers, store
from committed import committed, committed_count
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, RiskAssessment, Submission
from intake.models.types import utcnow
from intake.services import risk
from tests.factories import DEFAULT_PASSWORD, make_submission, make_user, post


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _list_references(client: FlaskClient) -> list[str]:
    html = client.get("/clinician/").get_data(as_text=True)
    return re.findall(r'<th scope="row"><a href="/clinician/submissions/\d+">([^<]+)</a>', html)


def _sign_off(client: FlaskClient, submission: Submission, **fields: object):  # type: ignore[no-untyped-def]
    data = {
        "outcome": "safety_plan",
        "note": "Safety plan agreed with the patient by phone.",
        "version": submission.version,
        **fields,
    }
    return post(client, f"/clinician/submissions/{submission.id}/risk-assessment", data)


def _minute(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def test_the_front_desk_cannot_sign_off(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    s = make_submission(changes=ASQ_YES)
    response = _sign_off(client, s)
    assert response.status_code == 403
    assert committed_count(RiskAssessment) == 0
    assert committed(sa.select(Submission.risk_signed_off_at).where(Submission.id == s.id)) is None
    assert client.get("/clinician/").status_code == 403


def test_a_clinician_signs_off_and_it_leaves_the_list(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    doctor = login_as("clinician")
    desk = make_user("front_desk", email="desk@example.org")
    now = utcnow()
    make_submission(
        changes=ASQ_ACUTE, reference="ACUT0001", submitted_at=now - timedelta(minutes=10)
    )
    older = make_submission(
        changes=ASQ_YES, reference="OLDR0001", submitted_at=now - timedelta(hours=6)
    )
    newer = make_submission(
        changes=ASQ_YES, reference="NEWR0001", submitted_at=now - timedelta(hours=1)
    )
    make_submission(reference="CALM0001")
    # The front desk called both older ones: they stay on the clinician's list all the same.
    risk.record_contact_attempt(older, by=desk, outcome="no_answer", note="")
    risk.record_contact_attempt(newer, by=desk, outcome="reached", note="Coming in at 3.")
    db.session.commit()
    html = client.get("/clinician/").get_data(as_text=True)
    assert _list_references(client) == ["ACUT0001", "OLDR0001", "NEWR0001"]
    text = _text(html)
    assert "Urgent, not signed off (3)" in text  # the navigation's count
    assert "Contacted: no answer" in text and "Contacted: reached the patient" in text
    assert "Not contacted" in text

    older = db.session.get(Submission, older.id)
    assessed = now - timedelta(minutes=30)
    response = _sign_off(client, older, assessed_at=_minute(assessed))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/clinician/submissions/{older.id}#risk-heading")
    row = db.session.scalar(sa.select(RiskAssessment))
    assert (row.clinician_id, row.outcome, row.assessed_at) == (
        doctor.id,
        "safety_plan",
        assessed.replace(second=0, microsecond=0),
    )
    assert committed(sa.select(Submission.risk_signed_off_at).where(Submission.id == older.id))
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "risk_assessed"))
    assert event.actor_id == doctor.id and event.submission_id == older.id
    assert event.detail["outcome"] == "safety_plan"
    assert _list_references(client) == ["ACUT0001", "NEWR0001"]
    viewed = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "urgent_list_viewed")
    ).all()
    assert viewed and viewed[-1].detail == {"page": 1, "shown": 2, "matching": 2}
    # The summary shows the sign-off and the call before it.
    text = _text(client.get(f"/clinician/submissions/{older.id}").get_data(as_text=True))
    assert "Risk workflow: signed off by clinician" in text
    assert f"Safety plan made — {doctor.email}, assessed {assessed:%Y-%m-%d %H:%M} UTC" in text
    assert "Safety plan agreed with the patient by phone." in text
    assert "No answer — desk@example.org" in text


def test_the_assessment_defaults_to_now(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    s = make_submission(changes=ASQ_YES)
    form = client.get(f"/clinician/submissions/{s.id}").get_data(as_text=True)
    shown = re.search(r'name="assessed_at"[^>]*value="([^"]+)"', form) or re.search(
        r'value="([^"]+)"[^>]*name="assessed_at"', form
    )
    assert shown is not None
    typed = datetime.strptime(shown.group(1), "%Y-%m-%dT%H:%M").replace(tzinfo=UTC)
    assert abs(typed - utcnow()) < timedelta(minutes=2)
    before = utcnow()
    assert (
        _sign_off(client, s, assessed_at="", outcome="no_current_risk", note="").status_code == 302
    )
    row = db.session.scalar(sa.select(RiskAssessment))
    assert before - timedelta(seconds=1) <= row.assessed_at <= utcnow()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"assessed_at": "2999-01-01T10:00"}, "cannot be in the future"),
        ({"outcome": "other", "note": ""}, "Say in the note what the outcome was"),
        ({"outcome": ""}, "Choose the outcome of the assessment"),
        ({"assessed_at": "yesterday"}, "Enter a date and time"),
    ],
)
def test_an_assessment_that_cannot_be_stored_is_refused_with_a_message(
    client: FlaskClient, login_as, fields: dict[str, str], message: str
) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    s = make_submission(changes=ASQ_YES)
    response = _sign_off(client, s, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert committed_count(RiskAssessment) == 0


def test_a_sign_off_after_a_newer_call_is_refused_and_shows_it(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    desk = make_user("front_desk", email="desk@example.org")
    s = make_submission(changes=ASQ_YES)
    seen = s.version  # the clinician opened the summary at this version
    risk.record_contact_attempt(s, by=desk, outcome="reached", note="Says she has a plan tonight.")
    db.session.commit()
    response = _sign_off(client, s, version=seen, outcome="no_current_risk", note="")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "changed by desk@example.org" in html
    assert "Says she has a plan tonight." in html  # the newer call is on the page now
    assert committed_count(RiskAssessment) == 0
    # Sent again from that page (its new version), it is stored.
    fresh = re.search(r'name="version"[^>]*value="(\d+)"', html) or re.search(
        r'value="(\d+)"[^>]*name="version"', html
    )
    assert fresh is not None and int(fresh.group(1)) == db.session.get(Submission, s.id).version
    again = _sign_off(client, s, version=fresh.group(1), outcome="emergency_referral", note="")
    assert again.status_code == 302


def test_a_clinician_lands_on_the_urgent_list(client: FlaskClient) -> None:
    make_user("clinician", email="doc@example.org")
    make_user("front_desk", email="desk@example.org")
    for email, home in (("doc@example.org", "/clinician/"), ("desk@example.org", "/staff/")):
        response = post(client, "/staff/login", {"email": email, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302 and response.headers["Location"].endswith(home), email
        post(client, "/staff/logout")


def test_the_front_desk_page_shows_the_sign_off(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    desk = login_as("front_desk")
    doctor = make_user("clinician", email="doc@example.org")
    s = make_submission(changes=ASQ_YES)
    risk.record_contact_attempt(s, by=desk, outcome="left_voicemail", note="")
    db.session.commit()
    assert "contacted (left a voicemail), awaiting clinician" in _text(
        client.get(f"/staff/submissions/{s.id}").get_data(as_text=True)
    )
    risk.record_assessment(
        s,
        by=doctor,
        assessed_at=None,
        outcome="emergency_referral",
        note="Sent to the ED.",
        expected_version=s.version,
    )
    db.session.commit()
    text = _text(client.get(f"/staff/submissions/{s.id}").get_data(as_text=True))
    assert "Risk workflow: signed off by clinician" in text
    assert "Referred to emergency care — doc@example.org" in text and "Sent to the ED." in text
    # The front desk's navigation has no clinician list.
    assert "Urgent, not signed off" not in text


def _pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def test_the_pdf_carries_the_calls_and_the_assessment_on_two_pages(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    doctor = login_as("clinician")
    desk = make_user("front_desk", email="desk@example.org")
    submission = store(rich_answers())  # urgent, and every section of the summary filled
    risk.record_contact_attempt(submission, by=desk, outcome="reached", note="Will come in today.")
    db.session.commit()
    assert (
        _sign_off(client, submission, note="Plan made with her sister present.").status_code == 302
    )
    response = client.get(f"/clinician/submissions/{submission.id}.pdf")
    assert response.status_code == 200
    pages, text = _pdf_text(response.data)
    assert pages <= 2
    assert "Risk workflow: signed off by clinician" in text
    assert f"Safety plan made — {doctor.email}" in text
    assert "Plan made with her sister present." in text
    assert "Reached the patient — desk@example.org" in text and "Will come in today." in text


def test_the_typed_assessment_time_is_the_clinics_own(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    """In New York, 09:30 on a July morning (EDT, UTC-4) is 13:30 UTC; in January (EST, UTC-5)
    14:30 UTC. Times typed by a clinician are read in the clinic's zone, as pages show them."""
    from intake.services.settings import CLINIC_TIME_ZONE, set_setting

    set_setting(CLINIC_TIME_ZONE, "America/New_York", user_id=None)
    db.session.commit()
    login_as("clinician")
    for typed, stored in (
        ("2026-07-01T09:30", datetime(2026, 7, 1, 13, 30, tzinfo=UTC)),
        ("2026-01-15T09:30", datetime(2026, 1, 15, 14, 30, tzinfo=UTC)),
    ):
        s = make_submission(changes=ASQ_YES, submitted_at=stored - timedelta(hours=3))
        assert _sign_off(client, s, assessed_at=typed).status_code == 302
        assessed = committed(
            sa.select(RiskAssessment.assessed_at).where(RiskAssessment.submission_id == s.id)
        )
        assert assessed is not None and assessed.astimezone(UTC) == stored
