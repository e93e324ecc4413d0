"""Summary PDFs made once per version of what they show, so a download is a file send.

Rendering a summary takes WeasyPrint about a second of CPU: done in a web worker, two clicks
stalled every other user (issue 13). Instead the job worker renders it (``intake.worker``'s
``render_pdf`` task, enqueued when a clinician opens the summary or asks for the PDF) and
stores the bytes under a **key** naming everything the PDF shows; the download view sends the
stored bytes when the key matches and otherwise asks the worker and says "being prepared".

The key is a SHA-256 of: the layout (the PDF's templates and stylesheets, read once per
process), the submission's id and ``version`` (every workflow edit bumps it), the newest
review, contact attempt, risk assessment and acknowledgement (each an append-only record), the
full submission completing a partial one, the patient record's intakes, the ruleset a summary
compares with, and the clinic settings it prints with (time zone, paper). Anything else on the
PDF is part of those records.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from intake.extensions import db
from intake.models import (
    Acknowledgement,
    ClinicianReview,
    ContactAttempt,
    RenderedPdf,
    RiskAssessment,
    Submission,
)
from intake.rules import RULESET
from intake.services import settings

_PACKAGE = Path(__file__).resolve().parents[1]
#: The files the summary PDF is drawn from (a change to any of them is a new layout).
LAYOUT_GLOBS = (
    "templates/clinician/*.html",
    "templates/summary/*.html",
    "templates/macros/*.html",
    "static/css/*.css",
)


@cache
def layout_version() -> str:
    """A hash of the PDF's templates and stylesheets, read once per process."""
    digest = hashlib.sha256()
    for pattern in LAYOUT_GLOBS:
        for path in sorted(_PACKAGE.glob(pattern)):
            digest.update(path.relative_to(_PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _newest(model: type, submission_id: int) -> int:
    column = model.__table__.c  # type: ignore[attr-defined]
    found = db.session.scalar(
        sa.select(sa.func.max(column.id)).where(column.submission_id == submission_id)
    )
    return int(found or 0)


def _record(submission: Submission) -> tuple[object, ...]:
    """Every intake of the submission's patient record, by id (a link and an undo can leave the
    same number of intakes and the same newest one: only the whole list names the set)."""
    if submission.patient_id is None:
        return (None,)
    ids = db.session.scalars(
        sa.select(Submission.id)
        .where(Submission.patient_id == submission.patient_id)
        .order_by(Submission.id)
    ).all()
    return (submission.patient_id, ",".join(map(str, ids)))


def pdf_key(submission: Submission) -> str:
    """The key of the PDF ``submission`` would get if it were rendered now (one query per
    related record kind; no document is read)."""
    completed_by = db.session.scalar(
        sa.select(Submission.id).where(Submission.completes_id == submission.id)
    )
    parts = (
        "summary-pdf/1",
        layout_version(),
        submission.id,
        submission.version,
        *(_newest(m, submission.id) for m in (ClinicianReview, ContactAttempt, RiskAssessment)),
        _newest(Acknowledgement, submission.id),
        completed_by or 0,
        # The same patient's other intakes, listed on the summary (a confirmed match).
        *_record(submission),
        RULESET.sha256,
        settings.get_setting(settings.CLINIC_TIME_ZONE),
        settings.get_setting(settings.PDF_PAPER),
    )
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def stored(key: str) -> RenderedPdf | None:
    """The PDF rendered for ``key``, if the worker has made it."""
    return db.session.scalar(sa.select(RenderedPdf).where(RenderedPdf.key == key))


def keep(submission_id: int, key: str, content: bytes, render_ms: int) -> RenderedPdf:
    """Store a rendered PDF and drop the submission's older ones (the caller commits).

    Two workers rendering the same version at once both reach here; the unique key lets one
    row stand (the caller treats the other's ``IntegrityError`` as done)."""
    db.session.execute(
        sa.delete(RenderedPdf).where(
            RenderedPdf.submission_id == submission_id, RenderedPdf.key != key
        )
    )
    row = RenderedPdf(submission_id=submission_id, key=key, content=content, render_ms=render_ms)
    db.session.add(row)
    db.session.flush()
    return row
