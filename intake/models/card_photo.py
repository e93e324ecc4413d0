"""An insurance card photo (front or back): a row pointing at a stored, cleaned JPEG."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.models.types import UTCDateTime, utcnow

SIDES = ("front", "back")


class CardPhoto(Model):
    """One side of the card. Uploaded with a draft (``draft_id``), attached to the submission
    when it is sent (``submission_id``). ``storage_key`` is random (``secrets``): it never
    names the patient or the reference. The file itself is in ``intake.services.card_photos``'
    store; deleting a row goes through that service so the file goes too."""

    __tablename__ = "card_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("draft.id", ondelete="SET NULL"), nullable=True, index=True
    )
    submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="SET NULL"), nullable=True, index=True
    )
    side: Mapped[str] = mapped_column(sa.String(8))
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
