"""Front-desk insurance verification for one submission, and every earlier version of it."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.models.types import UTCDateTime, utcnow

#: Prior authorization, from "not looked at yet" to the payer's answer.
PRIOR_AUTH_STATUSES = ("unknown", "not_needed", "needed", "submitted", "approved", "denied")

#: The appeal of a denied prior authorization ("" while there is none).
APPEAL_OUTCOMES = ("", "pending", "approved", "denied")

#: The prior-authorization tracking values (after the status and the payer's reference).
TRACKING_FIELDS = (
    "prior_auth_requested_on",
    "prior_auth_units",
    "prior_auth_start",
    "prior_auth_end",
    "prior_auth_denial_reason",
    "appeal_on",
    "appeal_outcome",
)

#: The checklist's values, in the order pages show them. The live row and each history row
#: carry exactly these, so a version can be compared, shown or restored field by field.
CHECKLIST_FIELDS = (
    "eligibility_confirmed",
    "prior_auth",
    "prior_auth_reference",
    *TRACKING_FIELDS,
    "notes",
)

#: The longest prior-authorization reference (payers' case numbers are short).
REFERENCE_MAX = 64

_PRIOR_AUTH_CHECK = (
    "prior_auth IN ('unknown', 'not_needed', 'needed', 'submitted', 'approved', 'denied')"
)
_APPEAL_CHECK = "appeal_outcome IN ('', 'pending', 'approved', 'denied')"


class _Tracking:
    """The prior-authorization tracking columns, the same on the live row and in the history:
    when it was requested, what the payer approved (units, first and last day) or why it was
    denied, and the appeal (when, what came of it)."""

    prior_auth_requested_on: Mapped[date | None] = mapped_column(nullable=True)
    prior_auth_units: Mapped[int | None] = mapped_column(nullable=True)
    prior_auth_start: Mapped[date | None] = mapped_column(nullable=True)
    prior_auth_end: Mapped[date | None] = mapped_column(nullable=True)
    prior_auth_denial_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    appeal_on: Mapped[date | None] = mapped_column(nullable=True)
    appeal_outcome: Mapped[str] = mapped_column(sa.String(16), default="", server_default="")


class InsuranceVerification(_Tracking, Model):
    """The verification checklist: eligibility and prior authorization, with notes.

    One row per submission, created on the first save. ``version`` is an optimistic lock: a save
    made from an older copy of the page is refused ("changed by X at T"), never merged. Before a
    save changes the row, the values it replaces are copied to
    :class:`InsuranceVerificationHistory`, so overwriting someone's work never loses it.
    """

    __tablename__ = "insurance_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), unique=True
    )
    eligibility_confirmed: Mapped[bool] = mapped_column(default=False)
    #: The prior-authorization status (``PRIOR_AUTH_STATUSES``; "submitted" is a request
    #: awaiting the payer's decision). Indexed with the submission (``__table_args__``): the
    #: queue filters on it.
    prior_auth: Mapped[str] = mapped_column(sa.String(16), default="unknown")
    prior_auth_reference: Mapped[str] = mapped_column(
        sa.String(REFERENCE_MAX), default="", server_default=""
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API

    __table_args__ = (
        sa.CheckConstraint(_PRIOR_AUTH_CHECK, name="prior_auth"),
        # The worklist's "prior auth pending" and prior-auth filters (migration 0016).
        sa.Index("ix_insurance_verification_prior_auth", "prior_auth", "submission_id"),
        sa.CheckConstraint(_APPEAL_CHECK, name="appeal_outcome"),
    )


class InsuranceVerificationHistory(_Tracking, Model):
    """One replaced version of a checklist: its values, who saved them, when, and who replaced them.

    Written by the save that replaces the version, in the same transaction, and never changed
    afterwards. With the live row it gives every version ever saved (1, 2, …, current).
    """

    __tablename__ = "insurance_verification_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up by submission; the unique (submission_id, version) index serves that.
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submission.id", ondelete="CASCADE"))
    version: Mapped[int]
    eligibility_confirmed: Mapped[bool]
    prior_auth: Mapped[str] = mapped_column(sa.String(16))
    prior_auth_reference: Mapped[str] = mapped_column(sa.String(REFERENCE_MAX))
    notes: Mapped[str] = mapped_column(sa.Text)
    saved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), nullable=True)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaced_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id"), nullable=True
    )
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("submission_id", "version"),
        sa.CheckConstraint(_PRIOR_AUTH_CHECK, name="prior_auth"),
        sa.CheckConstraint(_APPEAL_CHECK, name="appeal_outcome"),
    )
