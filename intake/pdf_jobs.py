"""The PDFs rendered off the web workers: asking the job worker, the download's one flow.

Shared by the clinician summary, the front desk's prior-authorization packet and a course's
end-of-course report (``services.pdf_cache`` names their keys and stores their bytes). Each
kind says how its subject is loaded by id, keyed and drawn (:data:`KINDS`); the rest is the
same for all three:

- :func:`prepare` — the page that links to a PDF asks the worker for it when opened, so it is
  usually made before anyone clicks (:func:`key_to_prepare` reads its key before the page's
  commit).
- :func:`fetch` — a download: the stored bytes when the key of what the PDF would show now
  has been rendered; otherwise the worker is asked (the caller answers 202, "being prepared",
  :func:`preparing_page`); with no worker to ask (``memory://``: development without
  ``flask worker``, the tests) or when its queue cannot be reached, it is rendered here rather
  than not at all.
- :func:`render_kept` — what the worker's ``render_pdf`` task does (``intake.worker``): it
  keys what it draws itself, so a PDF is never stored under another version's key.

Here, outside the clinician and staff packages (like ``intake.pages``), so neither audience's
package imports the other's: the drawing functions are imported from each when first needed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from huey import MemoryHuey
from sqlalchemy.exc import IntegrityError

from intake.extensions import db
from intake.models import Course, RenderedPdf, Submission
from intake.services import pdf_cache
from intake.services.pdf_cache import COURSE_REPORT, PRIOR_AUTH, SUMMARY, PdfTarget

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """How one kind of PDF is made: its subject loaded for a target (None when it is gone or
    has no such PDF), the key of what it shows now, and its bytes drawn (in a request context)."""

    load: Callable[[PdfTarget], Any]
    key: Callable[[Any], str]
    draw: Callable[[Any], bytes]


def _evaluated(target: PdfTarget) -> Submission | None:
    submission = db.session.get(Submission, target.submission_id)
    return submission if submission is not None and submission.evaluation is not None else None


def _full(target: PdfTarget) -> Submission | None:
    """A packet is made for a full submission only (a partial one shows what it has)."""
    submission = _evaluated(target)
    return submission if submission is not None and not submission.partial else None


def _course(target: PdfTarget) -> Course | None:
    course = db.session.get(Course, target.course_id) if target.course_id is not None else None
    return course if course is not None and course.submission_id == target.submission_id else None


def _draw_summary(submission: Submission) -> bytes:
    from intake.clinician.summary_pdf import render

    return render(submission)


def _draw_packet(submission: Submission) -> bytes:
    from intake.staff.prior_auth_pdf import render

    return render(submission)


def _draw_report(course: Course) -> bytes:
    from intake.clinician.course_pdf import render

    return render(course)


KINDS: dict[str, Kind] = {
    SUMMARY: Kind(_evaluated, pdf_cache.summary_key, _draw_summary),
    PRIOR_AUTH: Kind(_full, pdf_cache.prior_auth_key, _draw_packet),
    COURSE_REPORT: Kind(_course, pdf_cache.course_report_key, _draw_report),
}


def render_and_keep(target: PdfTarget, subject: Any, key: str) -> RenderedPdf:
    """Draw ``subject``'s PDF and store it under ``key`` (flushed; the caller commits)."""
    started = time.perf_counter()
    content = KINDS[target.kind].draw(subject)
    elapsed = round((time.perf_counter() - started) * 1000)
    return pdf_cache.keep(target, key, content, elapsed)


def worker_queue_usable() -> bool:
    """Whether a job worker can take renders: a real queue (not ``memory://``, which no other
    process sees), set up without a problem."""
    huey = current_app.extensions.get("huey")
    return (
        huey is not None
        and not isinstance(huey, MemoryHuey)
        and not current_app.extensions.get("huey_problem")
    )


