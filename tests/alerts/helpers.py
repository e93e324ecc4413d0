"""Helpers of the alert tests: urgent submissions stored through the real submit service with
answers no message may contain, and on-call tiers made through the service."""

from __future__ import annotations

from typing import Any

from answer_documents import ASQ_ACUTE, ASQ_YES, changed, sample_answers

from intake.extensions import db
from intake.models import AlertTier
from intake.services import alerts
from intake.services.submissions import submit_document

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
