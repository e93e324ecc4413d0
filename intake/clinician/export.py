"""``/staff/export.csv``: the front-desk queue's filtered list as a streamed CSV file.

The filters are the queue's own (``intake.services.queue.QueueFilters``). As on the queue, a GET
takes the filters from the URL but never the identifying search term; a POST (with CSRF) may carry
it. Rows come in the queue's order: unacknowledged urgent submissions first, longest waiting
first, then the rest sorted as asked; every matching row, not one page.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from flask import Response, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from intake.auth.decorators import role_required
from intake.clinician import insurance_bp as bp
from intake.extensions import db
from intake.models import Submission
from intake.models.types import utcnow
from intake.services import audit
from intake.services import queue as qs
from intake.services.export import stream_csv
from intake.services.settings import EXPORT_FREE_TEXT, get_setting

EXPORT_ROLES = ("front_desk",)
_BATCH = 500


def _statements(f: qs.QueueFilters) -> tuple[sa.Select, sa.Select]:
    pinned = qs._pinned_condition()
    conditions = qs._conditions(f)
    first = (
        sa.select(Submission)
        .where(pinned, *conditions)
        .order_by(Submission.submitted_at.asc(), Submission.id.asc())
    )
    rest = sa.select(Submission).where(sa.not_(pinned), *conditions).order_by(*qs._order(f.sort))
    if f.urgent == "no":
        first = first.where(sa.false())
    return first, rest


def _count(statement: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery())) or 0


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
    filters = qs.QueueFilters.from_mapping(request.form)
    statements = _statements(filters)
    rows = sum(_count(statement) for statement in statements)
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
