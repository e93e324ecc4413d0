"""Searching the audit log: by who, what, which submission and when, newest first, a page at a time.

Kept apart from :mod:`intake.services.audit` (which writes the log) so the admin page's view
only reads its filter form and draws the result.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from intake.extensions import db
from intake.models import AuditEvent, ExportedRow, Submission
from intake.security import MAX_DB_ID
from intake.services import settings
from intake.services.export import neutralise

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditQuery:
    """What to look for; blank or None means "any"."""

    actor: str = ""  # part of a staff email, in any case
    action: str = ""  # an action code (``intake.services.audit.ACTIONS``)
    submission: str = ""  # a submission id, or its reference in any case
    date_from: date | None = None  # from the start of this day (the clinic's time zone)
    date_to: date | None = None  # to the end of this day (the clinic's time zone)


@dataclass
class AuditPage:
    events: list[AuditEvent]
    #: submission id -> reference, for the events on this page
    references: dict[int, str]
    total: int
    page: int
    pages: int


def _midnight(day: date) -> datetime:
    """The start of the clinic's calendar day (its time zone, ``settings.day_start``)."""
    return settings.day_start(day)


def conditions(query: AuditQuery) -> list[sa.ColumnElement[bool]]:
    conds: list[sa.ColumnElement[bool]] = []
    actor = query.actor.strip().lower()  # emails are stored in lower case
    if actor:
        conds.append(AuditEvent.actor_email.like(f"%{actor}%"))
    if query.action:
        conds.append(AuditEvent.action == query.action)
    submission = query.submission.strip()
    if submission:
        if submission.isdigit() and int(submission) <= MAX_DB_ID:
            conds.append(AuditEvent.submission_id == int(submission))
        else:
            reference = submission.upper().replace(" ", "")
            conds.append(
                AuditEvent.submission_id.in_(
                    sa.select(Submission.id).where(Submission.reference == reference)
                )
            )
    if query.date_from is not None:
        conds.append(AuditEvent.created_at >= _midnight(query.date_from))
    if query.date_to is not None and query.date_to < date.max:  # the last day has no next day
        conds.append(AuditEvent.created_at < _midnight(query.date_to + timedelta(days=1)))
    return conds


def search(query: AuditQuery, page: int = 1, per_page: int = PAGE_SIZE) -> AuditPage:
    """One page of the matching events, newest first (a page past the end shows the last)."""
    conds = conditions(query)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(*conds)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    events = list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(*conds)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    ids = {e.submission_id for e in events if e.submission_id}
    references: dict[int, str] = {}
    if ids:
        rows = db.session.execute(
            sa.select(Submission.id, Submission.reference).where(Submission.id.in_(ids))
        )
        references = {sid: ref for sid, ref in rows}
    return AuditPage(events, references, total, page, pages)


AUDIT_COLUMNS = ("when_utc", "actor", "action", "submission", "detail", "address", "exported_ids")


def export_rows(engine: sa.Engine, query: AuditQuery) -> Iterator[list[str]]:
    """Every event the query matches, newest first, as CSV cells (for the admin's download).

    Read through a session of its own: the file is sent after the view has returned. An
    export's event lists the submission ids it sent (``exported_row``), in the file's order.
    """
    statement = (
        sa.select(AuditEvent, Submission.reference)
        .outerjoin(Submission, Submission.id == AuditEvent.submission_id)
        .where(*conditions(query))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .execution_options(yield_per=500)
    )
    with Session(engine) as session:
        for event, reference in session.execute(statement):
            exported = ""
            if event.action == "exported":
                ids = session.scalars(
                    sa.select(ExportedRow.submission_id)
                    .where(ExportedRow.audit_event_id == event.id)
                    .order_by(ExportedRow.position)
                )
                exported = " ".join(str(i) for i in ids)
            cells = [
                event.created_at.isoformat(),
                event.actor_email or "",
                event.action,
                reference or "",
                json.dumps(event.detail or {}, sort_keys=True, ensure_ascii=False),
                event.ip_address or "",
                exported,
            ]
            yield [neutralise(cell) for cell in cells]
            # This one event only: ``expunge_all`` would end the identity map the ``yield_per``
            # query is still loading into, and its next batch would fail (the staff export's bug).
            session.expunge(event)
