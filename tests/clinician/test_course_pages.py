"""Courses of care through the real pages (issue 16): a clinician starts a course from the
summary, front desk records sessions, a stale form is a 409 that saves nothing, a course
stopped early without a reason is refused at its field, a tablet code is shown once, and the
course page, its report and the report's PDF show the trend.

Check-ins are completed through ``services.courses.complete_checkin`` (the patient's pages are
another package's). Expected values are worked out here: the intake sample's PHQ-9 is 17 and
its GAD-7 7 (answer_documents.py); a check-in's PHQ-9 items are written out below.
"""

from __future__ import annotations

import html as htmllib
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pypdf
import pytest
import sqlalchemy as sa
from clinician_samples import store
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, CheckIn, Course, CourseSession, Submission
from intake.rules import RULESET
from intake.services import courses
from intake.services.reviews import Course as PlannedCourse
from intake.services.reviews import record_review
from tests.committed import committed, committed_count
from tests.factories import make_user, post

NONE_ASQ = {
    "wished_dead": "no",
    "family_better_off": "no",
    "thoughts_of_killing_self": "no",
    "ever_tried": "no",
    "thoughts_right_now": None,
}


def _text(html: str) -> str:
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def _field(html: str, field_id: str) -> str:
    """The text of one field's block (label, hint, messages) as the page draws it."""
    block = re.search(rf'id="{field_id}-field".*?</(?:div|fieldset)>', html, flags=re.S)
    assert block, f"no field {field_id}"
    return block.group(0)


def _value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no input {name}"
    return htmllib.unescape(match.group(1))


def _versions(html: str) -> list[str]:
    return re.findall(r'<input[^>]*id="version"[^>]*value="(\d+)"', html) or re.findall(
        r'<input[^>]*name="version"[^>]*value="(\d+)"', html
    )


def reviewed(*, planned: PlannedCourse | None = None) -> Submission:
    submission = store()
    record_review(
        submission,
        clinician_id=None,
        decision="agree",
        codes=[],
        note="",
        ruleset=RULESET,
        course=planned,
    )
    db.session.commit()
    return submission


def started(submission: Submission | None = None, *, start: date | None = None) -> Course:
    """A course started through the service, ``start`` days (default today) as its own today."""
    day = start or courses.clinic_today()
    course = courses.start_course(
        submission or reviewed(),
        kind="standard_tms",
        start_date=day,
        planned_sessions=30,
        taper_sessions=6,
        every_days=7,
        maintenance_months=6,
        by=make_user("clinician"),
        today=day,
    )
    db.session.commit()
    return course


def complete(course: Course, day: date, phq9: list[int], **effects: str) -> None:
    """The patient answers the check-in open on ``day`` (synced to it first)."""
    courses.sync_checkins(course, day)
    checkin = courses.open_checkin(course)
    assert checkin is not None
    courses.complete_checkin(
        checkin,
        {"phq9": phq9, "gad7": [1] * 7, "asq": NONE_ASQ, "side_effects": effects},
        opened_by="link",
        now=datetime.combine(day, time(18, 0), tzinfo=UTC),
        today=day,
    )
    db.session.commit()


def events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


# Starting a course from the summary --------------------------------------------------------------


def test_the_summary_offers_a_course_with_the_reviews_plan_and_the_clinics_defaults(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    submission = reviewed(planned=PlannedCourse(sessions=30, taper_sessions=6, protocol="itbs"))
    login_as("clinician")
    html = client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True)
    assert "Start a course of care" in html
    assert _value(html, "start_date") == courses.clinic_today().isoformat()
    assert _value(html, "planned_sessions") == "30"
    assert _value(html, "taper_sessions") == "6"
    assert _value(html, "every_days") == "7"  # the setting's default: weekly
    assert _value(html, "maintenance_months") == "6"
    assert "This patient has no course of care yet." in html


def test_an_unreviewed_intake_says_why_no_course_can_start(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    submission = store()
    login_as("clinician")
    html = client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True)
    assert "A clinician reviews the intake before a course starts." in html
    assert 'name="planned_sessions"' not in html


