"""Rendering the summary PDF, off the web workers where there is a job worker to do it.

``render_and_keep`` draws ``clinician/summary_pdf.html`` with the summary's context and renders
it (``services.pdf``, WeasyPrint, offline), storing the bytes under the key of what it shows
(``services.pdf_cache``). The job worker calls it (``intake.worker``'s ``render_pdf`` task) in a
request context of its own; a web worker calls it only when there is no worker to ask.
"""

from __future__ import annotations

import logging
import time

from flask import current_app, render_template, request
from huey import MemoryHuey

from intake.clinician.context import summary_context
from intake.extensions import db
from intake.models import RenderedPdf, Submission
from intake.services import pdf_cache, settings

log = logging.getLogger(__name__)


def render(submission: Submission) -> bytes:
    """The summary PDF's bytes for ``submission`` as it is now (needs a request context)."""
    from intake.services.pdf import html_to_pdf

    html = render_template(
        "clinician/summary_pdf.html",
        paper=settings.get_setting(settings.PDF_PAPER),
        **summary_context(submission),
    )
    return html_to_pdf(
        html, base_url=request.host_url, static_folder=str(current_app.static_folder)
    )


def render_and_keep(submission: Submission, key: str) -> RenderedPdf:
    """Render and store the PDF for ``key`` (flushed; the caller commits)."""
    started = time.perf_counter()
    content = render(submission)
    elapsed = round((time.perf_counter() - started) * 1000)
    return pdf_cache.keep(submission.id, key, content, elapsed)


def worker_queue_usable() -> bool:
    """Whether a job worker can take renders: a real queue (not ``memory://``, which no other
    process sees), set up without a problem."""
    huey = current_app.extensions.get("huey")
    return (
        huey is not None
        and not isinstance(huey, MemoryHuey)
        and not current_app.extensions.get("huey_problem")
    )


def ask_worker_to_render(submission_id: int, key: str) -> bool:
    """Enqueue a render of the submission's PDF, to be stored under ``key`` (the key this web
    process looks for, even if the worker runs other code); False when no worker can be asked
    (the queue is ``memory://`` or cannot be reached), so the caller renders it itself."""
    if not worker_queue_usable():
        return False
    try:
        current_app.extensions["pdf_tasks"]["render"](submission_id, key)
    except Exception as exc:
        log.warning("could not ask the worker to render a PDF: %s", type(exc).__name__)
        return False
    return True


def prepare(submission: Submission) -> None:
    """Ask the worker for the PDF of what ``submission`` shows now, unless it is made already:
    called when a clinician opens the summary, so the PDF is ready by the time it is asked."""
    if worker_queue_usable():
        key = pdf_cache.pdf_key(submission)
        if pdf_cache.stored(key) is None:
            ask_worker_to_render(submission.id, key)
    db.session.rollback()
