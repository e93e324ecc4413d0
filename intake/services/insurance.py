"""The front desk's insurance verification checklist, with optimistic locking."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from intake.extensions import db
from intake.models import InsuranceVerification, Submission
from intake.models.insurance import PRIOR_AUTH_STATUSES
from intake.models.types import utcnow

NOTES_MAX = 4000
PRIOR_AUTH_WORDS = {
    "unknown": "Not checked yet",
    "not_needed": "Not needed",
    "needed": "Needed",
    "submitted": "Submitted",
    "approved": "Approved",
    "denied": "Denied",
}


class StaleVerification(Exception):
    """Someone saved the checklist since this copy was loaded; ``current`` is their version."""

    def __init__(self, current: InsuranceVerification) -> None:
        super().__init__("the insurance checklist was changed by someone else")
        self.current = current


class InvalidVerification(ValueError):
    """A value the checklist does not take."""


def verification_of(submission: Submission) -> InsuranceVerification | None:
    """The saved checklist, or None when nobody has saved one yet."""
    query = select(InsuranceVerification).where(
        InsuranceVerification.submission_id == submission.id
    )
    return db.session.scalar(query)


def save_verification(
    submission: Submission,
    *,
    expected_version: int,
    eligibility_confirmed: bool,
    prior_auth: str,
    notes: str,
    user_id: int | None,
) -> InsuranceVerification:
    """Write the checklist if it is still at ``expected_version`` (0: never saved).

    The change is flushed, not committed: the caller audits it and commits.

    Raises ``StaleVerification`` and changes nothing when someone saved in between, whether that
    is seen before writing (the version the form was loaded with) or at the database (the
    ``version`` column, for two saves racing each other).
    """
    if prior_auth not in PRIOR_AUTH_STATUSES:
        raise InvalidVerification("Choose a prior authorization status from the list.")
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise InvalidVerification(f"Notes are limited to {NOTES_MAX} characters.")
    record = verification_of(submission)
    current_version = record.version if record is not None else 0
    if current_version != expected_version:
        if record is None:
            raise InvalidVerification("This checklist could not be matched; reload the page.")
        raise StaleVerification(record)
    if record is None:
        record = InsuranceVerification(submission_id=submission.id)
        db.session.add(record)
    record.eligibility_confirmed = eligibility_confirmed
    record.prior_auth = prior_auth
    record.notes = notes
    record.updated_by_id = user_id
    record.updated_at = utcnow()
    try:
        db.session.flush()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        current = verification_of(submission)
        if current is None:  # pragma: no cover - the other save would have created it
            raise
        raise StaleVerification(current) from None
    return record
