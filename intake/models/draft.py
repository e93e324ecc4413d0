"""An unfinished intake that a patient can save and reopen with a resume code."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.models.types import JSONDocument, UTCDateTime, utcnow


class Draft(Model):
    """Answers in progress, kept in the database (never in the cookie) for 14 days.

    ``data`` maps each wizard step to the answers the patient gave on it. ``date_of_birth`` is
    copied out when the "about you" step is saved so that a resume code alone cannot reopen the
    draft. ``submission_id`` is set exactly once, in the same transaction that creates the
    submission, which is what makes a double click or a second tab harmless.
    ``partial_submission_id`` is set the same way, once, by an urgent partial submission.
    """

    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    resume_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    asq_positive: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    #: The urgent partial submission sent from the support page (migration 0014): at most one
    #: per draft (unique, and the version counter), and the full submission completes it.
    partial_submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API
