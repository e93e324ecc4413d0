"""Front-desk workflow records: status changes, notes and urgent acknowledgements."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.extensions import Model
from intake.models.types import UTCDateTime, utcnow
from intake.models.user import User

#: Every status, in workflow order, with the words people see (``services.workflow`` says which
#: may follow which). Here, beside the records, so the submission's ``status_rank`` can follow it.
STATUSES: dict[str, str] = {
    "new": "New",
    "in_review": "In review",
    "needs_info": "Needs information",
    "insurance_verified": "Insurance verified",
    "scheduled": "Scheduled",
    "closed": "Closed",
    "withdrawn": "Withdrawn",
}


def status_rank(status: str) -> int:
    """A status's place in the workflow (the queue's status sort); an unknown one sorts last."""
    return list(STATUSES).index(status) if status in STATUSES else len(STATUSES)


#: What staff did about an urgent flag, with the words people see.
ACKNOWLEDGEMENT_ACTIONS: dict[str, str] = {
    "contacted_patient": "Contacted the patient",
    "safety_plan": "Made or reviewed a safety plan",
    "called_988_with_patient": "Called 988 with the patient",
    "other": "Other",
}


class StatusChange(Model):
    """One workflow transition of a submission."""

    __tablename__ = "status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submission.id"), index=True)
    from_status: Mapped[str] = mapped_column(sa.String(32))
    to_status: Mapped[str] = mapped_column(sa.String(32))
    changed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    changed_by: Mapped[User] = relationship(lazy="joined")


class Note(Model):
    """A staff note on a submission; its author may edit it for 10 minutes."""

    __tablename__ = "submission_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submission.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    author: Mapped[User] = relationship(lazy="joined")


class Acknowledgement(Model):
    """Someone acknowledged an urgent flag: who, when, what was done, and a note."""

    __tablename__ = "acknowledgement"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submission.id"), index=True)
    by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(sa.String(40))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    by: Mapped[User] = relationship(lazy="joined")

    @property
    def action_label(self) -> str:
        return ACKNOWLEDGEMENT_ACTIONS.get(self.action, self.action)
