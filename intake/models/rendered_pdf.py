"""A PDF rendered once for one version of what it shows (docs/clinician.md, "PDF")."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.models.types import UTCDateTime, utcnow

#: The PDFs kept this way: the clinician summary, the prior-authorization packet (front desk)
#: and a course's end-of-course report (services.pdf_cache names their keys).
PDF_KINDS = ("summary", "prior_auth", "course_report")


class RenderedPdf(Model):
    """The bytes of one of a submission's PDFs for one ``key``.

    ``kind`` says which PDF (``PDF_KINDS``); a course report also names its ``course_id``
    (a patient's intake can start several courses). ``key`` (``services.pdf_cache``) names
    everything that PDF shows — for a summary the submission's version, its reviews, calls and
    risk assessments, the ruleset, the clinic settings, the layout's own files — so a download
    finds the PDF made for what it would show now, or none. Rendered by the job worker, not a
    web worker; deleted with its submission (and course). Storing a newer key drops the older
    ones of the same submission, kind and course only: one PDF never evicts another's bytes.
    """

    __tablename__ = "rendered_pdf"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20), default="summary", server_default="summary")
    course_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), nullable=True, index=True
    )
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    render_ms: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ({})".format(", ".join(repr(kind) for kind in PDF_KINDS)), name="kind"
        ),
        # A course report names its course; the submission's own PDFs name none.
        sa.CheckConstraint(
            "(kind = 'course_report') = (course_id IS NOT NULL)", name="course_report_course"
        ),
    )
