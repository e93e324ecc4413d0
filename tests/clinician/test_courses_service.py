"""Courses of care at the service level (issue 16): the schedule, sessions, endings, the
check-in links and tablet codes, and a completed check-in's outcome and urgency.

Expected values are worked out here from the issue's definitions (response = a fall of at
least 50%, remission = PHQ-9 under 5, a weekly schedule from the start day), not read from the
code's tables. The intake sample's PHQ-9 is 17 and its GAD-7 7 (answer_documents.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from clinician_samples import store
from flask import Flask

from intake.answers import InvalidAnswers
from intake.course_schedule import Due, add_months, due_checkins
from intake.extensions import db
from intake.models import AuditEvent, CheckIn, CheckInToken, Submission
from intake.rules import RULESET
from intake.services import courses
from intake.services.reviews import record_review
from tests.factories import make_user

START = date(2026, 11, 2)  # a Monday
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
NONE_ASQ = {
    "wished_dead": "no",
    "family_better_off": "no",
    "thoughts_of_killing_self": "no",
    "ever_tried": "no",
    "thoughts_right_now": None,
}


def answers(phq9: list[int], *, asq: dict[str, Any] | None = None, **effects: str) -> dict:
    return {"phq9": phq9, "gad7": [1] * 7, "asq": asq, "side_effects": effects}


def reviewed() -> Submission:
    submission = store()
    record_review(
        submission, clinician_id=None, decision="agree", codes=[], note="", ruleset=RULESET
    )
    db.session.commit()
    return submission


def start(submission: Submission | None = None, **changes: Any) -> courses.Course:  # type: ignore[name-defined]
    values: dict[str, Any] = {
        "kind": "standard_tms",
        "start_date": START,
        "planned_sessions": 30,
        "taper_sessions": 6,
        "every_days": 7,
        "maintenance_months": 6,
        "today": START,
        **changes,
    }
    course = courses.start_course(submission or reviewed(), by=make_user("clinician"), **values)
    db.session.commit()
    return course


# The schedule (pure) ----------------------------------------------------------------------------

D = date.fromisoformat

SCHEDULE = (
    # (status, ended_on, today) -> the check-ins due, as (kind, day)
    ("active", None, "2026-11-01", []),
    ("active", None, "2026-11-02", [("baseline", "2026-11-02")]),
    ("active", None, "2026-11-08", [("baseline", "2026-11-02")]),
    ("active", None, "2026-11-09", [("baseline", "2026-11-02"), ("interval", "2026-11-09")]),
    (
        "active",
        None,
        "2026-11-23",
        [
            ("baseline", "2026-11-02"),
            ("interval", "2026-11-09"),
            ("interval", "2026-11-16"),
            ("interval", "2026-11-23"),
        ],
    ),
    # Ended on an interval day: the end check-in replaces that day's interval check-in.
    (
        "completed",
        "2026-11-16",
        "2026-11-20",
        [("baseline", "2026-11-02"), ("interval", "2026-11-09"), ("end", "2026-11-16")],
    ),
    (
        "stopped_early",
        "2026-11-05",
        "2026-11-05",
        [("baseline", "2026-11-02"), ("end", "2026-11-05")],
    ),
    # Transferred: no end check-in and no follow-up here.
    ("transferred", "2026-11-05", "2027-06-01", [("baseline", "2026-11-02")]),
    # Completed: monthly follow-ups, six of them, each on the same day of the month.
    (
        "completed",
        "2026-11-05",
        "2027-02-05",
        [
            ("baseline", "2026-11-02"),
            ("end", "2026-11-05"),
            ("maintenance", "2026-12-05"),
            ("maintenance", "2027-01-05"),
            ("maintenance", "2027-02-05"),
        ],
    ),
    (
        "completed",
        "2026-11-05",
        "2028-01-01",
        [("baseline", "2026-11-02"), ("end", "2026-11-05")]
        + [("maintenance", d) for d in ("2026-12-05", "2027-01-05", "2027-02-05")]
        + [("maintenance", d) for d in ("2027-03-05", "2027-04-05", "2027-05-05")],
    ),
)


@pytest.mark.parametrize(("status", "ended_on", "today", "expected"), SCHEDULE)
def test_the_schedule(status: str, ended_on: str | None, today: str, expected: list) -> None:
    due = due_checkins(
        start=START,
        every_days=7,
        status=status,
        ended_on=D(ended_on) if ended_on else None,
        maintenance_months=6,
        today=D(today),
    )
    assert due == [Due(kind, D(day)) for kind, day in expected]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2027-12-15", 1, "2028-01-15"),
        ("2028-01-31", 1, "2028-02-29"),
    ],
)
def test_a_month_later_is_the_month_end_when_the_day_does_not_exist(
    day: str, months: int, expected: str
) -> None:
    assert add_months(D(day), months) == D(expected)


# Starting a course -------------------------------------------------------------------------------


def test_a_course_needs_a_reviewed_full_intake(app: Flask) -> None:
    unreviewed = store()
    with pytest.raises(courses.CourseError, match="reviews the intake"):
        start(unreviewed)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(courses.Course)) == 0


def test_starting_makes_the_baseline_check_in_and_audits(app: Flask) -> None:
    course = start()
    assert [(c.kind, c.due_on) for c in course.checkins] == [("baseline", START)]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "course_started"))
    assert event is not None and event.detail == {"course_id": course.id, "kind": "standard_tms"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("planned_sessions", 61),
        ("taper_sessions", -1),
        ("every_days", 0),
        ("maintenance_months", 13),
    ],
)
def test_out_of_range_plans_are_refused(app: Flask, field: str, value: int) -> None:
    with pytest.raises(courses.CourseError, match="whole number"):
        start(**{field: value})


def test_sync_is_idempotent_and_adds_only_what_fell_due(app: Flask) -> None:
    course = start()
    assert courses.sync_checkins(course, START + timedelta(days=6)) == []
    new = courses.sync_checkins(course, START + timedelta(days=14))
    assert [(c.kind, c.due_on) for c in new] == [
        ("interval", START + timedelta(days=7)),
        ("interval", START + timedelta(days=14)),
    ]
    assert courses.sync_checkins(course, START + timedelta(days=14)) == []
    db.session.commit()
    assert len(course.checkins) == 3


# Sessions and endings ----------------------------------------------------------------------------


def test_sessions_are_numbered_and_a_stale_form_is_a_conflict(app: Flask) -> None:
    course = start()
    nurse = make_user("front_desk")
    version = course.version
    courses.record_session(
        course, delivered_on=START, note="", by=nurse, today=START, expected_version=version
    )
    db.session.commit()
    assert course.version == version + 1
    with pytest.raises(courses.CourseConflict):
        courses.record_session(
            course, delivered_on=START, note="", by=nurse, today=START, expected_version=version
        )
    courses.record_session(
        course, delivered_on=START, note="2nd", by=nurse, today=START, expected_version=None
    )
    db.session.commit()
    assert [(s.number, s.note) for s in course.sessions] == [(1, ""), (2, "2nd")]


@pytest.mark.parametrize(
    ("day", "message"),
    [(START - timedelta(days=1), "before the course"), (START + timedelta(days=1), "future")],
)
def test_a_session_day_must_be_in_the_course_and_not_ahead(
    app: Flask, day: date, message: str
) -> None:
    course = start()
    with pytest.raises(courses.CourseError, match=message):
        courses.record_session(
            course, delivered_on=day, note="", by=make_user(), today=START, expected_version=None
        )


def test_stopping_early_needs_a_reason_and_ends_with_a_check_in(app: Flask) -> None:
    course = start()
    doctor = make_user("clinician")
    end = START + timedelta(days=3)
    with pytest.raises(courses.CourseError, match="why"):
        courses.end_course(
            course,
            status="stopped_early",
            ended_on=end,
            reason=" ",
            by=doctor,
            today=end,
            expected_version=None,
        )
    courses.end_course(
        course,
        status="stopped_early",
        ended_on=end,
        reason="moved away",
        by=doctor,
        today=end,
        expected_version=course.version,
    )
    db.session.commit()
    assert course.status == "stopped_early" and course.end_reason == "moved away"
    assert [c.kind for c in course.checkins] == ["baseline", "end"]
    with pytest.raises(courses.CourseError, match="already ended"):
        courses.end_course(
            course,
            status="completed",
            ended_on=end,
            reason="",
            by=doctor,
            today=end,
            expected_version=None,
        )


# Links and tablet codes --------------------------------------------------------------------------


def test_a_link_opens_only_the_open_check_in_until_it_expires(app: Flask) -> None:
    course = start()
    baseline = course.checkins[0]
    raw = courses.new_token(baseline, NOW)
    db.session.commit()
    stored = db.session.scalars(sa.select(CheckInToken.token_hash)).all()
    assert raw not in stored and len(stored) == 1  # only the hash is kept
    assert courses.checkin_for_token(raw, NOW) is baseline
    assert courses.checkin_for_token(raw, NOW + timedelta(days=7)) is None  # expired
    assert courses.checkin_for_token(raw + "x", NOW) is None
    # A week later the next check-in is due: the baseline's link no longer opens anything.
    courses.sync_checkins(course, START + timedelta(days=7))
    db.session.commit()
    assert courses.checkin_for_token(raw, NOW + timedelta(days=6)) is None


def test_a_link_is_single_use(app: Flask) -> None:
    course = start()
    raw = courses.new_token(course.checkins[0], NOW)
    courses.complete_checkin(
        course.checkins[0], answers([2] * 9, asq=NONE_ASQ), opened_by="link", now=NOW, today=START
    )
    db.session.commit()
    assert courses.checkin_for_token(raw, NOW) is None
    with pytest.raises(courses.CourseError, match="already been sent"):
        courses.complete_checkin(
            course.checkins[0], answers([0] * 9), opened_by="link", now=NOW, today=START
        )


def test_a_tablet_code_needs_the_patients_date_of_birth(app: Flask) -> None:
    course = start()
    code = courses.new_tablet_code(course.checkins[0], NOW, by=make_user())
    db.session.commit()
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert courses.checkin_for_tablet(typed, date(1985, 4, 12), NOW) is course.checkins[0]
    assert courses.checkin_for_tablet(code, date(1985, 4, 13), NOW) is None
    assert courses.checkin_for_tablet(code, None, NOW) is None
    assert courses.checkin_for_tablet(code, date(1985, 4, 12), NOW + timedelta(hours=2)) is None


# Completing a check-in ---------------------------------------------------------------------------

#: A check-in's PHQ-9 items -> its status against the intake's baseline of 17.
OUTCOMES = (
    ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "remission"),  # 4 < 5
    ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "response"),  # 17 → 5: down 70%
    ([1, 1, 1, 1, 1, 1, 1, 1, 0], 8, "response"),  # 17 → 8: down 52.9%
    ([1, 1, 1, 1, 1, 1, 1, 2, 0], 9, "partial_response"),  # down 47%
    ([2, 2, 2, 2, 2, 2, 1, 0, 0], 13, "no_response"),  # down 23.5%: under 25%
    ([2, 2, 2, 2, 2, 1, 1, 0, 0], 12, "partial_response"),  # down 29.4%
    ([2, 2, 2, 2, 2, 2, 2, 0, 0], 14, "no_response"),
    ([3, 3, 3, 3, 3, 3, 2, 2, 0], 22, "worsening"),  # +5
)


@pytest.mark.parametrize(("items", "total", "status"), OUTCOMES)
def test_a_check_in_is_measured_against_the_intake_until_the_baseline_is_done(
    app: Flask, items: list[int], total: int, status: str
) -> None:
    course = start()
    courses.sync_checkins(course, START + timedelta(days=7))
    db.session.commit()
    weekly = course.checkins[-1]
    result = courses.complete_checkin(
        weekly, answers(items), opened_by="link", now=NOW, today=START + timedelta(days=7)
    )
    db.session.commit()
    assert (result["phq9"], result["status"]) == (total, status)
    assert (weekly.phq9_total, weekly.status, weekly.urgent) == (total, status, False)
    outcome = courses.outcome(course)
    assert outcome.baseline_from == "intake"
    assert outcome.evaluation["baseline"] == {"phq9": 17, "gad7": 7}


def test_the_baseline_check_in_becomes_the_baseline(app: Flask) -> None:
    course = start()
    courses.complete_checkin(
        course.checkins[0], answers([2] * 9, asq=NONE_ASQ), opened_by="tablet", now=NOW, today=START
    )
    courses.sync_checkins(course, START + timedelta(days=7))
    db.session.commit()
    courses.complete_checkin(
        course.checkins[-1],
        answers([1] * 9),
        opened_by="link",
        now=NOW + timedelta(days=7),
        today=START + timedelta(days=7),
    )
    db.session.commit()
    outcome = courses.outcome(course)
    assert outcome.baseline_from == "checkin"
    assert outcome.evaluation["baseline"]["phq9"] == 18
    assert [c["status"] for c in outcome.evaluation["checkins"]] == ["response"]  # 18 → 9: 50%
    assert courses.status_words(outcome) == "Response: PHQ-9 18 to 9, down 50%"


def test_a_yes_right_now_makes_the_check_in_urgent_and_acute(app: Flask) -> None:
    course = start()
    acute = {**NONE_ASQ, "wished_dead": "yes", "thoughts_right_now": "yes"}
    courses.complete_checkin(
        course.checkins[0],
        answers([1] * 8 + [2], asq=acute),
        opened_by="link",
        now=NOW,
        today=START,
    )
    db.session.commit()
    checkin = db.session.get(CheckIn, course.checkins[0].id)
    assert checkin is not None and checkin.urgent and checkin.acute
    assert next(f["code"] for f in checkin.flags or []) == "suicide_risk_acute"
    assert courses.urgent_open_checkins() == [checkin]
    courses.acknowledge(checkin, note="called", by=make_user(), now=NOW)
    db.session.commit()
    assert courses.urgent_open_checkins() == []
    assert courses.urgent_unsigned_checkins() == [checkin]
    courses.sign_off(
        checkin, outcome="no_current_risk", note="", by=make_user("clinician"), now=NOW
    )
    db.session.commit()
    assert courses.urgent_unsigned_checkins() == []


def test_an_invalid_answer_is_refused_and_nothing_is_stored(app: Flask) -> None:
    course = start()
    with pytest.raises(InvalidAnswers):
        courses.complete_checkin(
            course.checkins[0],
            answers([1] * 8 + [1], asq={"wished_dead": "maybe"}),
            opened_by="link",
            now=NOW,
            today=START,
        )
    db.session.rollback()
    assert db.session.get(CheckIn, course.checkins[0].id).completed_at is None  # type: ignore[union-attr]


def test_a_seizure_is_urgent(app: Flask) -> None:
    course = start()
    courses.complete_checkin(
        course.checkins[0],
        answers([1] * 8 + [0], seizure="mild"),
        opened_by="link",
        now=NOW,
        today=START,
    )
    assert course.checkins[0].urgent and not course.checkins[0].acute


def test_a_start_day_more_than_a_year_away_is_refused(app: Flask) -> None:
    with pytest.raises(courses.CourseError, match="within a year"):
        start(start_date=date(9999, 12, 30))
    with pytest.raises(courses.CourseError, match="within a year"):
        start(start_date=date(1, 1, 1), every_days=1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0


def test_a_second_active_course_of_the_same_kind_is_refused(app: Flask) -> None:
    submission = reviewed()
    start(submission)
    with pytest.raises(courses.CourseError, match="already has an active course"):
        start(submission)
    db.session.rollback()
    start(submission, kind="psychotherapy")  # TMS with therapy: two kinds at once is normal


def test_a_course_cannot_end_before_a_check_in_already_due(app: Flask) -> None:
    course = start()
    courses.sync_checkins(course, START + timedelta(days=7))  # the first weekly one
    db.session.commit()
    with pytest.raises(courses.CourseError, match="already due on 2026-11-09"):
        courses.end_course(
            course,
            status="completed",
            ended_on=START + timedelta(days=3),
            reason="",
            by=make_user("clinician"),
            today=START + timedelta(days=8),
            expected_version=None,
        )
    courses.end_course(
        course,
        status="completed",
        ended_on=START + timedelta(days=8),
        reason="",
        by=make_user("clinician"),
        today=START + timedelta(days=8),
        expected_version=None,
    )
    db.session.commit()
    assert courses.open_checkin(course) is course.checkins[-1]
    assert course.checkins[-1].kind == "end"
