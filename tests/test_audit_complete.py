"""Complete audit (issue 12): every view of patient data, every creation, every export with the
ids it sent, every refused attempt, an admin's download of the log, and a log the database
itself keeps append-only. Expectations are written here, from the issue."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa
from answer_documents import ASQ_YES, changed, sample_answers
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, ExportedRow, Submission
from intake.models.types import utcnow
from intake.services import audit
from intake.services.submissions import submit_document
from tests.factories import make_submission, post


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def test_every_queue_page_is_recorded_with_counts_never_the_search_term(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    make_submission(reference="U1", changes=ASQ_YES)
    make_submission(reference="A1")
    make_submission(reference="A2", last_name="Zamora")
    assert client.get("/staff/").status_code == 200
    assert post(client, "/staff/", {"q": "Zamora"}).status_code == 200
    first, search = _events("queue_viewed")
    assert first.detail == {"page": 1, "shown": 3, "matching": 3, "filters": {"sort": "newest"}}
    assert search.detail["shown"] == 1 and search.detail["matching"] == 1
    assert search.detail["filters"]["q"] == "(given)"
    assert "Zamora" not in json.dumps(search.detail)


def test_a_submission_is_recorded_when_it_arrives(app: Flask, client: FlaskClient) -> None:
    # Through the API: the integration's address is kept.
    from intake.services.api_tokens import create_token

    secret = create_token("kiosk")
    db.session.commit()
    response = client.post(
        "/api/v1/intakes",
        json=sample_answers(),
        headers={"Authorization": f"Bearer {secret}"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 201
    [event] = _events("submission_created")
    assert event.submission_id == response.get_json()["id"]
    assert event.detail == {"source": "api", "urgent": False}
    assert event.ip_address == "10.1.2.3"


def test_a_patients_own_submission_is_recorded_without_their_address(app: Flask) -> None:
    with app.test_request_context("/intake/step/review", environ_base={"REMOTE_ADDR": "10.9.9.9"}):
        submission = submit_document(changed(sample_answers(), ASQ_YES), source="wizard")
        db.session.commit()
    [event] = _events("submission_created")
    assert event.submission_id == submission.id
    assert event.detail == {"source": "wizard", "urgent": True}
    assert event.ip_address is None  # an IP address is a HIPAA identifier


def test_an_export_names_every_row_it_sent_in_order(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    urgent = make_submission(reference="U1", changes=ASQ_YES)
    newer = make_submission(reference="N1")
    older = make_submission(reference="O1", submitted_at=utcnow().replace(year=2025))
    response = post(client, "/staff/export.csv", {"sort": "newest"})
    references = [
        row["reference"] for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    ]
    assert references == ["U1", "N1", "O1"]  # urgent pinned first, then newest first
    [event] = _events("exported")
    assert event.detail["rows"] == 3
    sent = db.session.scalars(
        sa.select(ExportedRow.submission_id)
        .where(ExportedRow.audit_event_id == event.id)
        .order_by(ExportedRow.position)
    ).all()
    assert sent == [urgent.id, newer.id, older.id]


def test_a_refused_attempt_is_recorded(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    desk = login_as("front_desk")
    assert client.get("/admin/users").status_code == 403
    assert post(client, "/admin/users", {"email": "x@example.org"}).status_code == 403
    events = _events("access_refused")
    assert [(e.actor_id, e.detail["endpoint"], e.detail["method"]) for e in events] == [
        (desk.id, "admin.users", "GET"),
        (desk.id, "admin.users", "POST"),
    ]


def test_an_admin_downloads_the_log_with_exported_ids(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    admin = login_as("admin")
    s1, s2 = make_submission(reference="AB12-CD34"), make_submission()
    export = audit.record("exported", detail={"rows": 2}, actor=admin)
    audit.record_exported_rows(export, [s2.id, s1.id])
    audit.record("submission_viewed", submission=s1, actor=admin)
    db.session.commit()
    response = post(client, "/admin/audit.csv", {"action": "exported"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["action"], r["exported_ids"]) for r in rows] == [("exported", f"{s2.id} {s1.id}")]
    everything = post(client, "/admin/audit.csv", {})
    actions = [r["action"] for r in csv.DictReader(io.StringIO(everything.get_data(as_text=True)))]
    assert "submission_viewed" in actions and "exported" in actions
    assert _events("audit_exported")  # the download itself is on record
    # GET is not a download (CSRF-protected POST only).
    assert client.get("/admin/audit.csv").status_code == 405


def test_a_check_in_is_recorded_when_sent_viewed_acknowledged_and_signed_off(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    """The patient's check-in is recorded without their address; every staff view of it and
    each step of its risk workflow with who did it (issue 16)."""
    import re

    from checkin_samples import link_for, open_course

    _course, checkin = open_course()
    checkin_id, submission_id = checkin.id, checkin.course.submission_id
    patient = app.test_client()
    assert patient.get(f"/c/{link_for(checkin)}").status_code == 302
    page = patient.get("/checkin").get_data(as_text=True)
    answers = {f"phq9_{n}": "1" for n in range(1, 10)} | {f"gad7_{n}": "0" for n in range(1, 8)}
    asq = {"wished_dead": "yes", "family_better_off": "no", "thoughts_of_killing_self": "no"}
    answers |= asq | {"ever_tried": "no", "thoughts_right_now": "no"}
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    sent = patient.post(
        "/checkin", data={"csrf_token": token, **answers}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert sent.status_code == 302
    [done] = _events("checkin_completed")
    assert done.ip_address is None and done.submission_id == submission_id
    assert done.detail == {"course_id": checkin.course_id, "checkin_id": checkin_id, "urgent": True}
    doctor = login_as("clinician")
    html = client.get(f"/staff/checkins/{checkin_id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)  # type: ignore[union-attr]
    post(client, f"/staff/checkins/{checkin_id}/acknowledge", {"note": "", "version": version})
    version = str(int(version) + 1)
    post(
        client,
        f"/staff/checkins/{checkin_id}/sign-off",
        {"outcome": "safety_plan", "version": version},
    )
    for action in ("checkin_viewed", "checkin_acknowledged", "checkin_signed_off"):
        events = _events(action)
        assert events and all(e.actor_id == doctor.id for e in events), action
        assert all(e.submission_id == submission_id for e in events), action
        assert events[0].detail["checkin_id"] == checkin_id, action


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'login'",
        "DELETE FROM audit_event",
        "UPDATE exported_row SET position = position + 1",
        "DELETE FROM exported_row",
    ],
)
def test_the_database_keeps_the_log_append_only(app: Flask, login_as, statement: str) -> None:  # type: ignore[no-untyped-def]
    admin = login_as("admin")
    export = audit.record("exported", detail={"rows": 1}, actor=admin)
    audit.record_exported_rows(export, [make_submission().id])
    db.session.commit()
    # Below the ORM: plain SQL on a connection of its own.
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(sa.text(statement))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) >= 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1


def test_every_course_page_and_change_is_recorded_without_patient_data(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    """Courses of care (issue 16): the course page, a session, the tablet code, the ending,
    the report and its PDF each leave an event naming the course, its intake and who did it;
    a session's note and the code itself stay out of the log."""
    from intake.models import Course
    from intake.rules import RULESET
    from intake.services import courses, patients
    from intake.services.reviews import record_review

    submission = make_submission()
    patients.patient_of(submission)
    record_review(
        submission, clinician_id=None, decision="agree", codes=[], note="", ruleset=RULESET
    )
    db.session.commit()
    doctor = login_as("clinician")
    today = courses.clinic_today().isoformat()
    body = {
        "kind": "standard_tms",
        "start_date": today,
        "planned_sessions": "30",
        "taper_sessions": "6",
        "every_days": "7",
        "maintenance_months": "6",
    }
    assert post(client, f"/clinician/submissions/{submission.id}/courses", body).status_code == 302
    course = db.session.scalars(sa.select(Course)).one()
    base = f"/clinician/courses/{course.id}"
    assert client.get(base).status_code == 200
    note = "Felt light-headed after session"
    version = str(course.version)
    sent = post(
        client, f"{base}/sessions", {"delivered_on": today, "note": note, "version": version}
    )
    assert sent.status_code == 302
    tablet = post(client, f"{base}/tablet-code")
    assert tablet.status_code == 200
    db.session.refresh(course)
    ended = post(
        client,
        f"{base}/end",
        {"status": "completed", "ended_on": today, "version": str(course.version)},
    )
    assert ended.status_code == 302
    assert client.get(f"{base}/report").status_code == 200
    assert client.get(f"{base}/report.pdf").status_code == 200
    expected = [
        "course_started",
        "course_session_recorded",
        "checkin_tablet_code",
        "course_ended",
        "course_report_viewed",
        "course_report_pdf",
    ]
    for action in expected:
        [event] = _events(action)
        assert event.submission_id == submission.id, action
        assert event.actor_id == doctor.id, action
        assert event.detail["course_id"] == course.id, action
    assert len(_events("course_viewed")) == 2  # the page, and the page showing the code
    logged = json.dumps(
        [e.detail for e in db.session.scalars(sa.select(AuditEvent))], ensure_ascii=False
    )
    for secret in (note, "Reyes", "1985-04-12", submission.reference):
        assert secret not in logged


def test_clinic_outcomes_are_recorded_with_counts_only(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    from tests.outcome_samples import make_course

    course = make_course("standard_tms", 20, [9])
    doctor = login_as("clinician")
    assert client.get("/clinician/outcomes?date_from=2026-11-01").status_code == 200
    assert post(client, "/clinician/outcomes.csv", {"by": "month"}).status_code == 200
    [viewed] = _events("outcomes_viewed")
    [exported] = _events("outcomes_exported")
    assert viewed.detail == {"courses": 1, "filters": {"date_from": "2026-11-01"}}
    assert exported.detail == {"rows": 1, "by": "month", "filters": {"by": "month"}}
    for event in (viewed, exported):
        assert event.actor_id == doctor.id and event.submission_id is None
        assert str(course.submission.reference) not in json.dumps(event.detail)
    # A de-identified aggregate names no submission: no exported rows are kept for it.
    rows = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ExportedRow)
        .where(ExportedRow.audit_event_id == exported.id)
    )
    assert rows == 0
