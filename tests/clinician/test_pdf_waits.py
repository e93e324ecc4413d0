"""What a PDF download waits for, and for how long (issue 13's stored PDFs, second review).

- A web process and a job worker on different code (a deploy under way) compute different keys
  for the same records. The worker must store what the web process waits for, or refuse, and
  the download must then give the PDF, never "being prepared" for ever.
- However the worker fails (dead, a lost task, a refusal, its queue unreachable), a download
  waits at most ``WORKER_WAIT_SECONDS`` (15 s, docs/operations.md) from the first ask, however
  often the pages linking to the PDF are opened meanwhile; the web process then renders the
  PDF itself, once (one request at a time: the others answer 202 until it is stored), and
  stores it.
- What the flow keeps in the queue's store (the marks of what was asked, a web render's claim)
  expires: an hour after the first ask, 30 s after the claim (docs/operations.md, "The PDFs,
  fourth pass").
- A PDF's key and its drawing come from one read of the database: a review committed between
  reading the key and drawing the page must not give a PDF stored under the older version's key
  that shows the review.

The worker's queue is a real huey queue (SQLite in the test's folder, and Redis where one is
reachable), its tasks run as ``flask worker`` runs them (tests/pdf_worker_queue.py).
"""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import sys
import threading
import time
from types import SimpleNamespace
from typing import Any

import pypdf
import pytest
import sqlalchemy as sa
from checkin_samples import open_course
from clinician_samples import rich_answers, store
from flask import Flask
from flask.testing import FlaskClient
from huey import Huey, RedisHuey, SqliteHuey
from pdf_worker_queue import (
    Clock,
    Summary,
    audited,
    marks,
    run_worker,
    stored_rows,
    unreachable_queue,
)
from redis_helpers import require_redis

from intake import pdf_jobs, worker
from intake.clinician import summary_pdf
from intake.extensions import db
from intake.models import ClinicianReview, RenderedPdf, Submission
from intake.services import pdf_cache, settings
from tests.factories import post

#: The wait the operations guide promises (docs/operations.md, "The PDFs, third pass").
WAIT_SECONDS = 15
#: How long a mark of what was asked lives, and a web render's claim holds
#: (docs/operations.md, "The PDFs, fourth pass").
MARK_LIFETIME = 3600
CLAIM_SECONDS = 30


def get_pdf(client: FlaskClient, submission_id: int) -> Any:
    return client.get(f"/clinician/submissions/{submission_id}.pdf")


