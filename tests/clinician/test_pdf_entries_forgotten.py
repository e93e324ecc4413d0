"""The SQLite queue's PDF marks and claims are forgotten once past their lifetime, even when
nobody reads them again.

There, an entry expires only when it is read (Redis drops its own: ``SET … EX``), and some
never are: the mark of a key that changed since (a superseded summary), a claim left by a
renderer that was stopped. The worker's hourly ``pdf_entries`` task deletes them (found by a
review: a mark was still in huey's table a month on).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask, has_app_context
from huey import SqliteHuey
from pdf_worker_queue import Clock, Summary, marks

from intake import pdf_jobs

OTHER_KEY = "f" * 64


def test_the_hourly_task_forgets_what_nobody_reads_again(
    app: Flask, summary: Summary, queue: SqliteHuey, clock: Clock
) -> None:
    summary.open()  # the page asks the worker: a mark for the summary's key (no worker runs)
    left = set(marks(queue))
    assert any(name.startswith("pdf-render:") for name in left), left
    queue.put("not-a-pdf-entry", 1)  # huey's own store holds other things too
    clock.now += pdf_jobs.MARK_SECONDS + 1  # an hour and more: nobody opened the page again
    with app.test_request_context("/"):
        # Written just now: a mark and a claim of other keys, still in their lifetime.
        pdf_jobs._write(
            "pdf-render:" + OTHER_KEY,
            (pdf_jobs.ASKED, clock.now),
            pdf_jobs.MARK_SECONDS,
            only_new=True,
        )
        pdf_jobs._write(
            "pdf-render-here:" + OTHER_KEY,
            ("token", clock.now - 5),
            pdf_jobs.RENDER_HERE_SECONDS,
            only_new=True,
        )
        assert pdf_jobs.forget_expired_entries() == len(left)
    assert set(marks(queue)) == {
        "not-a-pdf-entry",
        "pdf-render:" + OTHER_KEY,
        "pdf-render-here:" + OTHER_KEY,
    }
    clock.now += pdf_jobs.RENDER_HERE_SECONDS  # the claim's time is up, the mark's is not
    with app.test_request_context("/"):
        assert pdf_jobs.forget_expired_entries() == 1
    assert set(marks(queue)) == {"not-a-pdf-entry", "pdf-render:" + OTHER_KEY}


def test_the_worker_runs_it_every_hour(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's queue (``worker.init_app``) has the task, at minute 17 of every hour, and
    running it is running ``forget_expired_entries`` in the app."""
    huey = app.extensions["huey"]
    [task] = [t for t in huey._registry._periodic_tasks if t.__name__ == "pdf_entries"]
    assert all(task().validate_datetime(datetime(2026, 12, 7, hour, 17)) for hour in range(24))
    assert not task().validate_datetime(datetime(2026, 12, 7, 9, 18))
    ran: list[bool] = []
    monkeypatch.setattr(
        pdf_jobs, "forget_expired_entries", lambda: ran.append(has_app_context()) or 0
    )
    huey.execute(task())
    assert ran == [True]
