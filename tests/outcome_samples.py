"""Courses with completed check-ins, made through the course service (the outcomes tests).

``make_course`` starts a course from a reviewed copy of the intake sample (PHQ-9 17), does its
baseline check-in with a chosen PHQ-9 (or leaves it, so the intake is the baseline), then one
weekly check-in per follow-up total, and ends it if asked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from clinician_samples import store

from intake.extensions import db
from intake.models import Course
from intake.rules import RULESET
from intake.services import courses
from intake.services.reviews import record_review
from tests.factories import make_user

START = date(2026, 11, 2)
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def items(total: int) -> list[int]:
    """Nine PHQ-9 answers adding up to ``total`` (item 9 stays 0: no ASQ needed)."""
    out = []
    for _ in range(8):
        out.append(min(3, total))
        total -= out[-1]
    assert total == 0, "at most 24 with item 9 at 0"
    return [*out, 0]


def make_course(
    kind: str,
    baseline: int | None,
    follow_ups: list[int],
    *,
    start: date = START,
    ending: str | None = None,
) -> Course:
    """A course of ``kind``: its baseline check-in done with PHQ-9 ``baseline`` (None: not done,
    so the intake's 17 is the baseline), then one weekly check-in per ``follow_ups`` total."""
    submission = store()
    record_review(
        submission, clinician_id=None, decision="agree", codes=[], note="", ruleset=RULESET
    )
    doctor = make_user("clinician")
    course = courses.start_course(
        submission,
        kind=kind,
        start_date=start,
        planned_sessions=30,
        taper_sessions=6,
        every_days=7,
        maintenance_months=0,
        by=doctor,
        today=start,
    )
    now = datetime.combine(start, NOW.timetz())
    if baseline is not None:
        courses.complete_checkin(
            course.checkins[0],
            {"phq9": items(baseline), "gad7": [1] * 7, "asq": None, "side_effects": {}},
            opened_by="link",
            now=now,
            today=start,
        )
    for week, total in enumerate(follow_ups, start=1):
        day = start + timedelta(days=7 * week)
        courses.sync_checkins(course, day)
        courses.complete_checkin(
            course.checkins[-1],
            {"phq9": items(total), "gad7": [1] * 7, "asq": None, "side_effects": {}},
            opened_by="link",
            now=now + timedelta(days=7 * week),
            today=day,
        )
    if ending is not None:
        day = start + timedelta(days=7 * len(follow_ups))
        courses.end_course(
            course,
            status=ending,
            ended_on=day,
            reason="moved to Portland" if ending == "stopped_early" else "",
            by=doctor,
            today=day,
            expected_version=None,
        )
    db.session.commit()
    return course
