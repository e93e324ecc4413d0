"""What the PDF-worker tests share (issue 13): a counted renderer, a real queue, the worker.

The renderer is wrapped to count its calls (it still renders), so "rendered by whom" is
observed, not assumed. The worker's queue is a real huey queue on SQLite in the test's folder,
its tasks run as ``flask worker`` would run them (:func:`run_worker`), or the production queue
on Redis (:func:`redis_worker_queue`). The fixtures that use them, ``renders`` and ``queue``,
are in tests/conftest.py, for every PDF kind's tests; ``clock`` and ``redis_queue`` in
tests/clinician/conftest.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from huey import Huey, RedisHuey, SqliteHuey
from redis_helpers import REDIS_URL, require_redis

from intake import worker
from intake.extensions import db
from intake.models import AuditEvent, RenderedPdf, Submission
from intake.services import pdf as pdf_service
from intake.services import pdf_cache


def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every call of the HTML-to-PDF renderer from now on, counted (it still renders)."""
    calls: list[int] = []
    real = pdf_service.html_to_pdf

    def counted(html: str, **kwargs: Any) -> bytes:
        calls.append(1)
        return real(html, **kwargs)

    monkeypatch.setattr(pdf_service, "html_to_pdf", counted)
    return calls


def worker_queue(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteHuey:
    """A real huey queue (SQLite) with the app's render task on it, as ``flask worker`` has."""
    huey = SqliteHuey("pdf-test", filename=str(tmp_path / "queue.sqlite3"))
    monkeypatch.setitem(app.extensions, "huey", huey)
    monkeypatch.setitem(app.extensions, "pdf_tasks", {"render": worker.pdf_task(app, huey)})
    return huey


def redis_worker_queue(app: Flask, monkeypatch: pytest.MonkeyPatch) -> RedisHuey:
    """The production queue: Redis (a queue name of this test's own), with the render task;
    skipped where no Redis answers (failed on CI). The caller flushes it afterwards."""
    require_redis()
    huey = RedisHuey(f"pdf-test-{uuid.uuid4().hex}", url=REDIS_URL)
    monkeypatch.setitem(app.extensions, "huey", huey)
    monkeypatch.setitem(app.extensions, "pdf_tasks", {"render": worker.pdf_task(app, huey)})
    return huey


def forget_redis_queue(huey: RedisHuey) -> None:
    """Delete everything ``huey`` left in Redis: its queue, its store, the PDF marks' keys."""
    huey.flush()
    for name in huey.storage.conn.scan_iter(match=f"huey.pdf.{huey.name}.*"):
        huey.storage.conn.delete(name)


def marks(huey: Huey) -> dict[str, float | None]:
    """What the PDF flow keeps in ``huey``'s store, read from the store itself: each entry's
    name (``pdf-render:<key>``, ``pdf-render-here:<key>``) and, on Redis, the seconds it has
    left (None on SQLite, which keeps no time)."""
    if isinstance(huey, RedisHuey):
        conn = huey.storage.conn
        prefix = f"huey.pdf.{huey.name}."
        assert huey.storage.result_store_size() == 0  # nothing in huey's own hash
        return {
            name.decode()[len(prefix) :]: float(conn.ttl(name))
            for name in conn.scan_iter(match=prefix + "*")
        }
    return dict.fromkeys(huey.storage.result_items())


@dataclass(frozen=True)
class Summary:
    """A stored, evaluated submission's summary, a clinician signed in on ``client``: the page
    that links to the PDF (opening it asks the worker), the download, the PDF's key now."""

    client: FlaskClient
    id: int

    def open(self) -> None:
        assert self.client.get(f"/clinician/submissions/{self.id}").status_code == 200

    def download(self, client: FlaskClient | None = None) -> Any:
        return (client or self.client).get(f"/clinician/submissions/{self.id}.pdf")

    def key(self) -> str:
        db.session.expire_all()
        return pdf_cache.summary_key(db.session.get_one(Submission, self.id))


class Clock:
    """The wall clock ``pdf_jobs`` reads, set by the test."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def unreachable_queue(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Redis queue nothing listens on (port 1): every enqueue fails at once."""
    huey = RedisHuey("pdf-unreachable", url="redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.extensions, "huey", huey)
    monkeypatch.setitem(app.extensions, "pdf_tasks", {"render": worker.pdf_task(app, huey)})


def run_worker(huey: Huey) -> int:
    """Run every queued task, as the consumer would; how many ran."""
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def keys_follow(table: list[tuple[str, Callable[[], None], bool]], key: Callable[[], str]) -> None:
    """Make each change of ``table`` (what it is, the change, whether it alters what the PDF
    prints) in turn: the PDF's ``key()`` after it is new exactly when the table says so, and
    never one it had before."""
    keys = [key()]
    for what, change, new in table:
        change()
        now = key()
        assert (now != keys[-1]) is new, what
        if new:
            keys.append(now)
    assert len(set(keys)) == len(keys)


def audited(action: str) -> list[dict[str, Any]]:
    """The details of every audit event ``action``, oldest first."""
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    )
    return [row.detail for row in rows]


def stored_rows() -> list[RenderedPdf]:
    """Every stored PDF, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(sa.select(RenderedPdf).order_by(RenderedPdf.id)))
