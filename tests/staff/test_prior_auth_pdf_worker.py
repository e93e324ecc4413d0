"""The prior-authorization packet's PDF is rendered once per version of what it shows, by the
job worker (issue 13): opening the insurance panel or the packet asks the worker for it, a
download sends the stored bytes, "being prepared" (202) until then, and the web worker renders
only when no worker can be asked (the queue unreachable: tests/clinician/test_pdf_waits.py, for
every kind). Every download is audited as before (``prior_auth_pdf_downloaded`` with its size),
a 202 is not a download.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from clinician_samples import rich_answers, store
from flask import Flask
from flask.testing import FlaskClient
from huey import SqliteHuey
from pdf_worker_queue import audited, keys_follow, run_worker, stored_rows
from werkzeug.datastructures import MultiDict

from intake import worker
from intake.extensions import db
from intake.models import Submission
from intake.services import pdf_cache, settings
from tests.factories import csrf_token, post


def packet_pdf(client: FlaskClient, submission_id: int) -> Any:
    return client.get(f"/staff/submissions/{submission_id}/prior-auth.pdf")


def packet_rows() -> list[bytes]:
    return [row.content for row in stored_rows() if row.kind == "prior_auth"]


@pytest.mark.parametrize("page", ["prior-auth", "insurance"])
def test_with_a_worker_the_web_worker_never_renders_the_packet(
    client: FlaskClient, login_as: Any, renders: list[int], queue: SqliteHuey, page: str
) -> None:
    login_as("front_desk")
    submission = store(rich_answers())
    # Opening a page that links to the PDF asks the worker for the PDF of this version.
    assert client.get(f"/staff/submissions/{submission.id}/{page}").status_code == 200
    assert queue.pending_count() == 1 and renders == []
    waiting = packet_pdf(client, submission.id)
    assert waiting.status_code == 202
    assert "prior-authorization packet of" in waiting.get_data(as_text=True)
    assert "is being prepared" in waiting.get_data(as_text=True)
    assert waiting.headers["Retry-After"] == "2"
    assert renders == [] and audited("prior_auth_pdf_downloaded") == []
    assert run_worker(queue) == 1  # asked once: the download found the page's ask pending
    assert len(renders) == 1
    ready = packet_pdf(client, submission.id)
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert ready.data == packet_rows()[0]  # the stored bytes, as stored
    assert len(renders) == 1
    assert audited("prior_auth_pdf_downloaded") == [{"bytes": len(ready.data)}]
    # Made already: opening the page again asks for nothing.
    assert client.get(f"/staff/submissions/{submission.id}/{page}").status_code == 200
    assert queue.pending_count() == 0


def test_without_a_worker_the_first_download_renders_and_the_next_is_the_stored_file(
    client: FlaskClient, login_as: Any, renders: list[int]
) -> None:
    # The tests' queue is memory:// (development without ``flask worker``): nobody to ask.
    login_as("front_desk")
    submission = store(rich_answers())
    first = packet_pdf(client, submission.id)
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    second = packet_pdf(client, submission.id)
    assert second.data == first.data == packet_rows()[0]
    assert len(renders) == 1
    assert audited("prior_auth_pdf_downloaded") == [{"bytes": len(first.data)}] * 2


def test_the_worker_makes_no_packet_for_a_partial_or_a_deleted_submission(
    app: Flask, renders: list[int]
) -> None:
    partial = store(rich_answers(), partial=True)
    with app.test_request_context("/"):
        assert worker.render_pdf(partial.id, None, "prior_auth") == "gone"
        assert worker.render_pdf(999_999, None, "prior_auth") == "gone"
    assert renders == [] and stored_rows() == []


def _review(client: FlaskClient, submission: Submission, **fields: Any) -> Any:
    data = MultiDict(
        [("csrf_token", csrf_token(client)), ("decision", "agree")]
        + [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]
    )
    return client.post(f"/clinician/submissions/{submission.id}/review", data=data)


def test_the_key_changes_with_everything_the_packet_shows(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    """Each change below, made as staff make it, alters what the packet prints (a new key) or
    not (the same key); applied one after the other."""
    desk = login_as("front_desk")
    doctor_client, admin_client = app.test_client(), app.test_client()
    doctor = login_as("clinician", on=doctor_client)
    login_as("admin", on=admin_client)
    submission = store(rich_answers())
    sid = submission.id

    def key() -> str:
        db.session.expire_all()
        return pdf_cache.prior_auth_key(db.session.get_one(Submission, sid))

    def ok(response: Any) -> None:
        assert response.status_code == 302, response.status_code

    def setting(name: str, value: str) -> Callable[[], None]:
        def change() -> None:
            settings.set_setting(name, value, user_id=desk.id)
            db.session.commit()

        return change

    table: list[tuple[str, Callable[[], None], bool]] = [
        (
            "the clinician's review: diagnosis and planned course",
            lambda: ok(
                _review(
                    doctor_client,
                    submission,
                    diagnoses=["F33.2"],
                    course_sessions="30",
                    course_taper_sessions="6",
                    course_protocol="standard_10hz",
                )
            ),
            True,
        ),
        (
            "the front desk saves the checklist: request submitted",
            lambda: ok(
                post(
                    client,
                    f"/staff/submissions/{sid}/insurance",
                    {"version": "0", "prior_auth": "submitted", "prior_auth_reference": "AET-1"},
                )
            ),
            True,
        ),
        (
            "an admin sets the ordering psychiatrist's NPI",
            lambda: ok(
                post(
                    admin_client,
                    f"/admin/users/{doctor.id}/clinician",
                    {"full_name": "Dana Ortiz, MD", "npi": "1234567893"},
                )
            ),
            True,
        ),
        ("the clinic's legal name", setting(settings.CLINIC_LEGAL_NAME, "Cascade Mind LLC"), True),
        ("the clinic's TIN", setting(settings.CLINIC_TIN, "123456789"), True),
        ("the clinic's group NPI", setting(settings.CLINIC_GROUP_NPI, "1245319599"), True),
        ("the clinic's time zone", setting(settings.CLINIC_TIME_ZONE, "America/Chicago"), True),
        # The packet is always on Letter: the other PDFs' paper is not on it.
        ("the paper of the other PDFs", setting(settings.PDF_PAPER, "A4"), False),
        (
            "a note on the submission",
            lambda: ok(post(client, f"/staff/submissions/{sid}/notes", {"body": "Called."})),
            False,
        ),
        (
            "a newer review with another diagnosis",
            lambda: ok(
                _review(
                    doctor_client,
                    submission,
                    diagnoses=["F33.1"],
                    course_sessions="30",
                    course_taper_sessions="6",
                    course_protocol="standard_10hz",
                )
            ),
            True,
        ),
    ]
    keys_follow(table, key)


def test_a_changed_packet_is_made_again_and_replaces_only_its_own_pdf(
    app: Flask, client: FlaskClient, login_as: Any, renders: list[int]
) -> None:
    """The summary and the packet of one submission are kept side by side: storing a newer
    packet drops the older packet only."""
    login_as("front_desk")
    doctor_client = app.test_client()
    login_as("clinician", on=doctor_client)
    submission = store(rich_answers())
    summary = doctor_client.get(f"/clinician/submissions/{submission.id}.pdf")
    before = packet_pdf(client, submission.id)
    assert summary.status_code == before.status_code == 200
    assert sorted(row.kind for row in stored_rows()) == ["prior_auth", "summary"]
    saved = post(
        client,
        f"/staff/submissions/{submission.id}/insurance",
        {"version": "0", "prior_auth": "approved", "prior_auth_reference": "AET-55120"},
    )
    assert saved.status_code == 302
    after = packet_pdf(client, submission.id)
    assert after.status_code == 200 and after.data != before.data
    assert len(renders) == 3
    rows = stored_rows()
    assert sorted(row.kind for row in rows) == ["prior_auth", "summary"]
    assert {row.kind: row.content for row in rows} == {
        "summary": summary.data,
        "prior_auth": after.data,
    }