def test_a_clinician_starts_a_course_by_posting_the_form(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    submission = reviewed()
    doctor = login_as("clinician")
    today = courses.clinic_today()
    response = post(
        client,
        f"/clinician/submissions/{submission.id}/courses",
        {
            "kind": "accelerated_tms",
            "start_date": today.isoformat(),
            "planned_sessions": "36",
            "taper_sessions": "0",
            "every_days": "14",
            "maintenance_months": "3",
        },
    )
    assert response.status_code == 302
    course_id = committed(sa.select(Course.id).where(Course.submission_id == submission.id))
    assert response.headers["Location"].endswith(f"/clinician/courses/{course_id}#main")
    course = db.session.get(Course, course_id)
    assert course is not None
    assert (course.kind, course.start_date, course.planned_sessions, course.taper_sessions) == (
        "accelerated_tms",
        today,
        36,
        0,
    )
    assert (course.checkin_every_days, course.maintenance_months) == (14, 3)
    assert course.started_by_id == doctor.id
    assert committed_count(CheckIn, CheckIn.course_id == course_id, CheckIn.kind == "baseline") == 1
    # The summary lists it, with its status in words and a link.
    html = client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True)
    panel = html[html.index('id="courses-heading"') :]
    assert f'href="/clinician/courses/{course_id}"' in panel
    assert "Accelerated TMS from " + today.isoformat() in _text(panel)
    assert "Baseline only: PHQ-9 17; no check-in yet" in _text(panel)
    [viewed] = [e for e in events("submission_viewed") if e.detail.get("courses_shown")]
    assert viewed.detail["courses_shown"] == [course_id]


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("planned_sessions", "61", "from 0 to 60"),
        ("planned_sessions", "3.5", "whole number"),
        ("every_days", "0", "from 1 to 90"),
        ("maintenance_months", "", "from 0 to 12"),
        ("start_date", "31/31/2026", "real date"),
        ("kind", "", "Choose the kind of course"),
    ],
)
def test_a_bad_start_is_refused_at_its_field_and_starts_nothing(
    app: Flask, client: FlaskClient, login_as, name: str, typed: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    submission = reviewed()
    login_as("clinician")
    body = {
        "kind": "standard_tms",
        "start_date": courses.clinic_today().isoformat(),
        "planned_sessions": "30",
        "taper_sessions": "6",
        "every_days": "7",
        "maintenance_months": "6",
        name: typed,
    }
    response = post(client, f"/clinician/submissions/{submission.id}/courses", body)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    block = _field(html, name)
    assert message in _text(block)
    assert 'aria-invalid="true"' in block
    assert "The course was not started" in html
    # Far down the summary: the form posts to its summary's id, which links to the field.
    assert f'action="/clinician/submissions/{submission.id}/courses#course-errors"' in html
    assert 'id="course-errors"' in html and f'href="#{name}' in html
    assert committed_count(Course) == 0


def test_front_desk_cannot_start_a_course(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    submission = reviewed()
    login_as("front_desk")
    response = post(client, f"/clinician/submissions/{submission.id}/courses", {})
    assert response.status_code == 403
    assert committed_count(Course) == 0


# Sessions, conflicts, ending ---------------------------------------------------------------------


def test_front_desk_records_sessions_and_a_stale_form_saves_nothing(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    course = started()
    desk = login_as("front_desk")
    page = client.get(f"/clinician/courses/{course.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "End the course" not in html  # a clinician's form
    version = _versions(html)[0]
    today = courses.clinic_today().isoformat()
    assert _value(html, "delivered_on") == today
    url = f"/clinician/courses/{course.id}/sessions"
    first = post(
        client, url, {"delivered_on": today, "note": "Motor threshold 52%", "version": version}
    )
    assert first.status_code == 302
    assert committed_count(CourseSession, CourseSession.course_id == course.id) == 1
    # The same form sent again (a second tab, a double click): refused, nothing added.
    stale = post(client, url, {"delivered_on": today, "note": "Second tab", "version": version})
    assert stale.status_code == 409
    text = _text(stale.get_data(as_text=True))
    assert "Nothing was saved" in text and "someone else changed this course" in text
    assert "Second tab" not in stale.get_data(as_text=True)  # the refused form is not kept
    assert committed_count(CourseSession, CourseSession.course_id == course.id) == 1
    # The 409 page carries the new version: sending it again now works.
    fresh = _versions(stale.get_data(as_text=True))[0]
    assert fresh != version
    second = post(client, url, {"delivered_on": today, "note": "", "version": fresh})
    assert second.status_code == 302
    db.session.expire_all()
    sessions = db.session.scalars(
        sa.select(CourseSession)
        .where(CourseSession.course_id == course.id)
        .order_by(CourseSession.number)
    ).all()
    assert [(s.number, s.note, s.recorded_by_id) for s in sessions] == [
        (1, "Motor threshold 52%", desk.id),
        (2, "", desk.id),
    ]
    html = client.get(f"/clinician/courses/{course.id}").get_data(as_text=True)
    assert f"Session 1: {today}" in _text(html) and "Motor threshold 52%" in html
    assert "2 of 36 planned" in _text(html)


@pytest.mark.parametrize(
    ("typed", "status", "message"),
    [
        ("", 400, "Enter the day of the session"),
        ("2026-13-01", 400, "real date"),
    ],
)
def test_a_bad_session_day_is_refused_at_its_field(
    app: Flask, client: FlaskClient, login_as, typed: str, status: int, message: str
) -> None:  # type: ignore[no-untyped-def]
    course = started()
    login_as("front_desk")
    version = _versions(client.get(f"/clinician/courses/{course.id}").get_data(as_text=True))[0]
    response = post(
        client,
        f"/clinician/courses/{course.id}/sessions",
        {"delivered_on": typed, "version": version},
    )
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in _text(_field(page, "delivered_on"))
    assert f'action="/clinician/courses/{course.id}/sessions#session-errors"' in page
    assert 'id="session-errors"' in page and 'href="#delivered_on"' in page
    assert committed_count(CourseSession) == 0


def test_a_session_in_the_future_is_refused_with_the_reason(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    course = started()
    login_as("front_desk")
    version = _versions(client.get(f"/clinician/courses/{course.id}").get_data(as_text=True))[0]
    tomorrow = (courses.clinic_today() + timedelta(days=1)).isoformat()
    response = post(
        client,
        f"/clinician/courses/{course.id}/sessions",
        {"delivered_on": tomorrow, "version": version},
    )
    assert response.status_code == 400
    assert "A session cannot be in the future." in _text(response.get_data(as_text=True))
    assert committed_count(CourseSession) == 0


def test_stopping_early_without_a_reason_is_refused_at_the_reason_and_changes_nothing(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    course = started()
    login_as("clinician")
    html = client.get(f"/clinician/courses/{course.id}").get_data(as_text=True)
    version = _versions(html)[-1]
    today = courses.clinic_today().isoformat()
    url = f"/clinician/courses/{course.id}/end"
    response = post(
        client,
        url,
        {"status": "stopped_early", "ended_on": today, "reason": "  ", "version": version},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    block = _field(page, "reason")
    assert "Say why the course stopped early." in _text(block)
    assert 'aria-invalid="true"' in block
    assert f'action="{url}#end-errors"' in page
    assert 'id="end-errors"' in page and 'href="#reason"' in page
    assert committed(sa.select(Course.status).where(Course.id == course.id)) == "active"
    assert committed_count(AuditEvent, AuditEvent.action == "course_ended") == 0
    # With a reason it ends, and the end-of-course check-in falls due.
    done = post(
        client,
        url,
        {"status": "stopped_early", "ended_on": today, "reason": "Moved away", "version": version},
    )
    assert done.status_code == 302
    assert committed(sa.select(Course.status).where(Course.id == course.id)) == "stopped_early"
    assert committed(sa.select(Course.end_reason).where(Course.id == course.id)) == "Moved away"
    assert committed_count(CheckIn, CheckIn.course_id == course.id, CheckIn.kind == "end") == 1
    html = client.get(f"/clinician/courses/{course.id}").get_data(as_text=True)
    assert "Record a session" not in html and "End the course" not in html
    assert "Stopped early on " + today + ": Moved away" in _text(html)


def test_an_ending_from_an_older_page_is_a_conflict(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    course = started()
    login_as("clinician")
    html = client.get(f"/clinician/courses/{course.id}").get_data(as_text=True)
    version = _versions(html)[-1]
    today = courses.clinic_today().isoformat()
    post(
        client,
        f"/clinician/courses/{course.id}/sessions",
        {"delivered_on": today, "version": version},
    )
    response = post(
        client,
        f"/clinician/courses/{course.id}/end",
        {"status": "completed", "ended_on": today, "version": version},
    )
    assert response.status_code == 409
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert committed(sa.select(Course.status).where(Course.id == course.id)) == "active"


# The tablet code ---------------------------------------------------------------------------------


def test_a_tablet_code_is_shown_once_on_the_page_and_never_in_a_url(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    course = started()
    login_as("front_desk")
    page = client.get(f"/clinician/courses/{course.id}").get_data(as_text=True)
    assert "Make a tablet code" in page
    response = post(client, f"/clinician/courses/{course.id}/tablet-code")
    assert response.status_code == 200 and "Location" not in response.headers
    shown = re.search(
        r'class="code"><strong>(\w{4}) (\w{4})</strong>', response.get_data(as_text=True)
    )
    assert shown, "the code is on the page"
    code = shown.group(1) + shown.group(2)
    assert code not in (response.request.url or "")
    checkin = courses.checkin_for_tablet(code, date(1985, 4, 12), datetime.now(UTC))
    assert checkin is not None and checkin.course_id == course.id
    # Shown once: the course page does not show it again.
    again = client.get(f"/clinician/courses/{course.id}").get_data(as_text=True)
    assert code[:4] not in again or code not in again.replace(" ", "")
    [event] = events("checkin_tablet_code")
    assert code not in str(event.detail)


# What the course page shows ----------------------------------------------------------------------

#: Four weeks of a course: the baseline check-in, then weekly check-ins (PHQ-9 items).
BASELINE_22 = [3, 3, 3, 3, 3, 3, 2, 2, 0]  # 22
WEEK_1_16 = [2, 2, 2, 2, 2, 2, 2, 2, 0]  # 16: down 27% → partial response
WEEK_2_9 = [1, 1, 1, 1, 1, 1, 1, 2, 0]  # 9: down 59% → response
WEEK_3_4 = [1, 1, 1, 1, 0, 0, 0, 0, 0]  # 4 → remission


def course_with_checkins(sessions: int = 20) -> Course:
    today = courses.clinic_today()
    start = today - timedelta(days=21)
    course = started(start=start)
    complete(course, start, BASELINE_22, headache="mild")
    nurse = make_user("front_desk")
    for number in range(sessions):
        day = start + timedelta(days=min(number, 20))
        courses.record_session(
            course, delivered_on=day, note="", by=nurse, today=today, expected_version=None
        )
        db.session.commit()
        if number == 4:
            complete(course, start + timedelta(days=7), WEEK_1_16, headache="moderate")
        if number == 9:
            complete(course, start + timedelta(days=14), WEEK_2_9, scalp_discomfort="severe")
    return course


def test_the_course_page_shows_the_status_the_trend_and_the_side_effects(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    course = course_with_checkins()
    login_as("clinician")
    response = client.get(f"/clinician/courses/{course.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)
    # Sessions 1-5 by week 1, 1-10 by week 2; the check-in due today (week 3) is open.
    assert "Response at session 10: PHQ-9 22 to 9, down 59%" in text
    assert "Outcome rules 1.0.0" in text
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(\d{4}-\d\d-\d\d)</th>(.*?)</tr>", html, re.S)
    table = [[_text(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)] for _d, row in rows]
    assert [r[0] for r in table] == [
        "Baseline",
        "Scheduled check-in",
        "Scheduled check-in",
        "Scheduled check-in",
    ]
    assert [r[1].split(" ")[0] for r in table] == ["Completed", "Completed", "Completed", "Open:"]
    assert [r[3:7] for r in table[:3]] == [
        ["22", "7", "baseline", "Baseline"],
        ["16", "7", "down 27%", "Partial response"],
        ["9", "7", "down 59%", "Response"],
    ]
    assert [r[2] for r in table[:3]] == ["—", "5", "10"]
    assert "side effect severe" in text and "scalp discomfort" in text.lower()
    # The chart: an image with its title and description, a marker per point, the three lines.
    svg = re.search(r'<svg viewBox="0 0 720 320"[^>]*role="img"[^>]*>(.*?)</svg>', html, re.S)
    assert svg and 'aria-labelledby="phq9-chart-title phq9-chart-desc"' in html
    assert '<title id="phq9-chart-title">' in svg.group(1) and "<desc" in svg.group(1)
    assert "Baseline 22" in svg.group(1) and "50%: 11" in svg.group(1)
    assert "Remission &lt;5" in svg.group(1)
    for label in ("Baseline", "S5", "S10"):
        assert f">{label}</text>" in svg.group(1)
    # The same numbers as a table, and the side effects, one row a check-in.
    trend = html[html.index('id="trend-table-caption"') :]
    trend = trend[: trend.index("</table>")]
    cells = [_text(c) for c in re.findall(r"<td>(.*?)</td>", trend, re.S)]
    start = course.start_date
    # day, sessions by then, PHQ-9, its change, status, GAD-7, its change: one row a point.
    assert [cells[i : i + 7] for i in range(0, len(cells), 7)] == [
        [start.isoformat(), "—", "22", "—", "Baseline", "7", "—"],
        [
            (start + timedelta(7)).isoformat(),
            "5",
            "16",
            "down 27%",
            "Partial response",
            "7",
            "unchanged",
        ],
        [(start + timedelta(14)).isoformat(), "10", "9", "down 59%", "Response", "7", "unchanged"],
    ]
    side = html[html.index('id="side-effects-caption"') :]
    side = side[: side.index("</table>")]
    assert len(re.findall(r"<tr>", side)) == 4  # the header and three check-ins
    assert ">Moderate</td>" in side and ">Severe</td>" in side
    assert "headache <strong>moderate</strong>; scalp discomfort <strong>severe</strong>;" in html
    [viewed] = events("course_viewed")
    assert viewed.submission_id == course.submission_id
    assert viewed.detail == {"course_id": course.id}


# The end-of-course report ------------------------------------------------------------------------


def test_the_report_page_and_its_pdf_name_the_patient_and_the_outcome(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    course = course_with_checkins()
    complete(course, courses.clinic_today(), WEEK_3_4)
    login_as("front_desk")
    page = client.get(f"/clinician/courses/{course.id}/report")
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    reference = course.submission.reference
    for expected in (
        "Reyes, Ana",
        "1985-04-12",
        reference,
        "Standard TMS",
        "20 of 36 planned",
        "Outcome rules 1.0.0, sha256 "
        + courses.outcome(course).evaluation["ruleset"]["sha256"][:12],
    ):
        assert expected in text, expected
    assert "scalp discomfort <strong>severe</strong>" in page.get_data(as_text=True)
    plain = " ".join(re.sub(r"<[^>]+>", "", page.get_data(as_text=True)).split())
    assert (
        "Remission at session 20: PHQ-9 22 to 4, down 82%, because PHQ-9 4 is below 5 "
        "(remission), from 22 at baseline." in plain
    )
    pdf = client.get(f"/clinician/courses/{course.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    for number, sheet in enumerate(reader.pages, 1):
        words = " ".join(sheet.extract_text().split())
        assert f"ref. {reference}" in words, f"page {number} names the patient"
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Remission at session 20" in words and "PHQ-9" in words
    [viewed] = events("course_report_viewed")
    [downloaded] = events("course_report_pdf")
    assert viewed.detail == {"course_id": course.id}
    assert downloaded.detail["course_id"] == course.id and downloaded.detail["bytes"] == len(
        pdf.data
    )


def test_the_front_desks_submission_page_links_the_patients_courses(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    course = started()
    login_as("front_desk")
    html = client.get(f"/staff/submissions/{course.submission_id}").get_data(as_text=True)
    assert f'href="/clinician/courses/{course.id}"' in html
    assert "Standard TMS from " + course.start_date.isoformat() in _text(html)


def test_an_unknown_course_is_404(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    assert client.get("/clinician/courses/999999").status_code == 404
    assert client.get("/clinician/courses/999999/report.pdf").status_code == 404
