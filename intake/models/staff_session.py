"""Server-side records of staff sessions, so signing out really ends a session."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.models.types import UTCDateTime, utcnow


class StaffSession(Model):
    """One signed-in staff session.

    The session cookie is signed but lives in the browser: without a record here, a copy of the
    cookie taken before sign-out would keep working. The cookie carries a random token; only its
    SHA-256 is stored, and a session counts only while its record has no ``ended_at``.
    """

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
