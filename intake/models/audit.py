"""The append-only audit log: who did what, to which submission, when, from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.models.types import JSONDocument, UTCDateTime, utcnow


class AuditEvent(Model):
    """One audited action. Rows are never updated or deleted by the application.

    ``detail`` holds identifiers and workflow values only (statuses, ids, counts), never patient
    answers. ``actor_email`` is a snapshot so the log still reads well if an account changes.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id"), nullable=True, index=True
    )
    actor_email: Mapped[str | None] = mapped_column(sa.String(254), nullable=True)
    action: Mapped[str] = mapped_column(sa.String(50), index=True)
    submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submission.id"), nullable=True, index=True
    )
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45), nullable=True)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action}>"


class ExportedRow(Model):
    """One submission that left in an export: the export's audit event, its place, its id.

    The export streams exactly these rows, read back in ``position`` order, so the audit log
    names every record that left and no other (a row submitted during the download is not in
    the file, and a row that stopped matching the filters is still the one that was sent).
    """

    __tablename__ = "exported_row"

    audit_event_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_event.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(sa.ForeignKey("submission.id"), index=True)


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit event through the ORM."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper: Any, connection: Any, target: AuditEvent) -> None:
    raise AuditLogIsAppendOnly("audit events are never updated")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper: Any, connection: Any, target: AuditEvent) -> None:
    raise AuditLogIsAppendOnly("audit events are never deleted")
