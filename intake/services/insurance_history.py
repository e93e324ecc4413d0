"""Every saved version of an insurance checklist, newest first, with what each save changed.

The live row is the newest version; the history table holds the ones it replaced. Reading them
together answers "who changed what, when" and lets the front desk copy back anything a later
save overwrote. Callers check the reader's role and audit the view (patient data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from intake.extensions import db
from intake.models import InsuranceVerificationHistory, Submission
from intake.services.insurance import ChecklistValues, verification_of


@dataclass(frozen=True)
class ChecklistVersion:
    """One saved version: its number, values, author and time, and the fields it changed."""

    version: int
    values: ChecklistValues
    saved_by_id: int | None
    saved_at: datetime
    changed: tuple[str, ...]
    current: bool


def versions_of(submission: Submission) -> list[ChecklistVersion]:
    """All saved versions of the submission's checklist, newest first (empty if never saved).

    ``changed`` compares each version with the one before it; version 1 is compared with an
    unsaved checklist, so it lists what the first save filled in.
    """
    record = verification_of(submission)
    if record is None:
        return []
    rows = db.session.scalars(
        select(InsuranceVerificationHistory)
        .where(InsuranceVerificationHistory.submission_id == submission.id)
        .order_by(InsuranceVerificationHistory.version)
    ).all()
    saved = [(row.version, ChecklistValues.of(row), row.saved_by_id, row.saved_at) for row in rows]
    current = ChecklistValues.of(record)
    saved.append((record.version, current, record.updated_by_id, record.updated_at))
    versions = []
    previous = ChecklistValues()
    for number, values, by, at in saved:
        versions.append(
            ChecklistVersion(
                version=number,
                values=values,
                saved_by_id=by,
                saved_at=at,
                changed=tuple(values.differing(previous)),
                current=number == record.version,
            )
        )
        previous = values
    return versions[::-1]
