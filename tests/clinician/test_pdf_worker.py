"""The summary PDF is rendered once per version of what it shows, by the job worker (issue 13):
a download is a send of stored bytes; a web worker renders only when no worker can be asked.

The renderer is wrapped to count its calls, so "rendered by whom" is observed, not assumed.
The worker's queue is a real huey queue on SQLite in a temporary folder, its tasks run as
``flask worker`` would run them (tests/pdf_worker_queue.py; the packet's and the course
report's tests use the same).
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from clinician_samples import rich_answers, store
from flask import Flask
from flask.testing import FlaskClient
from huey import SqliteHuey
from pdf_worker_queue import (
    audited,
    run_worker,
    stored_rows,
    unreachable_queue,
)

from intake.extensions import db
from intake.models import RenderedPdf
from tests.factories import post


def downloads() -> list[dict[str, Any]]:
    return audited("pdf_downloaded")


def get_pdf(client: FlaskClient, submission_id: int) -> Any:
    return client.get(f"/clinician/submissions/{submission_id}.pdf")


def test_a_second_download_of_the_same_version_is_the_stored_file(
    client: FlaskClient, login_as, renders: list[int]
) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    submission = store(rich_answers())
    first = get_pdf(client, submission.id)
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    second = get_pdf(client, submission.id)
    assert second.data == first.data
    assert len(renders) == 1
    assert [d["rendered_here"] for d in downloads()] == [True, False]


def test_a_review_makes_a_new_version_and_a_new_pdf(
    client: FlaskClient, login_as, renders: list[int]
) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    submission = store(rich_answers())
    before = get_pdf(client, submission.id).data
    reviewed = post(
        client,
        f"/clinician/submissions/{submission.id}/review",
        {"decision": "agree", "note": "Seen in clinic today."},
    )
    assert reviewed.status_code == 302
    after = get_pdf(client, submission.id)
    assert after.status_code == 200 and after.data != before
    assert len(renders) == 2
    # Only the newest version is kept.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RenderedPdf)) == 1


def test_with_a_worker_the_web_worker_never_renders(
    client: FlaskClient, login_as, renders: list[int], queue: SqliteHuey
) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    submission = store(rich_answers())
    # Opening the summary asks the worker for the PDF of this version.
    assert client.get(f"/clinician/submissions/{submission.id}").status_code == 200
    assert queue.pending_count() == 1 and renders == []
    # Asked before the worker ran: "being prepared", nothing rendered in the request.
    waiting = get_pdf(client, submission.id)
    assert waiting.status_code == 202
    assert "is being prepared" in waiting.get_data(as_text=True)
    assert waiting.headers["Retry-After"] == "2"
    assert renders == []
    assert run_worker(queue) == 1  # asked once: the download found the page's ask pending
    assert len(renders) == 1
    ready = get_pdf(client, submission.id)
    assert ready.status_code == 200 and ready.data.startswith(b"%PDF")
    assert len(renders) == 1
    assert downloads() == [{"bytes": len(ready.data), "rendered_here": False}]


def test_a_queue_that_cannot_be_reached_still_gives_the_pdf(
    app: Flask, client: FlaskClient, login_as, renders: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    unreachable_queue(app, monkeypatch)
    login_as("clinician")
    submission = store(rich_answers())
    response = get_pdf(client, submission.id)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert len(renders) == 1
    assert downloads()[-1]["rendered_here"] is True


def test_the_key_changes_with_everything_the_pdf_shows(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    """Each change below alters what the PDF prints, so each must give a new key; the same
    set of linked intakes reached another way gives the same key again."""
    from answer_documents import changed, sample_answers

    from intake.models import PatientMatch, Submission
    from intake.services import pdf_cache, settings

    desk = login_as("front_desk")
    submission = store(rich_answers())
    sid, version = submission.id, submission.version
    keys = [pdf_cache.summary_key(submission)]

    def key() -> str:
        db.session.expire_all()
        return pdf_cache.summary_key(db.session.get_one(Submission, sid))

    assert (
        post(
            client,
            f"/staff/submissions/{sid}/status",
            {"to_status": "in_review", "version": version},
        ).status_code
        == 302
    )
    keys.append(key())
    assert post(client, f"/staff/submissions/{sid}/notes", {"body": "Called."}).status_code == 302
    assert key() == keys[-1]  # notes are not on the PDF
    settings.set_setting(settings.PDF_PAPER, "A4", user_id=desk.id)
    db.session.commit()
    keys.append(key())
    # A returning patient: linking and undoing change the intakes the summary lists.
    earlier = store(
        changed(
            sample_answers(), {"patient.first_name": "Marisol", "patient.last_name": "Okafor-Lind"}
        )
    )
    keys.append(key())  # a suggestion alone changes nothing on the PDF...
    assert keys[-1] == keys[-2]
    keys.pop()
    match = db.session.scalars(
        sa.select(PatientMatch).where(PatientMatch.candidate_id == sid)
    ).one()
    assert (
        post(client, f"/staff/submissions/{earlier.id}/matches/{match.id}/confirm", {}).status_code
        == 302
    )
    keys.append(key())
    assert len(set(keys)) == len(keys), keys
    assert (
        post(client, f"/staff/submissions/{earlier.id}/matches/{match.id}/undo", {}).status_code
        == 302
    )
    # Undone: the same intakes as before the link, so the PDF made then is right again.
    assert key() == keys[-2]


def test_opening_the_summary_looks_its_stored_pdf_up_without_reading_documents_or_bytes(
    client: FlaskClient, login_as, queue: SqliteHuey
) -> None:  # type: ignore[no-untyped-def]
    """Issue 13: the PDF's key is read before the view's commit (after it, the submission was
    loaded again, both JSON documents), its records in one statement, and whether the PDF is
    stored without loading its bytes."""
    login_as("clinician")
    submission = store(rich_answers())
    assert client.get(f"/clinician/submissions/{submission.id}").status_code == 200
    assert run_worker(queue) == 1
    sent: list[str] = []

    def keep(conn: object, cursor: object, statement: str, *args: object) -> None:
        sent.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert client.get(f"/clinician/submissions/{submission.id}").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
    assert queue.pending_count() == 0  # stored: the worker is not asked again
    loads = [s for s in sent if "submission.answers" in s and "WHERE submission.id = " in s]
    assert len(loads) == 1, loads  # the submission, loaded once
    pdf_reads = [s for s in sent if "FROM rendered_pdf" in s]
    assert len(pdf_reads) == 1 and "rendered_pdf.content" not in pdf_reads[0]
    newest = [s for s in sent if "max(clinician_review.id)" in s]
    assert len(newest) == 1 and "max(acknowledgement.id)" in newest[0]


def test_the_worker_stores_what_it_drew_under_the_key_of_what_it_drew(
    client: FlaskClient, login_as, renders: list[int], queue: SqliteHuey
) -> None:  # type: ignore[no-untyped-def]
    """The page asks for the PDF of the version it showed; a review recorded before the worker
    runs makes a newer version. The worker draws the submission as it finds it, so it must store
    that under the newer version's key: kept under the key it was asked for, the PDF of one
    version would be sent for another."""
    from intake.models import Submission
    from intake.services import pdf_cache

    login_as("clinician")
    submission = store(rich_answers())
    assert client.get(f"/clinician/submissions/{submission.id}").status_code == 200
    asked = pdf_cache.summary_key(submission)
    assert queue.pending_count() == 1
    reviewed = post(
        client,
        f"/clinician/submissions/{submission.id}/review",
        {"decision": "agree", "note": "Seen in clinic today."},
    )
    assert reviewed.status_code == 302
    db.session.expire_all()
    now = pdf_cache.summary_key(db.session.get_one(Submission, submission.id))
    assert now != asked
    run_worker(queue)
    assert len(renders) == 1
    assert [row.key for row in stored_rows()] == [now]
    # What is stored is the reviewed version: the download sends it without rendering.
    ready = get_pdf(client, submission.id)
    assert ready.status_code == 200 and len(renders) == 1
    assert downloads()[-1]["rendered_here"] is False
