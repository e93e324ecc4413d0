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
  :func:`preparing_page`). It is rendered here, once, rather than not at all: with no worker
  to ask (``memory://``: development without ``flask worker``, the tests), when its queue
  cannot be reached, when the worker refused or failed the render, and when it has not stored
  the PDF :data:`WORKER_WAIT_SECONDS` after it was first asked (a dead worker, a lost task).
- :func:`render_kept` — what the worker's ``render_pdf`` task does (``intake.worker``).

**Who waits for what.** Every render asked for carries the key the web process waits for and
its :func:`~intake.services.pdf_cache.render_version` (the kind's layout and the code that
keys it). A worker running other code (a deploy under way, a worker not restarted) refuses
the task rather than store a PDF under a key nobody waits for; a worker running the same code
stores under the key of what it drew, which is the key asked for unless the records changed
since (then the newer key, which the asking page computes on its next request). Each asked
key has a mark in the queue's key-value store (``huey.put``; in Redis in production): when it
was asked, or that the worker refused or failed it; the worker and the web's own render clear
it. A download finds there whether to wait (202) or render.

**One snapshot.** A PDF's key and its drawing are read in one transaction at one moment
(:func:`one_snapshot`: REPEATABLE READ on PostgreSQL, a read transaction on SQLite): a review
committed between reading the key and drawing would otherwise put the reviewed PDF under the
older version's key. WeasyPrint, the slow part, runs after that transaction, on the HTML
drawn in it; the PDF is stored in a transaction of its own.

Here, outside the clinician and staff packages (like ``intake.pages``), so neither audience's
package imports the other's: the drawing modules are imported from each when first needed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from flask import abort, current_app, render_template
from huey import MemoryHuey
from sqlalchemy.exc import IntegrityError

from intake.extensions import db
from intake.models import Course, Submission
from intake.services import pdf_cache
from intake.services.pdf_cache import COURSE_REPORT, PRIOR_AUTH, SUMMARY, PdfTarget

log = logging.getLogger(__name__)

#: How long a download waits for the worker before the web process renders the PDF itself:
#: about five times a first render's p95 on a machine under load (3.2 s wall at load 5–12,
#: docs/operations.md "The PDFs"; 0.5 s on a quiet one), room for a few renders queued before
#: it. A clinician pressing "Download" every few seconds has the PDF at most this long (and one
#: render) after the first press, whatever happened to the worker.
WORKER_WAIT_SECONDS = 15.0

#: The states of a render's mark in the queue's key-value store (:func:`_mark_of`).
ASKED, REFUSED, FAILED = "asked", "refused", "failed"
_MARK = "pdf-render:"


@dataclass(frozen=True)
class Kind:
    """How one kind of PDF is made: its subject loaded for a target (None when it is gone or
    has no such PDF), the key of what it shows now, and the module that draws it (``html``:
    the page, every database read it needs; ``pdf``: WeasyPrint on that page, no database)."""

    load: Callable[[PdfTarget], Any]
    key: Callable[[Any], str]
    drawing: str

    def html(self, subject: Any) -> str:
        html: str = import_module(self.drawing).html(subject)
        return html

    def pdf(self, html: str) -> bytes:
        content: bytes = import_module(self.drawing).pdf(html)
        return content


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


KINDS: dict[str, Kind] = {
    SUMMARY: Kind(_evaluated, pdf_cache.summary_key, "intake.clinician.summary_pdf"),
    PRIOR_AUTH: Kind(_full, pdf_cache.prior_auth_key, "intake.staff.prior_auth_pdf"),
    COURSE_REPORT: Kind(_course, pdf_cache.course_report_key, "intake.clinician.course_pdf"),
}


# --- one snapshot: the key and the drawing -------------------------------------------------------


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Every statement inside reads the database as of one moment, in a transaction of its own
    that is rolled back at the end (nothing is written in it; the session's earlier changes are
    rolled back first, and its objects expire).

    PostgreSQL: REPEATABLE READ, read only (the snapshot is taken at the first statement; a
    writer is never blocked by it). SQLite: an explicit ``BEGIN`` (the driver sends none before
    a SELECT, so each statement would read on its own): the first read takes the database's
    shared lock, and a writer's commit waits for the end (its busy timeout), which is why only
    the drawing of the HTML is inside, not WeasyPrint."""
    db.session.rollback()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
    else:
        db.session.connection().exec_driver_sql("BEGIN")
    try:
        yield
    finally:
        db.session.rollback()


@dataclass(frozen=True)
class Drawing:
    """A PDF's key and the HTML it is rendered from, read in one snapshot; ``html`` is None when
    that key was stored already."""

    key: str
    html: str | None


def draw(target: PdfTarget, *, unless_stored: bool = True) -> Drawing | None:
    """Load ``target``'s subject, key it and draw its HTML, all in :func:`one_snapshot`: the key
    names exactly the records the HTML shows. None when it is gone (or has no such PDF); no
    HTML when the key is stored already and ``unless_stored``."""
    kind = KINDS[target.kind]
    with one_snapshot():
        subject = kind.load(target)
        if subject is None:
            return None
        key = kind.key(subject)
        if unless_stored and pdf_cache.is_stored(key):
            return Drawing(key, None)
        return Drawing(key, kind.html(subject))


def _render_and_keep(target: PdfTarget, key: str, html: str, started: float) -> bytes:
    """Render ``html`` (WeasyPrint) and store it under ``key`` (flushed; the caller commits).
    ``started`` is when the drawing began (the render time kept with it)."""
    content = KINDS[target.kind].pdf(html)
    elapsed = round((time.perf_counter() - started) * 1000)
    pdf_cache.keep(target, key, content, elapsed)
    return content


# --- the worker's queue and the marks of what was asked ----------------------------------------


def worker_queue_usable() -> bool:
    """Whether a job worker can take renders: a real queue (not ``memory://``, which no other
    process sees), set up without a problem."""
    huey = current_app.extensions.get("huey")
    return (
        huey is not None
        and not isinstance(huey, MemoryHuey)
        and not current_app.extensions.get("huey_problem")
    )


def _now() -> float:
    """The wall clock (the marks are read by other processes, other machines)."""
    return time.time()


def _mark_of(key: str) -> tuple[str, float] | None:
    """The mark of the render of ``key``: ``(ASKED | REFUSED | FAILED, when)``, or None (never
    asked, or done). Raises when the queue cannot be reached."""
    found = current_app.extensions["huey"].get(_MARK + key, peek=True)
    if isinstance(found, tuple) and len(found) == 2:
        return str(found[0]), float(found[1])
    return None


def _set_mark(key: str, state: str) -> None:
    """Mark ``key``'s render (best effort: a mark that cannot be written leaves the download
    waiting at most :data:`WORKER_WAIT_SECONDS`)."""
    try:
        current_app.extensions["huey"].put(_MARK + key, (state, _now()))
    except Exception as exc:
        log.warning("could not mark a PDF render %s: %s", state, type(exc).__name__)


def _clear_marks(*keys: str | None) -> None:
    """Forget the marks of ``keys``' renders (done), best effort."""
    try:
        huey = current_app.extensions["huey"]
        for key in {key for key in keys if key}:
            huey.delete(_MARK + key)
    except Exception as exc:
        log.warning("could not clear a PDF render's mark: %s", type(exc).__name__)


