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
  cannot be reached, when the worker refused or failed the render or stored it under another
  key than the one asked (superseded), and when it has not stored
  the PDF :data:`WORKER_WAIT_SECONDS` after it was first asked (a dead worker, a lost task).
- :func:`render_kept` — what the worker's ``render_pdf`` task does (``intake.worker``).

**Who waits for what.** Every render asked for carries the key the web process waits for and
its :func:`~intake.services.pdf_cache.render_version` (the kind's layout, the code that keys
it, the rules its key names). A worker running other code (a deploy under way, a worker not
restarted) refuses the task rather than store a PDF under a key nobody waits for; a worker
running the same code stores under the key of what it drew, which is the key asked for unless
the records changed since (then the newer key, which the asking page computes on its next
request; the key asked is marked superseded, so a web process still computing it renders it
at its next download rather than ask again and wait for ever). Each asked key has a mark in
the queue's key-value store (in Redis in production, a key of its own that expires,
:func:`_write`): asked, or refused, failed or superseded by the worker, and since when it was
first asked; the worker's render of the key asked and the web's own render clear it, and it
expires :data:`MARK_SECONDS` after that first ask. A download finds there whether to wait (202) or
render; the wait runs from the first ask, and neither a page opened again nor a re-ask
restarts it (:func:`prepare`). A render here is claimed there too (:func:`_claim_here`), so
requests pressing "Download" together render it once.

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
import math
import pickle
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from flask import abort, current_app, g, has_app_context, render_template
from huey import MemoryHuey
from huey.storage import RedisStorage, SqliteStorage
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

#: How long a render's mark lives after the render was first asked for (:func:`_mark_of`): a
#: download waits :data:`WORKER_WAIT_SECONDS` once in that time, however often the pages are
#: opened; after it (a task lost, a worker gone for an hour) the next page or download asks
#: afresh, and may wait once more. It bounds what a lost task leaves in the store.
MARK_SECONDS = 3600.0

#: How long one web request's claim to render a PDF itself holds (:func:`_claim_here`): other
#: requests for it answer 202 meanwhile, rather than each render the same PDF. Released when
#: the render is stored or fails; a renderer killed mid-render holds it this long at most.
#: About ten loaded renders (3.2 s p95, :data:`WORKER_WAIT_SECONDS`): a render still running
#: when it expires is only rendered twice, never lost.
RENDER_HERE_SECONDS = 30.0

#: The states of a render's mark in the queue's key-value store (:func:`_mark_of`): asked of the
#: worker; refused or failed by it; or superseded — the worker stored the PDF under another key
#: than the one asked (it keyed the records otherwise: they changed since the ask, or the two
#: processes read the clinic's settings at different moments), so a web process still keying
#: them as it did renders it itself at its next download rather than ask again and wait.
ASKED, REFUSED, FAILED, SUPERSEDED = "asked", "refused", "failed", "superseded"
_MARK = "pdf-render:"
_HERE = "pdf-render-here:"


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
    rolled back first, and its objects expire: a caller commits what it means to keep before).

    PostgreSQL: REPEATABLE READ, read only (the snapshot is taken at the first statement; a
    writer is never blocked by it). SQLite: an explicit ``BEGIN`` (the driver sends none before
    a SELECT, so each statement would read on its own): the first read takes the database's
    shared lock, and a writer's commit waits for the end (its busy timeout), which is why only
    the drawing of the HTML is inside, not WeasyPrint.

    Why the ``BEGIN`` is safe: after the first rollback the session holds no connection, and
    the one it checks out was reset (rolled back) by the pool when it was last returned, so
    the driver is in no transaction and the ``BEGIN`` starts this one. That holds for a
    file's pool and for the ``StaticPool`` of ``sqlite://`` (one connection shared by every
    session of the process) alike.

    Not safe: ``sqlite://`` (an in-memory database, ``StaticPool``; a test configuration, never
    production's, and single-threaded there) when another user of its one connection holds a
    transaction open at that moment (the driver's ``in_transaction``). Then no ``BEGIN`` is
    sent, rather than fail with "cannot start a transaction within a transaction": the reads
    run in that transaction and see its uncommitted rows, and the rollback at the end discards
    that user's uncommitted writes (as any session's rollback on a shared connection does).
    Concurrent requests on ``sqlite://`` are unsafe in general; use a file or PostgreSQL."""
    db.session.rollback()
    connection = db.session.connection(
        execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        if db.session.get_bind().dialect.name == "postgresql"
        else {}
    )
    if connection.dialect.name == "sqlite":
        driver = connection.connection.dbapi_connection
        if not getattr(driver, "in_transaction", False):
            connection.exec_driver_sql("BEGIN")
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


