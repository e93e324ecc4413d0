"""``/staff/export.csv`` and ``/staff/billing.csv``: the front-desk queue's filtered list as
streamed CSV files (the general export, and the billing export a biller can use).

The filters and the statements are the queue's own (``QueueFilters``, ``select_pinned`` and
``select_listed`` in ``intake.services.queue``), so the file holds what the queue lists. Rows
come in the queue's order: unacknowledged urgent submissions first, longest waiting first, then
the rest sorted as asked; every matching row, not one page.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from flask import Response, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session, selectinload

from intake.auth.decorators import role_required
from intake.extensions import db
from intake.models import ExportedRow, InsuranceVerification, Submission
from intake.models.types import utcnow
from intake.services import audit
from intake.services import queue as qs
from intake.services.audit import record_exported_rows
from intake.services.export import stream_billing_csv, stream_csv
from intake.services.settings import EXPORT_FREE_TEXT, clinic_profile, get_setting
from intake.staff import bp
from intake.staff.filters import audit_filters, read_filters

EXPORT_ROLES = ("front_desk",)
_BATCH = 500


def _rows(engine: sa.Engine, event_id: int) -> Iterator[Submission]:
    """The rows the export's audit event names, in its order, read in batches.

    The body is sent after the view has returned and its request and application contexts are
    gone, so the rows cannot come from ``db.session``; a plain session on the engine needs no
    Flask context, and closes (with its cursor) even when the download is abandoned.
    """
    statement = (
        sa.select(Submission)
        .join(ExportedRow, ExportedRow.submission_id == Submission.id)
        .where(ExportedRow.audit_event_id == event_id)
        .order_by(ExportedRow.position)
        # The partial a full submission completes: its reference in the "partial" column.
        .options(selectinload(Submission.completes))
        .execution_options(yield_per=_BATCH)
    )
    with Session(engine) as session:
        for submission in session.scalars(statement):
            yield submission
            if len(session.identity_map) >= _BATCH:
                session.expunge_all()  # keep memory flat on large exports


def _billing_rows(
    engine: sa.Engine, event_id: int
) -> Iterator[tuple[Submission, InsuranceVerification | None]]:
    """As :func:`_rows`, each with its insurance verification (None before the first save)."""
    statement = (
        sa.select(Submission, InsuranceVerification)
        .join(ExportedRow, ExportedRow.submission_id == Submission.id)
        .outerjoin(InsuranceVerification, InsuranceVerification.submission_id == Submission.id)
        .where(ExportedRow.audit_event_id == event_id)
        .order_by(ExportedRow.position)
        .execution_options(yield_per=_BATCH)
    )
    with Session(engine) as session:
        for submission, verification in session.execute(statement):
            yield submission, verification
            if len(session.identity_map) >= _BATCH:
                session.expunge_all()


def _record_export(export_format: str, **detail: object) -> int:
    """Audit the export of every submission matching the form's filters; the event's id.

    The event names each row that leaves (``exported_row``), so the body, streamed later,
    sends exactly the rows the audit log says were sent."""
    filters = read_filters(request.form, viewer_id=current_user.id)
    ids = qs.matching_ids(qs.select_pinned(filters), qs.select_listed(filters))
    event = audit.record(
        "exported",
        detail={
            "format": export_format,
            "filters": audit_filters(filters),
            "rows": len(ids),
            **detail,
        },
    )
    record_exported_rows(event, ids)
    db.session.commit()
    return event.id


def _download(chunks: Iterator[str], name: str) -> Response:
    filename = f"{name}-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(
        chunks,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/billing.csv")
@role_required(*EXPORT_ROLES)
def export_billing_csv() -> ResponseReturnValue:
    """The queue's filtered list for a biller: insurance, verification, prior auth, PHQ-9.

    POST with the CSRF token and audited, as the general export; UTF-8 with a byte-order mark
    so Excel shows accented names; times in the clinic's zone."""
    zone = clinic_profile().zone  # read now: the body is written after the request is gone
    event_id = _record_export("billing_csv")
    return _download(stream_billing_csv(_billing_rows(db.engine, event_id), zone), "billing")


@bp.post("/export.csv")
@role_required(*EXPORT_ROLES)
def export_csv() -> ResponseReturnValue:
    """Every submission matching the queue's filters, as CSV, streamed.

    POST only (with the CSRF token): an export is an audited action, and a GET could be started
    by another site's link or image on a staff computer, leaving a false "exported" entry.
    """
    free_text = bool(get_setting(EXPORT_FREE_TEXT))
    event_id = _record_export("csv", free_text=free_text)
    return _download(stream_csv(_rows(db.engine, event_id), free_text=free_text), "intake-export")