def _enqueue(target: PdfTarget, key: str) -> None:
    """Put the render task on the queue (raises when it cannot be reached)."""
    args = (target.submission_id, key, target.kind, target.course_id)
    current_app.extensions["pdf_tasks"]["render"](*args, pdf_cache.render_version(target.kind))


def ask_worker_to_render(target: PdfTarget, key: str) -> bool:
    """Ask the worker for ``target``'s PDF of ``key`` (the key this web process waits for),
    unless it is being asked already: marked :data:`ASKED` now, then enqueued. False when no
    worker can be asked (the queue is ``memory://`` or cannot be reached), so the caller
    renders it itself."""
    if not worker_queue_usable():
        return False
    huey = current_app.extensions["huey"]
    try:
        if not huey.put_if_empty(_MARK + key, (ASKED, _now())):
            return True  # another request asked a moment ago
        try:
            _enqueue(target, key)
        except Exception:
            huey.delete(_MARK + key)
            raise
    except Exception as exc:
        log.warning("could not ask the worker to render a PDF: %s", type(exc).__name__)
        return False
    return True


def _worker_has_it(target: PdfTarget, key: str) -> bool:
    """Whether the download waits for the worker (True: 202) or renders ``key`` itself: the
    worker is asked now if it was not; it is waited for while its ask is younger than
    :data:`WORKER_WAIT_SECONDS` and it neither refused nor failed."""
    if not worker_queue_usable():
        return False
    try:
        mark = _mark_of(key)
    except Exception as exc:
        log.warning("could not reach the PDF worker's queue: %s", type(exc).__name__)
        return False
    if mark is None:
        return ask_worker_to_render(target, key)
    state, since = mark
    if state == ASKED and _now() - since < WORKER_WAIT_SECONDS:
        return True
    why = f"not made after {WORKER_WAIT_SECONDS:.0f} s" if state == ASKED else state
    log.warning("a %s PDF asked of the worker was %s: rendered here", target.kind, why)
    return False


# --- what the pages call ------------------------------------------------------------------------


def key_to_prepare(target: PdfTarget, subject: Any) -> str | None:
    """The key :func:`prepare` will look for, read now (None when no worker can be asked):
    a page that commits its audit event first reads it before that commit, which expires the
    subject (read after it, a summary's submission was loaded again, both JSON documents)."""
    return KINDS[target.kind].key(subject) if worker_queue_usable() else None


