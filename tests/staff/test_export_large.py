"""Exports longer than one read batch (500 rows): every row arrives exactly once, in order.

A tester's 3,223-submission queue: "Download this list as CSV" answered 200, then the body
stopped after ~400 rows (``identity map is no longer valid``), while the audit log said every
row had been exported. Here 1,200 submissions (three batches and a part) are exported through
the test client and the CSV read back; the expected references are the ones written here, in
the order docs/staff.md gives (newest first). The audit log must say what happened: the
``exported`` event with the rows it was to send, then ``export_ended`` with how many were written
and whether the file was complete.
"""

from __future__ import annotations

import csv
import gc
import io
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, ExportedRow, Submission
from intake.models.types import utcnow
from tests.factories import post
from tests.staff.bulk import copies

MANY = 1_200  # more than two batches of 500, and a part of a third


@pytest.fixture
def many(app: Flask) -> list[str]:
    """``MANY`` non-urgent submissions, one a minute back from now; their references newest
    first (``tests/staff/bulk.py``: copies of one stored through the real rules)."""
    now = utcnow().replace(microsecond=0)
    references = [f"E{i:05d}" for i in range(MANY)]
    copies(references, [now - timedelta(minutes=i) for i in range(MANY)])
    return references


def _rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


@pytest.mark.parametrize("url", ["/staff/export.csv", "/staff/billing.csv"])
def test_a_list_of_1200_exports_every_row_once_in_order(
    client: FlaskClient, login_as: Any, many: list[str], url: str
) -> None:
    user = login_as("front_desk")
    response = post(client, url, {"sort": "newest"})
    assert response.status_code == 200
    references = [r["reference"] for r in _rows(response.get_data())]
    assert len(references) == MANY
    assert references == many  # every row once, newest first

    [started] = _events("exported")
    assert started.detail["rows"] == MANY
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(ExportedRow.audit_event_id == started.id)
        )
        == MANY
    )
    [ended] = _events("export_ended")
    assert ended.actor_id == user.id
    assert ended.detail == {
        "export_event": started.id,
        "format": "billing_csv" if "billing" in url else "csv",
        "rows": MANY,
        "rows_sent": MANY,
        "complete": True,
    }


def test_an_abandoned_download_is_recorded_as_cut_off(
    client: FlaskClient, login_as: Any, many: list[str]
) -> None:
    """The browser goes away after the first chunks: the server closes the body, and the log
    says the file was cut off and after how many rows (at least those that arrived)."""
    login_as("front_desk")
    response = post(client, "/staff/export.csv", {"sort": "newest"}, buffered=False)
    assert response.status_code == 200
    body = iter(response.response)
    received = b""
    while received.count(b"\n") < 2:  # the header and at least one row
        received += next(body)
    response.close()
    arrived = len(_rows(received.rsplit(b"\n", 1)[0] + b"\n"))
    assert _events("exported")[0].detail["rows"] == MANY
    [ended] = _events("export_ended")
    assert ended.detail["complete"] is False
    assert arrived <= ended.detail["rows_sent"] < MANY


def test_a_large_export_holds_about_one_batch_in_memory(
    client: FlaskClient, login_as: Any, many: list[str]
) -> None:
    """Memory stays flat: between the file's chunks, no more submissions are alive than one
    read batch (500) and the chunk being written, not the whole list (1,200)."""
    login_as("front_desk")
    db.session.expunge_all()  # the test's own objects do not count

    def alive() -> int:
        return sum(1 for o in gc.get_objects() if isinstance(o, Submission))

    # Earlier tests' objects waiting in reference cycles for the collector (the whole suite
    # leaves some) are gone first; what is left before the export is not the export's.
    gc.collect()
    before = alive()
    response = post(client, "/staff/export.csv", {"sort": "newest"}, buffered=False)
    lines, most = 0, 0
    for chunk in response.response:
        lines += chunk.count(b"\n")
        most = max(most, alive() - before)
    response.close()
    assert lines == MANY + 1  # the header and every row
    assert 0 < most <= 500 + 200


def test_the_admins_audit_download_of_1200_exports_lists_each_once(
    client: FlaskClient, login_as: Any, many: list[str]
) -> None:
    """``audit_search.export_rows`` reads the events in batches too, and for each export the
    ids it sent (a second query while the first is being read)."""
    admin = login_as("admin")
    ids = list(db.session.scalars(sa.select(Submission.id).order_by(Submission.id)))
    events = [
        {"action": "exported", "actor_id": admin.id, "detail": {"n": n}, "created_at": utcnow()}
        for n in range(MANY)
    ]
    db.session.execute(sa.insert(AuditEvent.__table__), events)
    made = list(
        db.session.scalars(
            sa.select(AuditEvent.id).where(AuditEvent.action == "exported").order_by(AuditEvent.id)
        )
    )
    db.session.execute(
        sa.insert(ExportedRow),
        [
            {"audit_event_id": event_id, "position": 0, "submission_id": ids[n]}
            for n, event_id in enumerate(made)
        ],
    )
    db.session.commit()
    response = post(client, "/admin/audit.csv", {"action": "exported"})
    assert response.status_code == 200
    rows = _rows(response.get_data())
    sent = sorted((int(r["detail"].split(": ")[1].rstrip("}")), r["exported_ids"]) for r in rows)
    assert sent == [(n, str(ids[n])) for n in range(MANY)]
