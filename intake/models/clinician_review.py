"""A clinician's review of the rules' pathway suggestion for one submission."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.models.types import JSONDocument, UTCDateTime, utcnow

DECISIONS = ("agree", "different")


class ClinicianReview(Model):
    """Agree with the suggested pathways, or choose different ones, with a note.

    Reviews are append-only: a later review supersedes an earlier one on the summary, and every
    one stays for the record. ``suggested_codes`` and ``ruleset_sha256`` keep what the rules
    suggested when the review was made, so the side-by-side view never shifts if the ruleset
    changes later.
    """

    __tablename__ = "clinician_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    clinician_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id"), nullable=True, index=True
    )
    decision: Mapped[str] = mapped_column(sa.String(16))
    pathway_codes: Mapped[list[str]] = mapped_column(JSONDocument)
    suggested_codes: Mapped[list[str]] = mapped_column(JSONDocument)
    ruleset_sha256: Mapped[str] = mapped_column(sa.String(64))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    #: The diagnosis: ICD-10-CM codes of ``vocabulary.ICD10_CODES``, in the clinician's order
    #: (the first is the primary diagnosis on the prior-authorization packet).
    diagnosis_codes: Mapped[list[str]] = mapped_column(
        JSONDocument, default=list, server_default="[]"
    )
    #: The planned course (all three or none): sessions of the acute course including the first,
    #: taper sessions after it, and the protocol (``vocabulary.TMS_PROTOCOLS``).
    course_sessions: Mapped[int | None] = mapped_column(nullable=True)
    course_taper_sessions: Mapped[int | None] = mapped_column(nullable=True)
    course_protocol: Mapped[str | None] = mapped_column(sa.String(24), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.CheckConstraint("decision IN ('agree', 'different')", name="decision"),)