def prepare(target: PdfTarget, subject: Any, *, key: str | None = None) -> None:
    """Ask the worker for the PDF of what ``subject`` shows now, unless it is made already or
    being made: called when the page linking to it is opened (after that page committed), so
    the PDF is ready by the time it is asked for; ``key`` is :func:`key_to_prepare`'s when the
    page read it before committing. A render the worker refused or failed, or left undone past
    the wait, is asked for again (another worker may run now). Nothing here is kept (rolled
    back); a queue that cannot be reached is logged, and the page is shown all the same."""
    if worker_queue_usable():
        key = key or KINDS[target.kind].key(subject)
        if not pdf_cache.is_stored(key):
            try:
                mark = _mark_of(key)
            except Exception as exc:
                log.warning("could not reach the PDF worker's queue: %s", type(exc).__name__)
            else:
                if mark is not None and (
                    mark[0] != ASKED or _now() - mark[1] >= WORKER_WAIT_SECONDS
                ):
                    _clear_marks(key)
                    mark = None
                if mark is None:
                    ask_worker_to_render(target, key)
    db.session.rollback()


@dataclass(frozen=True)
class Ready:
    """A PDF to send: its bytes, and whether this request had to render them."""

    content: bytes
    rendered_here: bool


def fetch(target: PdfTarget, subject: Any) -> Ready | None:
    """The PDF of what ``subject`` shows now, stored; None when the worker has it to make (this
    request's changes are rolled back: the caller answers "being prepared").

    Otherwise (:func:`_worker_has_it`) rendered here, once, from one snapshot (:func:`draw`;
    the request's changes are rolled back first and its objects read again on use): should
    another request store the same version at that moment, theirs is sent. The caller audits
    the download and commits (the PDF stored here with it)."""
    key = KINDS[target.kind].key(subject)
    found = pdf_cache.stored(key)
    if found is not None:
        return Ready(found.content, rendered_here=False)
    if _worker_has_it(target, key):
        db.session.rollback()
        return None
    return _render_here(target, key)


def _render_here(target: PdfTarget, asked: str) -> Ready:
    started = time.perf_counter()
    # Drawn even if another request stored this version since: one render at worst, in a
    # moment's race, rather than a second snapshot.
    drawing = draw(target, unless_stored=False)
    if drawing is None or drawing.html is None:
        abort(404)  # deleted since the view loaded it
    try:
        content = _render_and_keep(target, drawing.key, drawing.html, started)
    except IntegrityError:
        db.session.rollback()
        found = pdf_cache.stored(drawing.key)
        if found is None:
            raise
        content = found.content
    _forget_here(asked, drawing.key)
    return Ready(content, rendered_here=True)


def _forget_here(*keys: str) -> None:
    if worker_queue_usable():
        _clear_marks(*keys)


def preparing_page(*, what: str, download_url: str, back_url: str, back_to: str) -> Any:
    """The 202 "being prepared" page: a button to press again (``Retry-After: 2``; no automatic
    refresh, which would be an accessibility failure, and no script: it works without
    JavaScript), nothing rendered in the request. It says how long the wait can be: a press
    after :data:`WORKER_WAIT_SECONDS` gets the PDF, made by the web process if need be."""
    page = render_template(
        "clinician/pdf_preparing.html",
        what=what,
        download_url=download_url,
        back_url=back_url,
        back_to=back_to,
        wait_seconds=round(WORKER_WAIT_SECONDS),
    )
    return page, 202, {"Retry-After": "2"}


# --- the worker ---------------------------------------------------------------------------------


def render_kept(target: PdfTarget, asked: str | None = None, version: str | None = None) -> str:
    """What the worker's task does (needs a request context): render and store ``target``'s PDF
    as it is now. ``rendered``, ``current`` (made already, or by another worker meanwhile),
    ``gone`` (deleted, or no longer has such a PDF) or ``refused``.

    ``asked`` is the key the asking web process waits for, ``version`` its
    :func:`~intake.services.pdf_cache.render_version`. Another version than this worker's is
    other code: refused (marked so; the web process renders it itself at the next download),
    since what this worker would draw and key is not what that web process waits for. The same
    version: the PDF is keyed from the records it is drawn from (:func:`draw`), which is
    ``asked`` unless they changed since it was asked (then the newer version's key, never the
    older one's). A task with no version (web code from before versions were sent) is drawn
    and stored under its own key, as then."""
    if target.kind not in KINDS or (
        version is not None and version != pdf_cache.render_version(target.kind)
    ):
        log.warning(
            "a %s PDF was asked for by a web process running other code: refused (it renders it)",
            target.kind,
        )
        if asked:
            _set_mark(asked, REFUSED)
        return "refused"
    started = time.perf_counter()
    try:
        drawing = draw(target)
        if drawing is None:
            outcome = "gone"
        elif drawing.html is None:
            outcome = "current"
        else:
            if asked is not None and asked != drawing.key:
                log.info(
                    "a %s PDF was asked for a version since replaced: drew the current one",
                    target.kind,
                )
            try:
                _render_and_keep(target, drawing.key, drawing.html, started)
                db.session.commit()
                outcome = "rendered"
            except IntegrityError:
                db.session.rollback()
                outcome = "current"
    except Exception:
        db.session.rollback()
        if asked:
            _set_mark(asked, FAILED)
        raise
    _clear_marks(asked, drawing.key if drawing is not None else None)
    return outcome
