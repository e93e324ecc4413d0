"""Front-desk insurance verification for one submission."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import db
from intake.models.types import UTCDateTime, utcnow

#: Prior authorization, from "not looked at yet" to the payer's answer.
PRIOR_AUTH_STATUSES = ("unknown", "not_needed", "needed", "submitted", "approved", "denied")


class InsuranceVerification(db.Model):
    """The verification checklist: eligibility and prior authorization, with notes.

    One row per submission, created on the first save. ``version`` is an optimistic lock: a save
    made from an older copy of the page is refused ("changed by X at T"), never merged.
    """

    __tablename__ = "insurance_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), unique=True
    )
    eligibility_confirmed: Mapped[bool] = mapped_column(default=False)
    prior_auth: Mapped[str] = mapped_column(sa.String(16), default="unknown")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API

    __table_args__ = (
        sa.CheckConstraint(
            "prior_auth IN ('unknown', 'not_needed', 'needed', 'submitted', 'approved', 'denied')",
            name="prior_auth",
        ),
    )
