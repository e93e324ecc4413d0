"""Returning patients (issue 16, item 1): a new intake that looks like a known patient is
*suggested* to the front desk, who confirms or rejects it; nothing is merged silently, each
decision is audited and made once, and a confirmation can be undone.

Intakes arrive through the real submit path (``submit_document``, as the wizard and the API
store them). Who matches whom is written here, person by person.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from answer_documents import changed, sample_answers
from clinician_samples import store
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, PatientMatch, Submission
from tests.factories import post

#: The sample's patient: Ana Reyes, born 1985-04-12, ana@example.org, +1 503 555 0100.
OTHER_PERSON = {
    "patient.first_name": "Lee",
    "patient.last_name": "Okafor",
    "patient.date_of_birth": "1990-02-03",
    "patient.email": "lee@example.org",
    "patient.phone": "503-555-0199",
}

#: changes to the sample for the second intake -> the reasons it must be suggested for.
CASES = (
    ({}, ["email", "name_dob", "phone"]),
    # Typed differently: the name with an accent and other case, the address in capitals.
    (
        {**OTHER_PERSON, "patient.email": " ANA@Example.org "},
        ["email"],
    ),
    ({**OTHER_PERSON, "patient.phone": "(503) 555-0100"}, ["phone"]),
    (
        {
            **OTHER_PERSON,
            "patient.last_name": "RÉYES",
            "patient.date_of_birth": "1985-04-12",
        },
        ["name_dob"],
    ),
    (OTHER_PERSON, []),
)


def intake(changes: dict[str, Any] | None = None) -> Submission:
    return store(changed(sample_answers(), changes or {}))


def reasons(submission: Submission) -> list[list[str]]:
    return [
        sorted(m.reasons.split(","))
        for m in db.session.scalars(
            sa.select(PatientMatch).where(PatientMatch.submission_id == submission.id)
        )
    ]


@pytest.mark.parametrize(("changes", "expected"), CASES)
def test_a_second_intake_is_suggested_for_exactly_what_matches(
    app: Flask, changes: dict[str, Any], expected: list[str]
) -> None:
    first = intake()
    second = intake(changes)
    assert reasons(first) == []
    assert reasons(second) == ([expected] if expected else [])
    # Suggested only: each is still its own record.
    assert first.patient_id is not None and second.patient_id != first.patient_id


def decide(client: FlaskClient, submission: Submission, match: PatientMatch, action: str) -> Any:
    return post(client, f"/staff/submissions/{submission.id}/matches/{match.id}/{action}", {})


def actions() -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.action.like("patient_match_%"))
            .order_by(AuditEvent.id)
        )
    )


def record_of(submission_id: int) -> int | None:
    db.session.expire_all()
    return db.session.get_one(Submission, submission_id).patient_id


def test_confirm_links_the_intakes_once_and_undo_separates_them(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    first, second = intake(), intake()
    first_id, second_id, first_ref = first.id, second.id, first.reference
    match = db.session.scalars(sa.select(PatientMatch)).one()
    page = client.get(f"/staff/submissions/{second_id}").get_data(as_text=True)
    assert "Possibly the same patient as" in page and first_ref in page
    assert "same e-mail address, same last name and date of birth, same phone number" in page
    assert decide(client, second, match, "confirm").status_code == 302
    assert record_of(second_id) == record_of(first_id)
    # The earlier intake's page lists the new one, and the other way round.
    assert second.reference in client.get(f"/staff/submissions/{first_id}").get_data(as_text=True)
    # A second click (or a second tab) changes nothing.
    again = decide(client, second, match, "confirm")
    assert again.status_code == 409 and "already linked" in again.get_data(as_text=True)
    assert decide(client, second, match, "undo").status_code == 302
    assert record_of(second_id) != record_of(first_id)
    assert decide(client, second, match, "undo").status_code == 409
    assert actions() == ["patient_match_confirmed", "patient_match_undone"]


def test_reject_moves_nothing(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    first, second = intake(), intake()
    first_id, second_id = first.id, second.id
    match = db.session.scalars(sa.select(PatientMatch)).one()
    assert decide(client, second, match, "reject").status_code == 302
    assert record_of(second_id) != record_of(first_id)
    assert decide(client, second, match, "confirm").status_code == 409
    assert record_of(second_id) != record_of(first_id)
    page = client.get(f"/staff/submissions/{second_id}").get_data(as_text=True)
    assert "Not the same patient as" in page
    assert actions() == ["patient_match_rejected"]


def test_the_clinician_summary_lists_the_patients_earlier_intakes_once_confirmed(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    first, second = intake(), intake()
    first_ref, second_id = first.reference, second.id
    clinician = app.test_client()
    login_as("clinician", on=clinician)
    summary = f"/clinician/submissions/{second_id}"
    assert "Earlier intakes of this patient" not in clinician.get(summary).get_data(as_text=True)
    login_as("front_desk")
    match = db.session.scalars(sa.select(PatientMatch)).one()
    assert decide(client, second, match, "confirm").status_code == 302
    page = clinician.get(summary).get_data(as_text=True)
    assert "Earlier intakes of this patient" in page and first_ref in page
    viewed = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "submission_viewed", AuditEvent.submission_id == second_id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert viewed is not None and viewed.detail["earlier_shown"] == [first.id]


def test_one_link_at_a_time_so_two_people_are_never_joined_through_a_third(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    """A new intake shares its e-mail with one earlier patient and its phone with another: the
    front desk may link it to one of them, never to both (the two would become one record)."""
    login_as("front_desk")
    by_email = intake({**OTHER_PERSON, "patient.email": "ana@example.org"})
    by_phone = intake(
        {
            **OTHER_PERSON,
            "patient.last_name": "Diaz",
            "patient.email": "x@example.org",
            "patient.phone": "503 555 0100",
        }
    )
    new = intake(
        {
            **OTHER_PERSON,
            "patient.last_name": "Ng",
            "patient.email": "ana@example.org",
            "patient.phone": "+1 503 555 0100",
            "patient.date_of_birth": "1970-01-01",
        }
    )
    ids = {"email": by_email.id, "phone": by_phone.id, "new": new.id}
    matches = {
        m.candidate_id: m
        for m in db.session.scalars(
            sa.select(PatientMatch).where(PatientMatch.submission_id == new.id)
        )
    }
    assert set(matches) == {ids["email"], ids["phone"]}
    first, second = matches[ids["email"]], matches[ids["phone"]]
    assert decide(client, new, first, "confirm").status_code == 302
    refused = decide(client, new, second, "confirm")
    assert refused.status_code == 409 and "undo that link first" in refused.get_data(as_text=True)
    assert record_of(ids["phone"]) != record_of(ids["email"])
    assert decide(client, new, first, "undo").status_code == 302
    assert decide(client, new, second, "confirm").status_code == 302
    assert record_of(ids["new"]) == record_of(ids["phone"]) != record_of(ids["email"])