def ask_worker_to_render(target: PdfTarget, key: str) -> bool:
    """Enqueue a render of ``target``, asked for the version of ``key`` (the key this web
    process looks for; the worker stores what it draws under the key it computes itself,
    :func:`render_kept`); False when no worker can be asked (the queue is ``memory://`` or
    cannot be reached), so the caller renders it itself."""
    if not worker_queue_usable():
        return False
    # A summary is asked for as before kinds existed, so a worker not yet restarted after the
    # deploy still makes it; the packet and the report need a worker that knows them.
    args: tuple[object, ...] = (target.submission_id, key)
    if target.kind != SUMMARY:
        args += (target.kind, target.course_id)
    try:
        current_app.extensions["pdf_tasks"]["render"](*args)
    except Exception as exc:
        log.warning("could not ask the worker to render a PDF: %s", type(exc).__name__)
        return False
    return True


def key_to_prepare(target: PdfTarget, subject: Any) -> str | None:
    """The key :func:`prepare` will look for, read now (None when no worker can be asked):
    a page that commits its audit event first reads it before that commit, which expires the
    subject (read after it, a summary's submission was loaded again, both JSON documents)."""
    return KINDS[target.kind].key(subject) if worker_queue_usable() else None


def prepare(target: PdfTarget, subject: Any, *, key: str | None = None) -> None:
    """Ask the worker for the PDF of what ``subject`` shows now, unless it is made already:
    called when the page linking to it is opened (after that page committed), so the PDF is
    ready by the time it is asked for; ``key`` is :func:`key_to_prepare`'s when the page read
    it before committing. Nothing here is kept (rolled back)."""
    if worker_queue_usable():
        key = key or KINDS[target.kind].key(subject)
        if not pdf_cache.is_stored(key):
            ask_worker_to_render(target, key)
    db.session.rollback()


@dataclass(frozen=True)
class Ready:
    """A PDF to send: its bytes, and whether this request had to render them."""

    content: bytes
    rendered_here: bool


def fetch(target: PdfTarget, subject: Any) -> Ready | None:
    """The PDF of what ``subject`` shows now, stored; None when the worker has been asked for
    it (this request's changes are rolled back: the caller answers "being prepared").

    Rendered here only when no worker can be asked; should another request store the same
    version at that moment, theirs is sent (this request's changes are rolled back then too,
    and the caller's objects read again on use). The caller audits the download and commits."""
    key = KINDS[target.kind].key(subject)
    found = pdf_cache.stored(key)
    if found is not None:
        return Ready(found.content, rendered_here=False)
    if ask_worker_to_render(target, key):
        db.session.rollback()
        return None
    try:
        found = render_and_keep(target, subject, key)
    except IntegrityError:
        db.session.rollback()
        found = pdf_cache.stored(key)
        if found is None:
            raise
    return Ready(found.content, rendered_here=True)


def preparing_page(*, what: str, download_url: str, back_url: str, back_to: str) -> Any:
    """The 202 "being prepared" page: a button to press again (``Retry-After: 2``; no automatic
    refresh, which would be an accessibility failure), nothing rendered in the request."""
    page = render_template(
        "clinician/pdf_preparing.html",
        what=what,
        download_url=download_url,
        back_url=back_url,
        back_to=back_to,
    )
    return page, 202, {"Retry-After": "2"}


def render_kept(target: PdfTarget, asked: str | None = None) -> str:
    """Render and store ``target``'s PDF as it is now (needs a request context): ``rendered``,
    ``current`` (made already, or by another worker meanwhile) or ``gone`` (deleted, or no
    longer has such a PDF).

    Stored under the key of what is drawn, computed here from the records just loaded, never
    under ``asked`` (the key the asking web process read): a change committed between the
    asking and the drawing (a review, a workflow step) would otherwise put this version's PDF
    under the older version's key, or a PDF of older records under a newer key. ``asked`` only
    says, in the log, that the version asked for is no longer the one drawn."""
    kind = KINDS[target.kind]
    subject = kind.load(target)
    if subject is None:
        db.session.rollback()
        return "gone"
    key = kind.key(subject)
    if asked is not None and asked != key:
        log.info(
            "a %s PDF was asked for a version since replaced: drawing the current one", target.kind
        )
    if pdf_cache.is_stored(key):
        db.session.rollback()
        return "current"
    try:
        render_and_keep(target, subject, key)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return "current"
    return "rendered"
