"""The front desk's insurance verification checklist, with optimistic locking and a history.

Two people may open the same checklist. The first save wins; the second is refused with the
first person's values (``StaleVerification``) and must then choose: keep theirs, or save over
them on purpose, naming the version they have seen. Whatever a save replaces is first copied to
the history table, so even a deliberate overwrite can be undone by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from intake.extensions import db
from intake.models import InsuranceVerification, InsuranceVerificationHistory, Submission
from intake.models.insurance import (
    APPEAL_OUTCOMES,
    CHECKLIST_FIELDS,
    PRIOR_AUTH_STATUSES,
    REFERENCE_MAX,
)
from intake.models.types import utcnow
from intake.services import audit

#: Who works the insurance panel, the packet and the checklist history (docs/clinician.md,
#: "Decisions"). Kept here so every page that shows checklist data checks the same roles.
INSURANCE_ROLES = ("front_desk",)

NOTES_MAX = 4000
PRIOR_AUTH_WORDS = {
    "unknown": "Not checked yet",
    "not_needed": "Not needed",
    "needed": "Needed",
    "submitted": "Submitted: decision pending",
    "approved": "Approved",
    "denied": "Denied",
}

#: The name of each checklist value on pages (the order is ``CHECKLIST_FIELDS``).
FIELD_LABELS = {
    "eligibility_confirmed": "Eligibility confirmed with the plan",
    "prior_auth": "Prior authorization",
    "prior_auth_reference": "Prior-authorization reference",
    "prior_auth_requested_on": "Requested on",
    "prior_auth_units": "Approved units",
    "prior_auth_start": "Approved from",
    "prior_auth_end": "Approved until",
    "prior_auth_denial_reason": "Denial reason",
    "appeal_on": "Appeal sent on",
    "appeal_outcome": "Appeal outcome",
    "notes": "Notes",
}
APPEAL_WORDS = {
    "": "No appeal",
    "pending": "Pending",
    "approved": "Approved on appeal",
    "denied": "Denied on appeal",
}
UNITS_MAX = 200
DENIAL_REASON_MAX = 2000


@dataclass(frozen=True)
class ChecklistValues:
    """The values of one version of the checklist, however they were obtained (form or row)."""

    eligibility_confirmed: bool = False
    prior_auth: str = "unknown"
    prior_auth_reference: str = ""
    prior_auth_requested_on: date | None = None
    prior_auth_units: int | None = None
    prior_auth_start: date | None = None
    prior_auth_end: date | None = None
    prior_auth_denial_reason: str = ""
    appeal_on: date | None = None
    appeal_outcome: str = ""
    notes: str = ""

    @classmethod
    def of(
        cls, row: InsuranceVerification | InsuranceVerificationHistory | None
    ) -> ChecklistValues:
        """The values stored in a live or history row (the defaults when nothing was saved)."""
        if row is None:
            return cls()
        return cls(**{name: getattr(row, name) for name in CHECKLIST_FIELDS})

    def differing(self, other: ChecklistValues) -> list[str]:
        """The names of the fields whose values differ, in page order."""
        return [name for name in CHECKLIST_FIELDS if getattr(self, name) != getattr(other, name)]

    def shown(self, name: str) -> str:
        """One value in the words a page shows."""
        value = getattr(self, name)
        if name == "eligibility_confirmed":
            return "Yes" if value else "No"
        if name == "prior_auth":
            return PRIOR_AUTH_WORDS.get(value, value)
        if name == "appeal_outcome":
            return APPEAL_WORDS.get(value, value)
        if isinstance(value, date | int):
            return str(value)
        return value or "(empty)"


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


def _checked(values: ChecklistValues) -> ChecklistValues:
    """The values as they will be stored (text trimmed), or ``InvalidVerification``."""
    if values.prior_auth not in PRIOR_AUTH_STATUSES:
        raise InvalidVerification("Choose a prior authorization status from the list.")
    notes = (values.notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise InvalidVerification(f"Notes are limited to {NOTES_MAX} characters.")
    reference = (values.prior_auth_reference or "").strip()
    if len(reference) > REFERENCE_MAX:
        raise InvalidVerification(
            f"The prior-authorization reference is limited to {REFERENCE_MAX} characters."
        )
    if values.appeal_outcome not in APPEAL_OUTCOMES:
        raise InvalidVerification("Choose an appeal outcome from the list.")
    units = values.prior_auth_units
    if units is not None and not 1 <= units <= UNITS_MAX:
        raise InvalidVerification(f"Approved units are a number from 1 to {UNITS_MAX}.")
    start, end = values.prior_auth_start, values.prior_auth_end
    if start is not None and end is not None and end < start:
        raise InvalidVerification("The approval cannot end before it starts.")
    reason = (values.prior_auth_denial_reason or "").strip()
    if len(reason) > DENIAL_REASON_MAX:
        raise InvalidVerification(
            f"The denial reason is limited to {DENIAL_REASON_MAX} characters."
        )
    if values.appeal_outcome and values.appeal_on is None:
        raise InvalidVerification("Give the date the appeal was sent.")
    return replace(
        values,
        eligibility_confirmed=bool(values.eligibility_confirmed),
        prior_auth_reference=reference,
        prior_auth_denial_reason=reason,
        notes=notes,
    )


def _keep_in_history(record: InsuranceVerification, *, user_id: int | None) -> None:
    """Copy the version about to be replaced into the history (same transaction as the save)."""
    db.session.add(
        InsuranceVerificationHistory(
            submission_id=record.submission_id,
            version=record.version,
            saved_by_id=record.updated_by_id,
            saved_at=record.updated_at,
            replaced_by_id=user_id,
            replaced_at=utcnow(),
            **{name: getattr(record, name) for name in CHECKLIST_FIELDS},
        )
    )


def save_verification(
    submission: Submission,
    values: ChecklistValues,
    *,
    expected_version: int,
    user_id: int | None,
    saving_over: bool = False,
) -> InsuranceVerification:
    """Write the checklist if it is still at ``expected_version`` (0: never saved), and audit it.

    The change is flushed, not committed: the caller commits. The version it replaces goes to
    the history first. ``saving_over`` says the person chose to save over ``expected_version``
    after a conflict; the audit event then names the version saved over.

    Raises ``StaleVerification`` and changes nothing when someone saved in between, whether that
    is seen before writing (the version the form was loaded with) or at the database (the
    ``version`` column and the unique history version, for two saves racing each other).
    """
    values = _checked(values)
    record = verification_of(submission)
    current_version = record.version if record is not None else 0
    if current_version != expected_version:
        if record is None:
            raise InvalidVerification("This checklist could not be matched; reload the page.")
        raise StaleVerification(record)
    if record is None:
        record = InsuranceVerification(submission_id=submission.id)
        db.session.add(record)
    else:
        _keep_in_history(record, user_id=user_id)
    for name in CHECKLIST_FIELDS:
        setattr(record, name, getattr(values, name))
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
    detail: dict[str, object] = {
        "eligibility_confirmed": record.eligibility_confirmed,
        "prior_auth": record.prior_auth,
        "version": record.version,
    }
    if record.appeal_outcome:
        detail["appeal_outcome"] = record.appeal_outcome
    if saving_over:
        detail["saved_over_version"] = expected_version
    audit.record("insurance_updated", submission=submission, detail=detail)
    return record