#: Set on ``flask.g`` by the first error reaching the queue in a request (:func:`_queue_failed`).
_QUEUE_FAILED = "pdf_queue_failed"


def worker_queue_usable() -> bool:
    """Whether a job worker can take renders: a real queue (not ``memory://``, which no other
    process sees), set up without a problem, and not failed already in this request: a Redis
    that hangs costs one read timeout (``worker.REDIS_READ_SECONDS``) per request, not one per
    step (the mark, the claim, clearing them), and the PDF is rendered here."""
    huey = current_app.extensions.get("huey")
    return (
        huey is not None
        and not isinstance(huey, MemoryHuey)
        and not current_app.extensions.get("huey_problem")
        and not (has_app_context() and g.get(_QUEUE_FAILED))
    )


def _queue_failed(what: str, exc: BaseException) -> None:
    """Log that the queue could not be reached for ``what``, and leave it alone for the rest of
    this request (:func:`worker_queue_usable`)."""
    log.warning("could not %s: %s", what, type(exc).__name__)
    if has_app_context():
        setattr(g, _QUEUE_FAILED, True)


def _now() -> float:
    """The wall clock (the marks are read by other processes, other machines)."""
    return time.time()


# The queue's key-value store, with a lifetime. huey's own ``put`` has none (on Redis a field
# of one hash), and its ``put_if_empty(ttl=…)`` needs Redis 7.4's hash-field TTLs, which cannot
# be assumed (the test machine's is 7.0). So on Redis each entry is a key of its own,
# ``huey.pdf.<queue>.<name>``, written with ``SET … EX`` (``NX`` to add): Redis drops it when
# its time is up. On the SQLite queue (one machine) the entry is huey's
# (``put_if_empty`` is an ``INSERT OR ABORT``) and its time is read from its value: one older
# than its lifetime is deleted when read. Both keep ``(state, since)``, huey's serializer.


def _redis(huey: Any) -> Any | None:
    storage = huey.storage
    return storage.conn if isinstance(storage, RedisStorage) else None


def _redis_name(huey: Any, name: str) -> str:
    return f"huey.pdf.{huey.name}.{name}"


def _read(name: str, lifetime: float) -> tuple[str, float] | None:
    """The entry ``name``, or None (none, or older than ``lifetime``: then deleted). Raises
    when the queue cannot be reached."""
    huey = current_app.extensions["huey"]
    conn = _redis(huey)
    if conn is not None:
        raw = conn.get(_redis_name(huey, name))
        found = None if raw is None else huey.serializer.deserialize(raw)
    else:
        found = huey.get(name, peek=True)
    if not (isinstance(found, tuple) and len(found) == 2):
        return None
    state, since = str(found[0]), float(found[1])
    if _now() - since >= lifetime:
        _delete_if_same(name, (state, since))
        return None
    return state, since


def _write(name: str, value: tuple[str, float], lifetime: float, *, only_new: bool) -> bool:
    """Store ``value`` (``(state, since)``) under ``name`` until ``since + lifetime``; with
    ``only_new``, only if there is none (atomic: False when there was). Raises when the queue
    cannot be reached."""
    huey = current_app.extensions["huey"]
    conn = _redis(huey)
    if conn is None:
        if only_new:
            return bool(huey.put_if_empty(name, value))
        huey.put(name, value)
        return True
    seconds = max(1, math.ceil(value[1] + lifetime - _now()))
    data = huey.serializer.serialize(value)
    return bool(conn.set(_redis_name(huey, name), data, ex=seconds, nx=only_new))


