"""Patients, not just submissions: the record that links a person's intakes (issue 16).

Every submission belongs to one patient record. A new submission starts a record of its own;
one that looks like a known patient (same folded last name and date of birth, or the same
e-mail address or phone number as an earlier submission) gets a :class:`PatientMatch`
*suggestion*, and only the front desk's confirmation moves it into the earlier record — never
silently, always audited, and reversible (``moved_ids`` and ``from_patient_id`` say how to undo
it). A full submission completing a partial one from the same draft joins the partial's record
at once: it is the same person filling in the same form.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.models.types import JSONDocument, UTCDateTime, utcnow

MATCH_STATUSES = ("suggested", "confirmed", "rejected", "undone")
#: Why a submission looks like an earlier one, with the words the front desk reads.
MATCH_REASONS: dict[str, str] = {
    "name_dob": "same last name and date of birth",
    "email": "same e-mail address",
    "phone": "same phone number",
}


class Patient(Model):
    """One person's record: the submissions (and, later, courses of care) that are theirs."""

    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PatientMatch(Model):
    """A suggestion that ``submission`` is the patient of an earlier ``candidate`` submission,
    and what the front desk decided."""

    __tablename__ = "patient_match"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    #: Comma-separated ``MATCH_REASONS`` codes.
    reasons: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(16), default="suggested")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: On confirmation: the record the submission left, and the submissions moved with it.
    from_patient_id: Mapped[int | None] = mapped_column(nullable=True)
    moved_ids: Mapped[list[Any] | None] = mapped_column(JSONDocument, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("submission_id", "candidate_id"),
        sa.CheckConstraint(
            "status IN ('suggested', 'confirmed', 'rejected', 'undone')", name="status"
        ),
    )

    @property
    def reason_words(self) -> list[str]:
        return [MATCH_REASONS.get(code, code) for code in self.reasons.split(",") if code]