def pdf_text(content: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def other_rules(monkeypatch: pytest.MonkeyPatch, which: str) -> None:
    """From now on this process keys as a worker not restarted after a deploy that changed only
    a rules file would: the screening ruleset's hash or the outcome rules' differs."""
    if which == "screening ruleset":
        monkeypatch.setattr(pdf_cache, "RULESET", SimpleNamespace(sha256="other-ruleset"))
    else:
        rules = SimpleNamespace(sha256="other-outcome-rules")
        monkeypatch.setattr(pdf_cache, "default_outcome_rules", lambda: rules)


def another_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on this process runs as a worker from another deploy would: every kind's
    layout hash differs from the one the web process had (a template changed)."""
    real = pdf_cache.layout_version
    monkeypatch.setattr(pdf_cache, "layout_version", lambda kind: "other-" + real(kind))


# --- the task names what the web process waits for -----------------------------------------------


def test_a_render_is_asked_for_with_the_key_waited_for_and_the_render_version(
    client: FlaskClient, login_as: Any, queue: SqliteHuey
) -> None:
    login_as("clinician")
    submission = store(rich_answers())
    assert client.get(f"/clinician/submissions/{submission.id}").status_code == 200
    task = queue.dequeue()
    assert task is not None
    assert task.args == (
        submission.id,
        pdf_cache.summary_key(submission),
        "summary",
        None,
        pdf_cache.render_version("summary"),
    )
    assert task.kwargs == {}


def test_the_render_version_follows_the_layout_and_the_key_recipe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = {kind: pdf_cache.render_version(kind) for kind in pdf_jobs.KINDS}
    assert len(set(before.values())) == 3  # one per kind
    another_layout(monkeypatch)
    assert all(pdf_cache.render_version(kind) != before[kind] for kind in before)
    monkeypatch.undo()
    monkeypatch.setattr(pdf_cache, "_recipe_version", lambda: "another recipe")
    assert all(pdf_cache.render_version(kind) != before[kind] for kind in before)
    # The rules the keys name: a deploy that changed only a rules file is other code too.
    monkeypatch.undo()
    other_rules(monkeypatch, "screening ruleset")
    assert all(pdf_cache.render_version(kind) != before[kind] for kind in before)
    monkeypatch.undo()
    other_rules(monkeypatch, "outcome rules")
    assert all(pdf_cache.render_version(kind) != before[kind] for kind in before)


def test_the_outcome_rules_are_loaded_when_the_process_starts() -> None:
    """Loaded on first use, a process started before a deploy replaced the outcome rules file
    and first keying a course report after it keyed the newer rules with the older process's
    render version. In a fresh interpreter: importing the key module has loaded them."""
    probe = (
        "import intake.services.pdf_cache\n"
        "from intake.rules import outcomes\n"
        "print(outcomes.default_outcome_rules.cache_info().currsize)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "1"


def test_a_task_in_the_older_arguments_is_still_answered(app: Flask, renders: list[int]) -> None:
    """Web code from before the render version was sent asks ``render_pdf(submission_id,
    key)``: this worker draws it and stores it under its own key, as that code's worker did."""
    submission = store(rich_answers())
    with app.test_request_context("/"):
        assert worker.render_pdf(submission.id, "an older web process's key") == "rendered"
        key = pdf_cache.summary_key(db.session.get_one(Submission, submission.id))
    assert [row.key for row in stored_rows()] == [key]
    assert len(renders) == 1


# --- a worker on other code ----------------------------------------------------------------------


def _page_and_pdf(kind: str, login_as: Any) -> tuple[str, str, str]:
    """A subject with a PDF of ``kind``: the page that asks for it, its download, its audit."""
    if kind == "course_report":
        course, _checkin = open_course(weeks_ago=1)
        login_as("clinician")
        page = f"/clinician/courses/{course.id}/report"
        return page, page + ".pdf", "course_report_pdf"
    submission = store(rich_answers())
    if kind == "prior_auth":
        login_as("front_desk")
        page = f"/staff/submissions/{submission.id}/prior-auth"
        return page, page + ".pdf", "prior_auth_pdf_downloaded"
    login_as("clinician")
    page = f"/clinician/submissions/{submission.id}"
    return page, page + ".pdf", "pdf_downloaded"


@pytest.mark.parametrize("kind", ["summary", "prior_auth", "course_report"])
def test_a_worker_on_another_layout_refuses_and_the_next_download_is_made_here(
    client: FlaskClient,
    login_as: Any,
    renders: list[int],
    queue: SqliteHuey,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    """Before: such a worker stored the PDF under the key its own layout gives, which this web
    process never looks for, and the download said "being prepared" for ever."""
    page, download, audit_action = _page_and_pdf(kind, login_as)
    assert client.get(page).status_code == 200
    assert client.get(download).status_code == 202
    with monkeypatch.context() as worker_side:
        another_layout(worker_side)
        assert run_worker(queue) == 1
    assert renders == [] and stored_rows() == []  # refused: nothing drawn, nothing stored
    # At once, not after the wait: the worker said it would not make it.
    ready = client.get(download)
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert len(renders) == 1
    [row] = stored_rows()
    assert row.kind == kind and row.content == ready.data
    assert len(audited(audit_action)) == 1
    # Stored under this web process's key: the next download is a file send.
    again = client.get(download)
    assert again.status_code == 200 and again.data == ready.data and len(renders) == 1
    assert queue.pending_count() == 0


def test_a_worker_on_the_same_code_stores_exactly_the_key_waited_for(
    summary: Summary, renders: list[int], queue: SqliteHuey
) -> None:
    summary.open()
    waited_for = summary.key()
    assert run_worker(queue) == 1
    assert [row.key for row in stored_rows()] == [waited_for]
    assert summary.download().status_code == 200 and len(renders) == 1


@pytest.mark.parametrize(
    ("kind", "which"),
    [("summary", "screening ruleset"), ("course_report", "outcome rules")],
)
def test_a_worker_on_other_rules_refuses_and_the_next_download_is_made_here(
    client: FlaskClient,
    login_as: Any,
    renders: list[int],
    queue: SqliteHuey,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    which: str,
) -> None:
    """Before: the render version named the layout files only, so a worker on other rules took
    the task, stored the PDF under its own key and cleared the mark of the one asked; the next
    download found no mark, asked again with a fresh start and said "being prepared" — for
    ever, pressed every 2 s for 40 s."""
    page, download, _audit = _page_and_pdf(kind, login_as)
    assert client.get(page).status_code == 200
    statuses = []
    for _press in range(20):
        with monkeypatch.context() as worker_side:
            other_rules(worker_side, which)
            run_worker(queue)
        clock.now += 2
        statuses.append(client.get(download).status_code)
    # The first press after the worker answered has it, made here; the rest are file sends.
    assert statuses == [200] * 20, statuses
    assert len(renders) == 1
    [row] = stored_rows()
    assert row.kind == kind


def test_a_worker_keying_the_records_otherwise_does_not_leave_the_download_waiting(
    summary: Summary,
    renders: list[int],
    queue: SqliteHuey,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same code, another key: the clinic's time zone was changed a moment ago, and this
    web process still has the older one for a few seconds (its cached clinic profile) while the
    worker read the new one. The worker stores its key; the key asked is marked superseded
    (before: cleared, so every press asked again and answered 202), and the next download
    renders this web process's PDF at once, without asking the worker again."""
    summary.open()
    asked = summary.key()
    with monkeypatch.context() as worker_side:
        real = settings.clinic_profile
        worker_side.setattr(
            settings,
            "clinic_profile",
            lambda: dataclasses.replace(real(), time_zone="Pacific/Auckland"),
        )
        assert run_worker(queue) == 1
    [theirs] = stored_rows()
    assert theirs.key != asked and len(renders) == 1
    assert list(marks(queue)) == [f"pdf-render:{asked}"]  # kept, not cleared
    clock.now += 2  # well within the wait
    summary.open()  # the page opened again does not ask again either
    assert queue.pending_count() == 0
    ready = summary.download()
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF")
    assert len(renders) == 2
    assert audited("pdf_downloaded")[-1]["rendered_here"] is True
    assert [row.key for row in stored_rows()] == [asked]
    assert marks(queue) == {}


# --- the bounded wait ----------------------------------------------------------------------------


@pytest.mark.parametrize("first_ask", ["page", "download"])
def test_a_worker_that_never_answers_is_waited_for_15_seconds_then_the_pdf_is_made_here(
    summary: Summary, renders: list[int], queue: SqliteHuey, clock: Clock, first_ask: str
) -> None:
    if first_ask == "page":
        summary.open()
    else:
        assert summary.download().status_code == 202
    asked_at = clock.now
    for later in (2, 8, WAIT_SECONDS - 0.5):
        clock.now = asked_at + later
        waiting = summary.download()
        assert waiting.status_code == 202, later
        # The page opened again within the wait asks nothing more either.
        summary.open()
    assert renders == [] and queue.pending_count() == 1  # asked once, however often pressed
    clock.now = asked_at + WAIT_SECONDS
    ready = summary.download()
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF")
    assert len(renders) == 1
    assert audited("pdf_downloaded")[-1]["rendered_here"] is True
    # Once: the next download is the stored file, and the worker, should it run at last,
    # finds it made.
    assert summary.download().data == ready.data
    assert run_worker(queue) == 1
    assert len(renders) == 1 and len(stored_rows()) == 1


@pytest.mark.parametrize("worker_answer", ["none", "refused"])
def test_the_page_opened_again_after_the_wait_does_not_start_it_again(
    summary: Summary,
    renders: list[int],
    queue: SqliteHuey,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    worker_answer: str,
) -> None:
    """Before: opening the summary again after the wait cleared the overdue (or refused) ask
    and asked afresh, so every visit to the page restarted the 15 s, and the download after it
    said "being prepared" again. The wait runs from the first ask: an overdue ask is left on
    the queue (not asked twice), a refused one is asked again, and either way the download
    after the wait is made here at once."""
    summary.open()
    assert summary.download().status_code == 202
    if worker_answer == "refused":
        with monkeypatch.context() as worker_side:
            another_layout(worker_side)
            assert run_worker(queue) == 1
    clock.now += WAIT_SECONDS + 1
    summary.open()
    # The refused render is asked again (the worker may be on this code now); the overdue one
    # is still queued, and not asked twice.
    assert queue.pending_count() == 1
    ready = summary.download()
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF")
    assert len(renders) == 1
    assert audited("pdf_downloaded") == [{"bytes": len(ready.data), "rendered_here": True}]


def test_a_worker_that_fails_the_render_is_not_waited_for(
    summary: Summary, queue: SqliteHuey, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert summary.download().status_code == 202
    with monkeypatch.context() as broken:

        def fails(html: str) -> bytes:
            raise RuntimeError("the renderer crashed")

        broken.setattr(summary_pdf, "pdf", fails)
        run_worker(queue)  # huey logs the task's error
    assert stored_rows() == []
    ready = summary.download()  # at once: no wait
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF")


def test_a_stale_refusal_is_asked_again_when_the_page_is_opened(
    summary: Summary,
    renders: list[int],
    queue: SqliteHuey,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refusal during the deploy does not outlive it: opening the page asks the worker
    (restarted on the new code meanwhile) again, and it makes the PDF."""
    summary.open()
    with monkeypatch.context() as worker_side:
        another_layout(worker_side)
        run_worker(queue)
    summary.open()
    assert run_worker(queue) == 1
    assert len(renders) == 1
    ready = summary.download()
    assert ready.status_code == 200 and len(renders) == 1
    assert audited("pdf_downloaded")[-1]["rendered_here"] is False


def test_a_refusal_asked_again_is_never_seen_unmarked(
    summary: Summary, queue: SqliteHuey, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asking a refused render again overwrites its mark in one write. Before, the mark was
    deleted and then added again: a download reading between the two found none, asked with a
    start of now and so waited 15 s afresh. Here every write of the mark is preceded by what
    a download reading at that moment would find."""
    summary.open()
    key = summary.key()
    with monkeypatch.context() as worker_side:
        another_layout(worker_side)
        assert run_worker(queue) == 1
    first_asked = clock.now
    clock.now += 5
    seen: list[Any] = []
    real_write = pdf_jobs._write

    def write_seen(name: str, value: Any, lifetime: float, *, only_new: bool) -> bool:
        seen.append(pdf_jobs._mark_of(key))
        return real_write(name, value, lifetime, only_new=only_new)

    monkeypatch.setattr(pdf_jobs, "_write", write_seen)
    summary.open()  # asks the refused render again
    assert seen == [("refused", first_asked)]
    assert pdf_jobs._mark_of(key) == ("asked", first_asked)  # the wait still from the first ask
    assert queue.pending_count() == 1


def test_a_worker_failing_after_the_web_stored_the_pdf_leaves_no_mark(
    summary: Summary, queue: SqliteHuey, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker drew the PDF, and while WeasyPrint ran the web rendered and stored it and
    cleared the mark; the worker then fails. Before, it wrote a failed mark again (clutter for
    an hour); the PDF stored, it writes none."""
    summary.open()
    key = summary.key()

    def web_stores_it_then_the_worker_fails(html: str) -> bytes:
        with db.engine.begin() as web:
            web.execute(
                sa.insert(RenderedPdf).values(
                    submission_id=summary.id,
                    kind="summary",
                    key=key,
                    content=b"%PDF-1.7",
                    render_ms=1,
                )
            )
        pdf_jobs._clear_marks(key)
        raise RuntimeError("the renderer crashed")

    monkeypatch.setattr(summary_pdf, "pdf", web_stores_it_then_the_worker_fails)
    run_worker(queue)  # huey logs the task's error
    # (huey keeps the failed task's error there too)
    assert [name for name in marks(queue) if name.startswith("pdf-render")] == []


# --- one render here at a time -------------------------------------------------------------------


def test_downloads_pressed_together_after_the_wait_render_the_pdf_once(
    app: Flask,
    summary: Summary,
    login_as: Any,
    renders: list[int],
    redis_queue: RedisHuey,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two clinicians press "Download" while the web renders the PDF (the worker never came):
    a real thread's request renders it, held in WeasyPrint until the other request has been
    answered; the other gets 202 and then the stored file. Before: each request rendered the
    same PDF (a web worker busy for a second each)."""
    summary.open()
    clock.now += WAIT_SECONDS
    colleague = app.test_client()
    login_as("clinician", on=colleague)
    real_pdf = summary_pdf.pdf
    rendering, answered = threading.Event(), threading.Event()

    def held_render(html: str) -> bytes:
        if not rendering.is_set():  # the first render only
            rendering.set()
            assert answered.wait(timeout=30), "the other request was not answered"
        return real_pdf(html)

    monkeypatch.setattr(summary_pdf, "pdf", held_render)
    first: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: first.update(response=summary.download()))
    thread.start()
    try:
        assert rendering.wait(timeout=30)
        second = summary.download(colleague)
        assert second.status_code == 202  # briefly: press again
        assert renders == []
        # The claim, in Redis, for 30 s at most.
        claims = {n: ttl for n, ttl in marks(redis_queue).items() if "here" in n}
        assert list(claims) == [f"pdf-render-here:{summary.key()}"]
        assert all(0 < (ttl or 0) <= CLAIM_SECONDS for ttl in claims.values())
    finally:
        answered.set()
        thread.join(timeout=60)
    ready = first["response"]
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF")
    assert len(renders) == 1
    again = summary.download(colleague)
    assert again.status_code == 200 and again.data == ready.data and len(renders) == 1
    assert marks(redis_queue) == {}  # the claim and the mark cleared


def test_a_render_here_that_fails_or_dies_holds_the_claim_no_longer_than_its_time(
    summary: Summary,
    renders: list[int],
    any_queue: Huey,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    huey = any_queue
    summary.open()
    clock.now += WAIT_SECONDS
    with monkeypatch.context() as broken:

        def fails(html: str) -> bytes:
            raise RuntimeError("the renderer crashed")

        broken.setattr(summary_pdf, "pdf", fails)
        assert summary.download().status_code == 500  # logged, the error page
    key = summary.key()
    assert f"pdf-render-here:{key}" not in marks(huey)  # a failed render lets it go
    # A web process killed mid-render leaves its claim: 202 until it is 30 s old.
    assert pdf_jobs._claim_here(key)
    clock.now += CLAIM_SECONDS - 1
    assert summary.download().status_code == 202
    clock.now += 1
    ready = summary.download()
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF") and len(renders) == 1
    assert marks(huey) == {}


def test_a_claim_is_let_go_only_by_the_request_that_holds_it(
    summary: Summary, any_queue: Huey, clock: Clock
) -> None:
    """A render that overran its claim's 30 s, finishing while another request holds a claim of
    its own, must leave that one: before, the claim had no owner and it deleted whatever was
    there, and a third request rendered the same PDF alongside."""
    huey = any_queue
    key = summary.key()
    name = f"pdf-render-here:{key}"
    overran = pdf_jobs._claim_here(key)
    assert isinstance(overran, tuple)
    if isinstance(huey, RedisHuey):  # Redis drops it at its time (real seconds): as if it had
        huey.storage.conn.delete(f"huey.pdf.{huey.name}.{name}")
    clock.now += CLAIM_SECONDS
    nxt = pdf_jobs._claim_here(key)
    assert isinstance(nxt, tuple)
    assert pdf_jobs._claim_here(key) is False  # held
    pdf_jobs._release_here(key, overran)
    assert name in marks(huey)  # the next claimant's is still there
    assert pdf_jobs._claim_here(key) is False
    pdf_jobs._release_here(key, nxt)
    assert name not in marks(huey)


def test_a_pdf_stored_while_this_request_took_the_claim_is_sent_not_rendered_again(
    summary: Summary, renders: list[int], queue: SqliteHuey, clock: Clock, monkeypatch: Any
) -> None:
    """Another request stores the PDF and lets its claim go between this request's look in the
    store and its claim: the stored PDF is sent (before: rendered a second time)."""
    summary.open()
    clock.now += WAIT_SECONDS
    key = summary.key()
    real_claim = pdf_jobs._claim_here
    theirs = b"%PDF-1.7 stored by the other request"

    def claim_after_another_stored(asked: str) -> Any:
        with db.engine.begin() as other:  # the other request's own transaction, committed
            other.execute(
                sa.insert(RenderedPdf).values(
                    submission_id=summary.id,
                    kind="summary",
                    key=asked,
                    content=theirs,
                    render_ms=1,
                )
            )
        return real_claim(asked)

    monkeypatch.setattr(pdf_jobs, "_claim_here", claim_after_another_stored)
    sent = summary.download()
    assert sent.status_code == 200 and sent.data == theirs
    assert renders == []
    assert [row.key for row in stored_rows()] == [key]
    assert audited("pdf_downloaded")[-1]["rendered_here"] is False


def test_a_hanging_redis_costs_a_download_one_timeout_and_the_pdf_is_made_here(
    app: Flask,
    summary: Summary,
    renders: list[int],
    silent_redis: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Redis that accepts and never answers: each step of the flow (the mark, the claim,
    clearing them) waited its own read timeout, three per download. Now the first failure in a
    request leaves the queue alone for the rest of it: one timeout, then the PDF, rendered
    here. (The timeouts here are 1 s, the app's queue built as ``worker.make_huey`` builds it.)"""
    from redis import ConnectionPool

    timeout = 1.0
    pool = ConnectionPool.from_url(
        silent_redis, socket_connect_timeout=timeout, socket_timeout=timeout
    )
    huey = RedisHuey("pdf-silent", connection_pool=pool)
    monkeypatch.setitem(app.extensions, "huey", huey)
    monkeypatch.setitem(app.extensions, "pdf_tasks", {"render": worker.pdf_task(app, huey)})
    real_pdf = summary_pdf.pdf
    rendering: list[float] = []

    def timed(html: str) -> bytes:
        started = time.monotonic()
        try:
            return real_pdf(html)
        finally:
            rendering.append(time.monotonic() - started)

    monkeypatch.setattr(summary_pdf, "pdf", timed)
    started = time.monotonic()
    response = summary.download()
    waited = time.monotonic() - started - sum(rendering)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert len(renders) == 1
    assert audited("pdf_downloaded")[-1]["rendered_here"] is True
    # One timeout and the request's own work (a margin for a loaded machine), never three.
    assert timeout - 0.2 <= waited < 2 * timeout + 0.5, waited


# --- what is kept in the queue's store expires ---------------------------------------------------


def test_a_mark_lives_an_hour_from_the_first_ask(
    summary: Summary, any_queue: Huey, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A render asked and never made (a lost task, nobody downloading) left its mark for ever.
    Now it goes an hour after the first ask (Redis drops it; on SQLite it is deleted when
    read), even when the worker refused it meanwhile; the page opened after that asks again."""
    huey = any_queue
    summary.open()
    mark = f"pdf-render:{summary.key()}"
    left = marks(huey)
    assert list(left) == [mark]
    if isinstance(huey, RedisHuey):
        assert MARK_LIFETIME - 5 < (left[mark] or 0) <= MARK_LIFETIME
    clock.now += MARK_LIFETIME / 2
    with monkeypatch.context() as worker_side:
        another_layout(worker_side)
        assert run_worker(huey) == 1  # refused: marked so, as of the first ask
    left = marks(huey)
    assert list(left) == [mark]
    if isinstance(huey, RedisHuey):  # half its time left, not an hour again
        assert MARK_LIFETIME / 2 - 5 < (left[mark] or 0) <= MARK_LIFETIME / 2
    clock.now += MARK_LIFETIME / 2
    summary.open()  # the refusal has expired: asked afresh, now
    assert huey.pending_count() == 1
    assert summary.download().status_code == 202  # a new wait, from this ask
    assert stored_rows() == []


# --- the queue (Redis) down ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["summary", "prior_auth", "course_report"])
def test_redis_down_at_the_ask_the_pages_open_and_the_pdf_is_made_here(
    app: Flask,
    client: FlaskClient,
    login_as: Any,
    renders: list[int],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    unreachable_queue(app, monkeypatch)
    page, download, audit_action = _page_and_pdf(kind, login_as)
    assert client.get(page).status_code == 200
    response = client.get(download)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert len(renders) == 1
    [row] = stored_rows()
    assert row.kind == kind and row.content == response.data
    assert len(audited(audit_action)) == 1
    if kind == "summary":
        assert audited(audit_action)[-1]["rendered_here"] is True


def test_redis_down_while_the_pdf_is_waited_for_gives_the_pdf_at_the_next_press(
    summary: Summary, renders: list[int], queue: SqliteHuey, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert summary.download().status_code == 202
    unreachable_queue(
        summary.client.application, monkeypatch
    )  # the queue goes down with the ask on it
    response = summary.download()
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert len(renders) == 1


def test_on_redis_a_refusal_reaches_the_web_process_and_marks_are_cleared(
    summary: Summary,
    renders: list[int],
    redis_queue: RedisHuey,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary.open()
    assert summary.download().status_code == 202
    assert list(marks(redis_queue)) == [f"pdf-render:{summary.key()}"]  # the ask's
    with monkeypatch.context() as worker_side:
        another_layout(worker_side)
        assert run_worker(redis_queue) == 1
    ready = summary.download()
    assert ready.status_code == 200 and len(renders) == 1
    assert marks(redis_queue) == {}  # nothing left behind
    # A render the worker does clears its mark too.
    reviewed = post(
        summary.client,
        f"/clinician/submissions/{summary.id}/review",
        {"decision": "agree", "note": "Seen in clinic today."},
    )
    assert reviewed.status_code == 302
    summary.open()
    assert len(marks(redis_queue)) == 1
    assert run_worker(redis_queue) == 1
    assert marks(redis_queue) == {}
    assert summary.download().status_code == 200 and len(renders) == 2


def test_the_redis_tests_skip_cleanly_on_a_redis_that_never_answers(
    silent_redis: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``require_redis`` (every Redis test's check, these included) on a Redis that accepts and
    never answers: before, the PING waited for ever (no read timeout), and a timeout was not
    among the errors it skips on. Now: skipped (failed under CI) within a couple of seconds."""
    monkeypatch.delenv("CI", raising=False)
    outcome: list[BaseException] = []

    def check() -> None:
        try:
            require_redis(silent_redis)
        except BaseException as exc:  # pytest's Skipped is not an Exception
            outcome.append(exc)

    attempt = threading.Thread(target=check, daemon=True)
    attempt.start()
    attempt.join(timeout=5)
    assert not attempt.is_alive(), "require_redis hung on a silent Redis"
    assert len(outcome) == 1 and isinstance(outcome[0], pytest.skip.Exception), outcome
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception):
        require_redis(silent_redis)


# --- what the waiting page says ------------------------------------------------------------------


def test_the_waiting_page_says_what_to_do_without_javascript(
    client: FlaskClient, login_as: Any, queue: SqliteHuey
) -> None:
    login_as("clinician")
    answers = rich_answers()
    submission = store(answers)
    waiting = get_pdf(client, submission.id)
    assert waiting.status_code == 202 and waiting.headers["Retry-After"] == "2"
    page = waiting.get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Press “Download the PDF” again in a few seconds" in text
    assert f"still not ready {WAIT_SECONDS} seconds after your first press" in text
    assert f'href="/clinician/submissions/{submission.id}.pdf"' in page
    assert f'href="/clinician/submissions/{submission.id}"' in page  # the way back
    assert 'http-equiv="refresh"' not in page.lower()  # no reload behind the reader's back
    assert submission.reference in page
    assert answers["patient"]["last_name"] not in page  # no patient name


# --- one snapshot for the key and the drawing ----------------------------------------------------

NOTE = "Reviewed while the PDF was drawn 7731."


@pytest.mark.parametrize("who", ["worker", "web"])
def test_a_review_committed_between_the_key_and_the_drawing_is_not_on_the_older_keys_pdf(
    app: Flask,
    client: FlaskClient,
    login_as: Any,
    renders: list[int],
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    is_postgres: bool,
    who: str,
) -> None:
    """Another clinician's review is committed (a real request, on its own connection) after
    the render read the PDF's key and before it draws the page. The stored PDF must show what
    its key names: the older version without the review (one snapshot); before, it was stored
    under the older key showing the review. PostgreSQL lets the review commit at once (the
    render reads its snapshot); SQLite makes it wait for the render's read to end."""
    from pdf_worker_queue import worker_queue

    queue = worker_queue(app, tmp_path, monkeypatch) if who == "worker" else None
    login_as("clinician")
    reviewer = app.test_client()
    login_as("clinician", on=reviewer)
    submission = store(rich_answers())
    sid = submission.id
    before = pdf_cache.summary_key(submission)
    outcome: dict[str, Any] = {}

    def review() -> None:
        response = post(
            reviewer, f"/clinician/submissions/{sid}/review", {"decision": "agree", "note": NOTE}
        )
        outcome["status"] = response.status_code

    real_html = summary_pdf.html
    drawn: list[str] = []
    reviewing: list[threading.Thread] = []
    waited: list[bool] = []

    def html_after_a_review(subject: Submission) -> str:
        if not reviewing:  # the first drawing only
            thread = threading.Thread(target=review)
            reviewing.append(thread)
            thread.start()
            # PostgreSQL: committed before the drawing reads on. SQLite: blocked by the
            # render's read transaction (it commits as soon as that ends).
            thread.join(timeout=None if is_postgres else 1.5)
            waited.append(thread.is_alive())
        drawn.append(real_html(subject))
        return drawn[-1]

    monkeypatch.setattr(summary_pdf, "html", html_after_a_review)
    if queue is not None:
        assert get_pdf(client, sid).status_code == 202
        assert run_worker(queue) == 1
    else:
        assert get_pdf(client, sid).status_code == 200
    reviewing[0].join()
    assert outcome["status"] == 302
    assert NOTE not in drawn[0]
    [row] = stored_rows()
    assert row.key == before and NOTE not in pdf_text(row.content)
    assert waited == [not is_postgres]  # SQLite: the review's commit waited for the read
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClinicianReview)) == 1
    after = pdf_cache.summary_key(db.session.get_one(Submission, sid))
    assert after != before
    # The reviewed version is a new key, and its PDF shows the review (the test can fail).
    monkeypatch.setattr(summary_pdf, "html", real_html)
    if queue is not None:
        assert get_pdf(client, sid).status_code == 202
        run_worker(queue)
    newer = get_pdf(client, sid)
    assert newer.status_code == 200 and NOTE in pdf_text(newer.data)
    assert [row.key for row in stored_rows()] == [after]


def test_the_render_reads_in_one_snapshot_on_postgresql(
    app: Flask, is_postgres: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The statement-level view of the same: the render's reads are one REPEATABLE READ,
    read-only transaction on PostgreSQL, one explicit read transaction on SQLite."""
    target = pdf_cache.PdfTarget("summary", store(rich_answers()).id)
    began: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        began.append(" ".join(statement.split()))

    levels: list[str] = []
    real_key = pdf_cache.summary_key

    def key_and_level(subject: Submission) -> str:
        row = db.session.execute(
            sa.text("SHOW transaction_isolation") if is_postgres else sa.text("SELECT 1")
        ).scalar()
        levels.append(str(row))
        return real_key(subject)

    real = pdf_jobs.KINDS["summary"]
    monkeypatch.setitem(
        pdf_jobs.KINDS, "summary", pdf_jobs.Kind(real.load, key_and_level, real.drawing)
    )
    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with app.test_request_context("/"):
            drawing = pdf_jobs.draw(target)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert drawing is not None and drawing.html is not None
    if is_postgres:
        assert levels == ["repeatable read"]
    else:
        # (a ``SELECT 1`` may come first: the pool's ping of the connection it hands out)
        reads = [i for i, sent in enumerate(began) if " FROM " in sent]
        assert began.index("BEGIN") < reads[0], began
        assert began.count("BEGIN") == 1


def test_the_sqlite_snapshot_holds_on_a_static_pools_one_connection() -> None:
    """``sqlite://`` (an in-memory database: one ``StaticPool`` connection for every session of
    the process, as development and some tests run it). The snapshot begins its own read
    transaction on the connection as the pool hands it out, and reads inside one another
    user holds open on that connection rather than fail ("cannot start a transaction within
    a transaction", as the unconditional ``BEGIN`` did). That case is not isolated (it reads the
    other user's transaction and its rollback ends it: ``one_snapshot``'s docstring): a test
    configuration's only, never concurrent there."""
    from sqlalchemy.pool import StaticPool

    from config import TestingConfig
    from intake import create_app

    app = create_app(
        type("MemoryConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    )
    with app.app_context():
        assert isinstance(db.engine.pool, StaticPool)
        sent: list[str] = []

        def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            sent.append(statement.strip())

        sa.event.listen(db.engine, "before_cursor_execute", seen)
        try:
            with pdf_jobs.one_snapshot():
                assert db.session.execute(sa.text("SELECT 1")).scalar() == 1
            assert sent[sent.index("BEGIN") + 1] == "SELECT 1"  # its own transaction
            sent.clear()
            with db.engine.connect() as other:  # the same connection: the pool's only one
                other.exec_driver_sql("BEGIN")
                other.exec_driver_sql("SELECT 2")
                with pdf_jobs.one_snapshot():
                    assert db.session.execute(sa.text("SELECT 3")).scalar() == 3
            assert sent == ["BEGIN", "SELECT 2", "SELECT 3"]
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", seen)
        db.session.remove()
        db.engine.dispose()