#: Redis: delete a key only if it still holds the value given (one step, in the server).
_DELETE_IF_SAME = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def _delete_if_same(name: str, value: tuple[str, float]) -> None:
    """Delete the entry ``name`` only if it is still ``value``, in one step: one written since
    by another request (an expired claim taken again, on the SQLite queue, between this
    request's read and its delete) stays. Redis: a compare-and-delete script; huey's SQLite
    storage: one ``DELETE … WHERE value = ?``; another storage (none configured): read,
    compare, delete. Raises when the queue cannot be reached."""
    huey = current_app.extensions["huey"]
    data = huey.serializer.serialize(value)
    conn = _redis(huey)
    if conn is not None:
        conn.eval(_DELETE_IF_SAME, 1, _redis_name(huey, name), data)
    elif isinstance(huey.storage, SqliteStorage):
        huey.storage.sql(
            "delete from kv where queue = ? and key = ? and value = ?",
            (huey.storage.name, name, data),
            commit=True,
        )
    elif huey.get(name, peek=True) == value:
        huey.delete(name)


def _lifetime(name: str) -> float | None:
    """How long the entry ``name`` lives, by its kind (a mark, a claim); None: not ours."""
    if name.startswith(_HERE):
        return RENDER_HERE_SECONDS
    if name.startswith(_MARK):
        return MARK_SECONDS
    return None


def forget_expired_entries() -> int:
    """Delete the SQLite queue's marks and claims past their lifetime (the worker's hourly
    ``pdf_entries`` task); how many were found expired. An entry there expires only when it is
    read again (``_read``, which deletes it only if it is still the expired value), and many
    never are: a superseded key nobody asks for, a claim whose renderer was stopped. So this
    reads each once. On Redis nothing is left to do (``SET … EX``: Redis drops them itself)."""
    huey = current_app.extensions["huey"]
    storage = huey.storage
    if not isinstance(storage, SqliteStorage):
        return 0
    names = storage.sql(
        "select key from kv where queue = ? and key like 'pdf-render%'",
        (storage.name,),
        results=True,
    )
    forgotten = 0
    for (name,) in names:
        lifetime = _lifetime(name)
        if lifetime is None:
            continue
        try:
            if _read(name, lifetime) is None:
                forgotten += 1
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
            # Not a value this code wrote: left, and the rest still read.
            log.warning("a PDF queue entry could not be read (%s): left", type(exc).__name__)
    return forgotten


def _delete(*names: str) -> None:
    huey = current_app.extensions["huey"]
    conn = _redis(huey)
    for name in names:
        if conn is not None:
            conn.delete(_redis_name(huey, name))
        else:
            huey.delete(name)


def _mark_of(key: str) -> tuple[str, float] | None:
    """The mark of the render of ``key``: ``(ASKED | REFUSED | FAILED, since)`` — ``since`` is
    when it was first asked —, or None (never asked, done, or asked more than
    :data:`MARK_SECONDS` ago). Raises when the queue cannot be reached."""
    return _read(_MARK + key, MARK_SECONDS)


def _set_mark(key: str, state: str) -> None:
    """Mark ``key``'s render refused, failed or superseded (the worker), keeping when it was
    first asked (the wait a download is promised runs from then). Not when ``key``'s PDF is
    stored (the web rendered it meanwhile and cleared the mark: one written now would only be
    clutter until it expires). Best effort: a mark that cannot be written leaves the download
    waiting at most :data:`WORKER_WAIT_SECONDS`."""
    try:
        if pdf_cache.is_stored(key):
            return
        mark = _mark_of(key)
        since = mark[1] if mark is not None else _now()
        _write(_MARK + key, (state, since), MARK_SECONDS, only_new=False)
    except Exception as exc:
        _queue_failed(f"mark a PDF render {state}", exc)


