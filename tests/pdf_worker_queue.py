"""What the PDF-worker tests share (issue 13): a counted renderer, a real queue, the worker.

The renderer is wrapped to count its calls (it still renders), so "rendered by whom" is
observed, not assumed. The worker's queue is a real huey queue on SQLite in the test's folder,
its tasks run as ``flask worker`` would run them (:func:`run_worker`). The fixtures that use
them, ``renders`` and ``queue``, are in tests/conftest.py, for every PDF kind's tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from huey import RedisHuey, SqliteHuey

from intake import worker
from intake.extensions import db
from intake.models import AuditEvent, RenderedPdf
from intake.services import pdf as pdf_service


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


def unreachable_queue(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Redis queue nothing listens on (port 1): every enqueue fails at once."""
    huey = RedisHuey("pdf-unreachable", url="redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.extensions, "huey", huey)
    monkeypatch.setitem(app.extensions, "pdf_tasks", {"render": worker.pdf_task(app, huey)})


def run_worker(huey: SqliteHuey) -> int:
    """Run every queued task, as the consumer would; how many ran."""
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


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
