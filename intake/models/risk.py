"""The risk workflow of an urgent submission: the front desk's contact attempts and the
clinician's risk assessments (docs/staff.md, "The risk workflow").

Both are append-only rows of their own. The first contact attempt sets
``Submission.acknowledged_at`` (someone on staff has taken the submission on: it leaves the
queue's pinned list and stops the alert escalation); a risk assessment sets
``Submission.risk_signed_off_at`` (a clinician has assessed the patient's safety: it leaves the
clinician's urgent list). Outcome codes are vocabulary lists (``CONTACT_OUTCOMES``,
``RISK_OUTCOMES``), shown with the ``label`` filter.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.extensions import Model
from intake.models.types import UTCDateTime, utcnow
from intake.models.user import User
from intake.vocabulary import CONTACT_OUTCOMES, RISK_OUTCOMES, codes


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ContactAttempt(Model):
    """The front desk tried to reach the patient: who, when, what came of it, and a note."""

    __tablename__ = "contact_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    by: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint(_one_of("outcome", codes(CONTACT_OUTCOMES)), name="outcome"),
    )


class RiskAssessment(Model):
    """A clinician's brief safety assessment of an urgent submission: it signs the submission off.

    ``assessed_at`` is when the clinician assessed the patient (default now, never in the
    future); ``recorded_at`` when the row was written. More than one may be recorded; the one
    assessed latest is the sign-off the pages show, and every one stays for the record.
    """

    __tablename__ = "risk_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    clinician_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    clinician: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (sa.CheckConstraint(_one_of("outcome", codes(RISK_OUTCOMES)), name="outcome"),)