def _clear_marks(*keys: str | None) -> None:
    """Forget the marks of ``keys``' renders (done), best effort."""
    try:
        _delete(*(_MARK + key for key in {key for key in keys if key}))
    except Exception as exc:
        _queue_failed("clear a PDF render's mark", exc)


def _enqueue(target: PdfTarget, key: str) -> None:
    """Put the render task on the queue (raises when it cannot be reached)."""
    args = (target.submission_id, key, target.kind, target.course_id)
    current_app.extensions["pdf_tasks"]["render"](*args, pdf_cache.render_version(target.kind))


def ask_worker_to_render(
    target: PdfTarget, key: str, *, since: float | None = None, replace: bool = False
) -> bool:
    """Ask the worker for ``target``'s PDF of ``key`` (the key this web process waits for),
    unless it is being asked already: marked :data:`ASKED` (``since`` now, or when it was
    first asked: see :func:`prepare`), then enqueued. False when no worker can be asked (the
    queue is ``memory://`` or cannot be reached), so the caller renders it itself.

    ``replace``: the mark there (refused, failed) is overwritten in one write, never deleted
    first: a download reading it between a delete and the new mark found none and asked afresh,
    restarting the wait at now. (Two pages opened at that moment may both ask: the second task
    finds the PDF made.)"""
    if not worker_queue_usable():
        return False
    mark = (ASKED, _now() if since is None else since)
    try:
        if not _write(_MARK + key, mark, MARK_SECONDS, only_new=not replace):
            return True  # another request asked a moment ago
        try:
            _enqueue(target, key)
        except Exception:
            _delete(_MARK + key)
            raise
    except Exception as exc:
        _queue_failed("ask the worker to render a PDF", exc)
        return False
    return True


def _worker_has_it(target: PdfTarget, key: str) -> bool:
    """Whether the download waits for the worker (True: 202) or renders ``key`` itself: the
    worker is asked now if it was not; it is waited for while its first ask is younger than
    :data:`WORKER_WAIT_SECONDS` and it neither refused nor failed."""
    if not worker_queue_usable():
        return False
    try:
        mark = _mark_of(key)
    except Exception as exc:
        _queue_failed("reach the PDF worker's queue", exc)
        return False
    if mark is None:
        return ask_worker_to_render(target, key)
    state, since = mark
    if state == ASKED and _now() - since < WORKER_WAIT_SECONDS:
        return True
    why = f"not made after {WORKER_WAIT_SECONDS:.0f} s" if state == ASKED else state
    log.warning("a %s PDF asked of the worker was %s: rendered here", target.kind, why)
    return False


#: A web render's claim (:func:`_claim_here`): its entry's value, ``("here:<token>", since)``,
#: the token this request's own, so that only it lets the claim go.
Claim = tuple[str, float]


def _claim_here(key: str) -> Claim | bool | None:
    """Claim the web's own render of ``key`` (:data:`RENDER_HERE_SECONDS` at most): the claim
    when this request has it, False when another request renders it now (this one answers
    202), None when there is no queue to claim it in (``memory://``, unreachable: rendered
    unclaimed, as a request renders without a worker)."""
    if not worker_queue_usable():
        return None
    claim = (f"here:{secrets.token_hex(16)}", _now())
    try:
        # An older claim (a renderer killed mid-render, on the SQLite queue) is deleted by the
        # read, only as it was read (:func:`_delete_if_same`); on Redis it has expired.
        _read(_HERE + key, RENDER_HERE_SECONDS)
        return claim if _write(_HERE + key, claim, RENDER_HERE_SECONDS, only_new=True) else False
    except Exception as exc:
        _queue_failed("claim a PDF render", exc)
        return None


