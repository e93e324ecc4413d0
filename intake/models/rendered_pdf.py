"""A summary PDF rendered once for one version of what it shows (docs/clinician.md, "PDF")."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.models.types import UTCDateTime, utcnow


class RenderedPdf(Model):
    """The bytes of a submission's summary PDF for one ``key``.

    ``key`` (``services.pdf_cache.pdf_key``) names everything the PDF shows — the submission's
    version, its reviews, calls and risk assessments, the ruleset it is compared with, the clinic
    settings it prints with, the layout's own files — so a download finds the PDF made for what
    it would show now, or none. Rendered by the job worker, not a web worker; deleted with its
    submission; older keys of a submission are dropped when a newer one is stored.
    """

    __tablename__ = "rendered_pdf"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    render_ms: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
