"""``/staff/export.csv`` and ``/staff/billing.csv``: the front-desk queue's filtered list as
streamed CSV files (the general export, and the billing export a biller can use).

The filters and the statements are the queue's own (``QueueFilters``, ``select_pinned`` and
``select_listed`` in ``intake.services.queue``), so the file holds what the queue lists. Rows
come in the queue's order: unacknowledged urgent submissions first, longest waiting first, then
the rest sorted as asked; every matching row, not one page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Response, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session, selectinload

from intake.auth.decorators import role_required
from intake.extensions import db
from intake.models import AuditEvent, ExportedRow, InsuranceVerification, Submission
from intake.models.types import utcnow
from intake.services import audit
from intake.services import queue as qs
from intake.services.audit import record_exported_rows
from intake.services.export import stream_billing_csv, stream_csv
from intake.services.settings import EXPORT_FREE_TEXT, clinic_profile, get_setting
from intake.staff import bp
from intake.staff.filters import audit_filters, read_filters

log = logging.getLogger(__name__)

EXPORT_ROLES = ("front_desk",)
_BATCH = 500


def _positions(event_id: int, start: int) -> sa.ColumnElement[bool]:
    """The export's ``exported_row`` places ``start`` to ``start + _BATCH`` (they run 0..n-1)."""
    return sa.and_(
        ExportedRow.audit_event_id == event_id,
        ExportedRow.position >= start,
        ExportedRow.position < start + _BATCH,
    )


@dataclass
class _Sent:
    """How many rows the export has written into its file so far (for its closing event)."""

    rows: int = 0


def _rows(engine: sa.Engine, event_id: int, rows: int, sent: _Sent) -> Iterator[Submission]:
    """The rows the export's audit event names, in its order, ``_BATCH`` at a time.

    One query and one session per batch, not one ``yield_per`` query: memory stays flat
    because each batch's objects leave with its session, and no cursor is open across batches.
    (Clearing the session with ``expunge_all`` while a ``yield_per`` query was still being read
    made SQLAlchemy refuse the next batch, "identity map is no longer valid": a list of more
    than 500 stopped part way through a 200 answer.) Between batches the connection goes back
    to the pool, so a slow or abandoned download does not hold one. The body is sent after the
    view has returned and its contexts are gone, so these are plain sessions on the engine; each
    closes even when the download is abandoned.
    """
    statement = (
        sa.select(Submission)
        .join(ExportedRow, ExportedRow.submission_id == Submission.id)
        .order_by(ExportedRow.position)
        # The partial a full submission completes: its reference in the "partial" column.
        .options(selectinload(Submission.completes))
    )
    for start in range(0, rows, _BATCH):
        with Session(engine) as session:
            for submission in session.scalars(statement.where(_positions(event_id, start))).all():
                sent.rows += 1  # counted before it is written: the figure never says too few
                yield submission


def _billing_rows(
    engine: sa.Engine, event_id: int, rows: int, sent: _Sent
) -> Iterator[tuple[Submission, InsuranceVerification | None]]:
    """As :func:`_rows`, each with its insurance verification (None before the first save)."""
    statement = (
        sa.select(Submission, InsuranceVerification)
        .join(ExportedRow, ExportedRow.submission_id == Submission.id)
        .outerjoin(InsuranceVerification, InsuranceVerification.submission_id == Submission.id)
        .order_by(ExportedRow.position)
    )
    for start in range(0, rows, _BATCH):
        with Session(engine) as session:
            for submission, verification in session.execute(
                statement.where(_positions(event_id, start))
            ).all():
                sent.rows += 1
                yield submission, verification


@dataclass(frozen=True)
class _Export:
    """An export as its audit event started it: what the closing event needs after the
    request has gone (the actor and address are read while it is still there)."""

    event_id: int
    rows: int
    export_format: str
    ended: dict[str, Any]  # the closing event's columns but its detail


def _record_export(export_format: str, **detail: object) -> _Export:
    """Audit the export of every submission matching the form's filters, before the first byte.

    The event (``exported``) names each row that is to leave (``exported_row``), and the body,
    streamed later, sends exactly those rows in that order. It is written first so that no
    file leaves unrecorded, even one cut off by a worker that stops; ``_audited`` adds the
    closing ``export_ended`` event with how many rows were written (docs/staff.md)."""
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
    return _Export(event.id, len(ids), export_format, audit.columns_for_later("export_ended"))


def _audited(
    chunks: Iterator[str], export: _Export, sent: _Sent, engine: sa.Engine
) -> Iterator[str]:
    """``chunks``, then the export's closing audit event: complete, or cut off after how many.

    Runs when the file ends, fails, or is abandoned (the server closes the body when the
    browser goes away); "rows_sent" counts the rows written into the file, so when the file
    was cut off it may be more than arrived, never fewer."""
    complete = False
    try:
        yield from chunks
        complete = True
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        detail = {
            "export_event": export.event_id,
            "format": export.export_format,
            "rows": export.rows,
            "rows_sent": sent.rows,
            "complete": complete,
        }
        with Session(engine) as session:
            session.execute(sa.insert(AuditEvent), {**export.ended, "detail": detail})
            session.commit()
        if not complete:
            log.warning(
                "export event %s cut off after %s of %s rows",
                export.event_id,
                sent.rows,
                export.rows,
            )


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
    export, sent = _record_export("billing_csv"), _Sent()
    rows = _billing_rows(db.engine, export.event_id, export.rows, sent)
    return _download(_audited(stream_billing_csv(rows, zone), export, sent, db.engine), "billing")


@bp.post("/export.csv")
@role_required(*EXPORT_ROLES)
def export_csv() -> ResponseReturnValue:
    """Every submission matching the queue's filters, as CSV, streamed.

    POST only (with the CSRF token): an export is an audited action, and a GET could be started
    by another site's link or image on a staff computer, leaving a false "exported" entry.
    """
    free_text = bool(get_setting(EXPORT_FREE_TEXT))
    export, sent = _record_export("csv", free_text=free_text), _Sent()
    chunks = stream_csv(_rows(db.engine, export.event_id, export.rows, sent), free_text=free_text)
    return _download(_audited(chunks, export, sent, db.engine), "intake-export")