def _release_here(key: str, claim: Claim) -> None:
    """Let this request's ``claim`` go, not another's: a render that overran
    :data:`RENDER_HERE_SECONDS` finds the next claimant's there, and leaves it."""
    try:
        _delete_if_same(_HERE + key, claim)
    except Exception as exc:
        _queue_failed("release a PDF render's claim", exc)


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
    page read it before committing. Nothing here is kept (rolled back); a queue that cannot be
    reached is logged, and the page is shown all the same.

    A render the worker refused or failed is asked for again (another worker may run now; the
    mark overwritten in one write, :func:`ask_worker_to_render`),
    but as of its first ask: the page opened again never restarts a download's wait, which
    runs :data:`WORKER_WAIT_SECONDS` from the first ask (a download after it renders here at
    once, even if the worker has it queued again). One asked and not made in the wait is not
    asked again (its task is on the queue still, behind others or for a worker to come; a
    second would only lengthen that queue): the download renders it, or, once its mark has
    expired (:data:`MARK_SECONDS`), the page asks afresh. Nor one superseded (the worker keys
    these records otherwise: asked again, it would store that other key again): the download
    renders it at once."""
    if worker_queue_usable():
        key = key or KINDS[target.kind].key(subject)
        if not pdf_cache.is_stored(key):
            try:
                mark = _mark_of(key)
            except Exception as exc:
                _queue_failed("reach the PDF worker's queue", exc)
            else:
                if mark is None:
                    ask_worker_to_render(target, key)
                elif mark[0] in (REFUSED, FAILED):
                    ask_worker_to_render(target, key, since=mark[1], replace=True)
    db.session.rollback()


@dataclass(frozen=True)
class Ready:
    """A PDF to send: its bytes, and whether this request had to render them."""

    content: bytes
    rendered_here: bool


def fetch(target: PdfTarget, subject: Any) -> Ready | None:
    """The PDF of what ``subject`` shows now, stored; None when the worker has it to make, or
    another request is rendering it here this moment (this request's changes are rolled back:
    the caller answers "being prepared"). The caller commits what it changed before (a
    course's check-ins made by its page): they are rolled back here.

    Otherwise (:func:`_worker_has_it`) rendered here, once, from one snapshot (:func:`draw`;
    the request's changes are rolled back first and its objects read again on use), under a
    claim (:func:`_claim_here`), and stored (committed) before the claim is let go, so the
    request that finds the claim gone finds the PDF: with the claim, the store is looked in
    again (another request may have stored it and let its claim go since this one first
    looked), and what is there is sent. Should another request store the same version while
    this one renders (its claim expired), theirs is sent. The caller audits the download and
    commits."""
    key = KINDS[target.kind].key(subject)
    found = pdf_cache.stored(key)
    if found is not None:
        return Ready(found.content, rendered_here=False)
    if _worker_has_it(target, key):
        db.session.rollback()
        return None
    return _render_here(target, key)


def _render_here(target: PdfTarget, asked: str) -> Ready | None:
    claim = _claim_here(asked)
    if claim is False:
        db.session.rollback()
        return None
    try:
        if claim is not None:
            # Another request may have stored it between this one's look (:func:`fetch`) and
            # its claim (its own render done, its claim let go): sent, not rendered again.
            found = pdf_cache.stored(asked)
            if found is not None:
                return Ready(found.content, rendered_here=False)
        started = time.perf_counter()
        # Drawn even if another request stored this version since: one render at worst, in a
        # moment's race, rather than a second snapshot.
        drawing = draw(target, unless_stored=False)
        if drawing is None or drawing.html is None:
            abort(404)  # deleted since the view loaded it
        try:
            content = _render_and_keep(target, drawing.key, drawing.html, started)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            found = pdf_cache.stored(drawing.key)
            if found is None:
                raise
            content = found.content
    finally:
        if isinstance(claim, tuple):
            _release_here(asked, claim)
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
    older one's; the key asked is then marked superseded, not cleared, so a web process still
    keying it so renders it at its next download). A task with no version (web code from
    before versions were sent) is drawn and stored under its own key, as then."""
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
    if asked and drawing is not None and drawing.key != asked:
        # Not cleared: a web process that still keys the records as ``asked`` would find no
        # mark, ask again and answer 202 for ever (the worker storing another key each time).
        # Marked superseded, as of the first ask, its next download renders here at once.
        _set_mark(asked, SUPERSEDED)
        _clear_marks(drawing.key)
    else:
        _clear_marks(asked, drawing.key if drawing is not None else None)
    return outcome
