"""A course's end-of-course report PDF is rendered once per version of what it shows, by the job
worker (issue 13): opening the course page or the report asks the worker for it, a download
sends the stored bytes, "being prepared" (202) until then, and the web worker renders only when
no worker can be asked. Every download is audited as before (``course_report_pdf`` with the
course and the size), a 202 is not a download. One submission's summary, packet and each of
its courses' reports are kept side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from checkin_samples import NONE_ASQ, open_course
from flask import Flask
from flask.testing import FlaskClient
from huey import SqliteHuey
from pdf_worker_queue import audited, keys_follow, run_worker, stored_rows

from intake import worker
from intake.extensions import db
from intake.models import CheckIn, Course, User
from intake.models.types import utcnow
from intake.services import courses, pdf_cache, settings
from tests.factories import make_user, post


def report_pdf(client: FlaskClient, course_id: int) -> Any:
    return client.get(f"/clinician/courses/{course_id}/report.pdf")


def report_rows(course_id: int) -> list[bytes]:
    return [row.content for row in stored_rows() if row.course_id == course_id]


@pytest.mark.parametrize("page", ["", "/report"])
def test_with_a_worker_the_web_worker_never_renders_the_report(
    client: FlaskClient, login_as: Any, renders: list[int], queue: SqliteHuey, page: str
) -> None:
    course, _checkin = open_course(weeks_ago=1)
    login_as("front_desk")
    # Opening a page that links to the PDF asks the worker for the PDF of this version.
    assert client.get(f"/clinician/courses/{course.id}{page}").status_code == 200
    assert queue.pending_count() == 1 and renders == []
    waiting = report_pdf(client, course.id)
    assert waiting.status_code == 202
    assert "course report of" in waiting.get_data(as_text=True)
    assert "is being prepared" in waiting.get_data(as_text=True)
    assert waiting.headers["Retry-After"] == "2"
    assert renders == [] and audited("course_report_pdf") == []
    assert run_worker(queue) == 1  # asked once: the download found the page's ask pending
    assert len(renders) == 1
    ready = report_pdf(client, course.id)
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert ready.data == report_rows(course.id)[0]  # the stored bytes, as stored
    assert len(renders) == 1
    assert audited("course_report_pdf") == [{"course_id": course.id, "bytes": len(ready.data)}]
    # Made already: opening the page again asks for nothing.
    assert client.get(f"/clinician/courses/{course.id}{page}").status_code == 200
    assert queue.pending_count() == 0


def test_without_a_worker_the_first_download_renders_and_the_next_is_the_stored_file(
    client: FlaskClient, login_as: Any, renders: list[int]
) -> None:
    course, _checkin = open_course(weeks_ago=1)
    login_as("clinician")
    first = report_pdf(client, course.id)
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    second = report_pdf(client, course.id)
    assert second.data == first.data == report_rows(course.id)[0]
    assert len(renders) == 1
    assert audited("course_report_pdf") == [{"course_id": course.id, "bytes": len(first.data)}] * 2


@pytest.mark.parametrize("worker", ["none", "asked"])
def test_the_check_ins_the_download_makes_are_kept_whoever_renders_the_report(
    request: pytest.FixtureRequest,
    client: FlaskClient,
    login_as: Any,
    renders: list[int],
    monkeypatch: pytest.MonkeyPatch,
    worker: str,
) -> None:
    """A week after the last check-in, the download makes the check-in that fell due (as the
    report page does). Before, it was flushed and then rolled back with the request's other
    changes: by the snapshot the web's render reads in (no worker: rendered here), or by the
    202 (the worker asked)."""
    if worker == "asked":
        request.getfixturevalue("queue")
    course, _checkin = open_course(weeks_ago=1)
    login_as("clinician")
    days = [checkin.due_on for checkin in course.checkins]
    next_week = courses.clinic_today() + timedelta(days=7)
    monkeypatch.setattr(courses, "clinic_today", lambda: next_week)
    response = report_pdf(client, course.id)
    assert response.status_code == (200 if worker == "none" else 202)
    db.session.expire_all()
    kept = db.session.scalars(
        sa.select(CheckIn.due_on).where(CheckIn.course_id == course.id).order_by(CheckIn.due_on)
    )
    assert list(kept) == [*sorted(days), next_week]
    assert len(renders) == (1 if worker == "none" else 0)


def test_the_worker_makes_no_report_for_a_course_it_cannot_find(
    app: Flask, renders: list[int]
) -> None:
    course, _checkin = open_course()
    with app.test_request_context("/"):
        assert worker.render_pdf(course.submission_id, None, "course_report", 999_999) == "gone"
        # A course of another submission is not this submission's report.
        other, _ = open_course()
        assert worker.render_pdf(other.submission_id, None, "course_report", course.id) == "gone"
        assert worker.render_pdf(course.submission_id, None, "course_report", course.id) == (
            "rendered"
        )
        assert worker.render_pdf(course.submission_id, None, "course_report", course.id) == (
            "current"
        )
    assert len(renders) == 1
    [row] = stored_rows()
    assert (row.kind, row.submission_id, row.course_id) == (
        "course_report",
        course.submission_id,
        course.id,
    )


def test_the_key_changes_with_everything_the_report_shows(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    """Each change below, made as staff and patients make it, alters what the report prints
    (a new key) or not (the same key); applied one after the other."""
    course, checkin = open_course(weeks_ago=1)
    cid = course.id
    desk = login_as("front_desk")
    doctor_client = app.test_client()
    login_as("clinician", on=doctor_client)
    today = courses.clinic_today()

    def current() -> Course:
        db.session.expire_all()
        return db.session.get_one(Course, cid)

    def key() -> str:
        return pdf_cache.course_report_key(current())

    def ok(response: Any) -> None:
        assert response.status_code in (200, 302), response.status_code

    def setting(name: str, value: str) -> Callable[[], None]:
        def change() -> None:
            settings.set_setting(name, value, user_id=desk.id)
            db.session.commit()

        return change

    def record_session() -> None:
        version = str(current().version)
        ok(
            post(
                client,
                f"/clinician/courses/{cid}/sessions",
                {"delivered_on": today.isoformat(), "note": "", "version": version},
            )
        )

    def patient_answers() -> None:
        courses.complete_checkin(
            db.session.get_one(type(checkin), checkin.id),
            {"phq9": [1] * 8 + [0], "gad7": [1] * 7, "asq": NONE_ASQ, "side_effects": {}},
            opened_by="link",
            now=utcnow(),
            today=today,
        )
        db.session.commit()

    def follow_up_falls_due() -> None:
        # A month and more after the end: the first monthly follow-up is made, not answered.
        made = courses.sync_checkins(current(), today + timedelta(days=40))
        assert made, "no check-in fell due"
        db.session.commit()

    def tablet_code() -> None:
        ok(post(client, f"/clinician/courses/{cid}/tablet-code"))

    def note_on_the_intake() -> None:
        sid = current().submission_id
        ok(post(client, f"/staff/submissions/{sid}/notes", {"body": "Called."}))

    def end_course() -> None:
        version = str(current().version)
        ok(
            post(
                doctor_client,
                f"/clinician/courses/{cid}/end",
                {"status": "completed", "ended_on": today.isoformat(), "version": version},
            )
        )

    def starter_email() -> None:
        starter = db.session.get_one(User, current().started_by_id)
        starter.email = "dr.new-address@example.org"
        db.session.commit()

    legal_name = setting(settings.CLINIC_LEGAL_NAME, "Cascade Mind LLC")
    table: list[tuple[str, Callable[[], None], bool]] = [
        # Check-ins not answered yet are not on the report.
        ("a tablet code made for the open check-in", tablet_code, False),
        ("a session recorded on the course page", record_session, True),
        ("the patient answers the open check-in", patient_answers, True),
        ("a note on the intake", note_on_the_intake, False),
        ("the clinic's paper", setting(settings.PDF_PAPER, "A4"), True),
        ("the clinic's legal name (not on the report)", legal_name, False),
        ("the clinician ends the course", end_course, True),
        # After the course has ended on the test's day in UTC (the default zone): from midnight
        # UTC to midnight in Chicago, that day and the check-in due on it are tomorrow there.
        ("the clinic's time zone", setting(settings.CLINIC_TIME_ZONE, "America/Chicago"), True),
        ("a follow-up check-in falls due", follow_up_falls_due, False),
        ("the starting clinician's e-mail address", starter_email, True),
    ]
    keys_follow(table, key)


def test_each_pdf_of_a_submission_keeps_its_own_row(
    app: Flask, client: FlaskClient, login_as: Any, renders: list[int]
) -> None:
    """The summary, the packet and the report of each of two courses started from one intake
    are stored side by side; a newer report of one course replaces that report only."""
    tms, _checkin = open_course(weeks_ago=1)
    therapy = courses.start_course(
        tms.submission,
        kind="psychotherapy",
        start_date=courses.clinic_today(),
        planned_sessions=12,
        taper_sessions=0,
        every_days=14,
        maintenance_months=0,
        by=make_user("clinician"),
        today=courses.clinic_today(),
    )
    db.session.commit()
    sid, tms_id, therapy_id = tms.submission_id, tms.id, therapy.id
    desk = app.test_client()
    login_as("front_desk", on=desk)
    login_as("clinician")
    got = {
        "summary": client.get(f"/clinician/submissions/{sid}.pdf"),
        "prior_auth": desk.get(f"/staff/submissions/{sid}/prior-auth.pdf"),
        "tms": report_pdf(client, tms_id),
        "therapy": report_pdf(client, therapy_id),
    }
    assert {name: r.status_code for name, r in got.items()} == dict.fromkeys(got, 200)
    assert len(renders) == 4

    def by_target() -> dict[tuple[str, int | None], bytes]:
        return {(row.kind, row.course_id): row.content for row in stored_rows()}

    assert by_target() == {
        ("summary", None): got["summary"].data,
        ("prior_auth", None): got["prior_auth"].data,
        ("course_report", tms_id): got["tms"].data,
        ("course_report", therapy_id): got["therapy"].data,
    }
    version = str(db.session.get_one(Course, tms_id).version)
    recorded = post(
        desk,
        f"/clinician/courses/{tms_id}/sessions",
        {"delivered_on": courses.clinic_today().isoformat(), "note": "", "version": version},
    )
    assert recorded.status_code == 302
    newer = report_pdf(client, tms_id)
    assert newer.status_code == 200 and newer.data != got["tms"].data
    assert by_target() == {
        ("summary", None): got["summary"].data,
        ("prior_auth", None): got["prior_auth"].data,
        ("course_report", tms_id): newer.data,
        ("course_report", therapy_id): got["therapy"].data,
    }


@pytest.mark.parametrize(
    ("kind", "changed_file", "drawn_from"),
    [
        ("prior_auth", "templates/staff/_prior_auth_body.html", True),
        ("prior_auth", "templates/summary/_medication_table.html", True),
        ("prior_auth", "vocabulary.py", True),
        ("prior_auth", "billing.py", True),
        ("prior_auth", "templates/clinician/_course_trend.html", False),
        ("course_report", "templates/clinician/_course_trend.html", True),
        ("course_report", "templates/clinician/course_report_pdf.html", True),
        ("course_report", "static/css/course.css", True),
        ("course_report", "clinician/course_context.py", True),
        ("course_report", "templates/staff/_prior_auth_body.html", False),
        ("summary", "templates/summary/_coverage_table.html", True),
    ],
)
def test_a_change_to_a_file_a_pdf_is_drawn_from_is_a_new_layout(
    tmp_path: Path,
    kind: str,
    changed_file: str,
    drawn_from: bool,
) -> None:
    """The layout hash reads the real files (a copy of the package here, one file edited); a
    file the PDF is not drawn from leaves it alone."""
    import shutil

    real = Path(pdf_cache.__file__).resolve().parents[1]
    copy = tmp_path / "intake"
    shutil.copytree(real, copy, ignore=shutil.ignore_patterns("__pycache__", "fonts"))
    before = pdf_cache.layout_hash(kind, copy)
    with (copy / changed_file).open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert (pdf_cache.layout_hash(kind, copy) != before) is drawn_from
