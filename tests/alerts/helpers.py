"""Helpers of the alert tests: urgent submissions stored through the real submit service with
answers no message may contain, on-call tiers made through the service, and courses of care
started from such an intake (the check-in messages)."""

from __future__ import annotations

from datetime import date
from typing import Any

from answer_documents import ASQ_ACUTE, ASQ_YES, changed, sample_answers

from intake.extensions import db
from intake.models import AlertTier
from intake.rules import RULESET
from intake.services import alerts, courses
from intake.services.reviews import record_review
from intake.services.submissions import submit_document
from tests.factories import make_user

#: Answers that must never appear in any alert (each distinctive enough to search for).
FIRST_NAME = "Zebulon"
LAST_NAME = "Quixwell"
DATE_OF_BIRTH = "1979-03-17"
PATIENT_EMAIL = "zebulon.q@example.net"
MEMBER_ID = "QX99887766"
SIGNATURE = "Zebulon Quixwell"
PATIENT_DATA = (
    FIRST_NAME,
    LAST_NAME,
    DATE_OF_BIRTH,
    "03/17/1979",
    "1979",
    PATIENT_EMAIL,
    MEMBER_ID,
    "Aetna",
    "sertraline",
    "venlafaxine",
)


def patient_document(*, acute: bool = False, urgent: bool = True) -> dict[str, Any]:
    document = sample_answers()
    document["patient"].update(
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        date_of_birth=DATE_OF_BIRTH,
        email=PATIENT_EMAIL,
    )
    document["insurance"]["member_id"] = MEMBER_ID
    document["consent"]["signature"] = SIGNATURE
    if not urgent:
        return document
    return changed(document, ASQ_ACUTE if acute else ASQ_YES)


def submit(*, acute: bool = False, urgent: bool = True) -> tuple[int, str]:
    """Store a submission through the submit service and commit, as the API view does."""
    submission = submit_document(patient_document(acute=acute, urgent=urgent), source="api")
    ids = submission.id, submission.reference
    db.session.commit()
    return ids


def make_tier(
    name: str,
    minutes: int = 15,
    *,
    emails: tuple[str, ...] = (),
    webhooks: tuple[tuple[str, str], ...] = (),
) -> AlertTier:
    tier = alerts.add_tier(name, minutes, by=None)
    for email in emails:
        alerts.add_recipient(tier, channel="email", email=email, by=None)
    for url, secret in webhooks:
        alerts.add_recipient(
            tier, channel="webhook", webhook_url=url, webhook_secret=secret, by=None
        )
    db.session.commit()
    return tier


def start_course_for(start: date, *, every_days: int = 7, **patient: Any) -> tuple[int, str]:
    """A course started on ``start`` (as if that were today) from a reviewed intake of the
    sample patient (not urgent); ``patient`` changes the intake's patient section, ``consent``
    its consent. The course's id and the intake's reference."""
    document = patient_document(urgent=False)
    consent = patient.pop("consent", None)
    document["patient"].update(patient)
    if consent is not None:
        document["consent"].update(consent)
    submission = submit_document(document, source="api")
    record_review(
        submission, clinician_id=None, decision="agree", codes=[], note="", ruleset=RULESET
    )
    db.session.commit()
    course = courses.start_course(
        submission,
        kind="standard_tms",
        start_date=start,
        planned_sessions=30,
        taper_sessions=6,
        every_days=every_days,
        maintenance_months=6,
        by=make_user("clinician"),
        today=start,
    )
    db.session.commit()
    return course.id, submission.reference
