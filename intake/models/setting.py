"""Application settings an admin can change at run time (key → JSON value)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.models.types import JSONDocument, UTCDateTime, utcnow


class Setting(Model):
    """One stored setting; a key with no row has its default (``intake.services.settings``)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONDocument)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
