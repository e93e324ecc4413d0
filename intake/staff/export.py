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
from sqlalchemy.orm import Session

from intake.auth.decorators import role_required
from intake.extensions import db
from intake.models import Submission
from intake.models.types import utcnow
from intake.services import audit
from intake.services import queue as qs
from intake.services.export import stream_csv
from intake.services.settings import EXPORT_FREE_TEXT, get_setting
from intake.staff import bp
from intake.staff.filters import read_filters

EXPORT_ROLES = ("front_desk",)
_BATCH = 500


def _rows(engine: sa.Engine, statements: tuple[sa.Select, ...]) -> Iterator[Submission]:
    """Rows read in batches through a session of their own.

    The body is sent after the view has returned and its request and application contexts are
    gone, so the rows cannot come from ``db.session``; a plain session on the engine needs no
    Flask context, and closes (with its cursor) even when the download is abandoned.
    """
    with Session(engine) as session:
        for statement in statements:
            yield from session.scalars(statement.execution_options(yield_per=_BATCH))
            session.expunge_all()  # keep memory flat on large exports


def audit_filters(f: qs.QueueFilters) -> dict[str, str]:
    """The filters for the audit log: the search term itself is patient data, so only its use."""
    used = f.as_form()
    if "q" in used:
        used["q"] = "(given)"
    return used


@bp.post("/export.csv")
@role_required(*EXPORT_ROLES)
def export_csv() -> ResponseReturnValue:
    """Every submission matching the queue's filters, as CSV, streamed.

    POST only (with the CSRF token): an export is an audited action, and a GET could be started
    by another site's link or image on a staff computer, leaving a false "exported" entry.
    """
    filters = read_filters(request.form)
    statements = (qs.select_pinned(filters), qs.select_listed(filters))
    rows = sum(qs.count_matching(statement) for statement in statements)
    free_text = bool(get_setting(EXPORT_FREE_TEXT))
    audit.record(
        "exported",
        detail={
            "format": "csv",
            "filters": audit_filters(filters),
            "rows": rows,
            "free_text": free_text,
        },
    )
    db.session.commit()
    chunks = stream_csv(_rows(db.engine, statements), free_text=free_text)
    filename = f"intake-export-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(
        chunks,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
