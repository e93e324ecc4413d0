"""``/staff/export.csv``: the front-desk queue's filtered list as a streamed CSV file.

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
from sqlalchemy.orm import Session, selectinload

from intake.auth.decorators import role_required
from intake.extensions import db
from intake.models import ExportedRow, Submission
from intake.models.types import utcnow
from intake.services import audit
from intake.services import queue as qs
from intake.services.audit import record_exported_rows
from intake.services.export import stream_csv
from intake.services.settings import EXPORT_FREE_TEXT, get_setting
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


@bp.post("/export.csv")
@role_required(*EXPORT_ROLES)
def export_csv() -> ResponseReturnValue:
    """Every submission matching the queue's filters, as CSV, streamed.

    POST only (with the CSRF token): an export is an audited action, and a GET could be started
    by another site's link or image on a staff computer, leaving a false "exported" entry.
    """
    filters = read_filters(request.form)
    free_text = bool(get_setting(EXPORT_FREE_TEXT))
    ids = qs.matching_ids(qs.select_pinned(filters), qs.select_listed(filters))
    event = audit.record(
        "exported",
        detail={
            "format": "csv",
            "filters": audit_filters(filters),
            "rows": len(ids),
            "free_text": free_text,
        },
    )
    record_exported_rows(event, ids)
    db.session.commit()
    chunks = stream_csv(_rows(db.engine, event.id), free_text=free_text)
    filename = f"intake-export-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(
        chunks,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
