"""Courses with a check-in open, for the check-in pages' tests (patient, staff, browser).

The intake behind each course is the plain sample (answer_documents.py): born 1985-04-12,
PHQ-9 17 and GAD-7 7, which is the baseline a check-in after the baseline one is measured
against until the patient has done the baseline check-in.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from clinician_samples import store

from intake.extensions import db
from intake.models import CheckIn, Course
from intake.models.types import utcnow
from intake.rules import RULESET
from intake.services import courses
from intake.services.reviews import record_review
from tests.factories import make_user

BORN = date(1985, 4, 12)
NONE_ASQ = {
    "wished_dead": "no",
    "family_better_off": "no",
    "thoughts_of_killing_self": "no",
    "ever_tried": "no",
    "thoughts_right_now": None,
}


def open_course(
    *, weeks_ago: int = 0, answers: dict[str, Any] | None = None
) -> tuple[Course, CheckIn]:
    """A course started ``weeks_ago`` weeks before the clinic's today, and its open check-in
    (the baseline when started today, the latest weekly one otherwise); ``answers``: the
    intake's, the plain sample by default."""
    submission = store(answers)
    record_review(
        submission, clinician_id=None, decision="agree", codes=[], note="", ruleset=RULESET
    )
    today = courses.clinic_today()
    course = courses.start_course(
        submission,
        kind="standard_tms",
        start_date=today - timedelta(weeks=weeks_ago),
        planned_sessions=30,
        taper_sessions=6,
        every_days=7,
        maintenance_months=6,
        by=make_user("clinician"),
        today=today,
    )
    db.session.commit()
    checkin = courses.open_checkin(course)
    assert checkin is not None
    return course, checkin


def link_for(checkin: CheckIn) -> str:
    """A fresh link token for the check-in (committed)."""
    raw = courses.new_token(checkin, utcnow())
    db.session.commit()
    return raw


def tablet_code_for(checkin: CheckIn) -> str:
    code = courses.new_tablet_code(checkin, utcnow(), by=make_user("front_desk"))
    db.session.commit()
    return code


def completed(
    phq9: list[int], *, asq: dict[str, Any] | None = None, weeks_ago: int = 1, **effects: str
) -> CheckIn:
    """A check-in completed through the service (for the staff pages' tests)."""
    _course, checkin = open_course(weeks_ago=weeks_ago)
    courses.complete_checkin(
        checkin,
        {"phq9": phq9, "gad7": [1] * 7, "asq": asq, "side_effects": effects},
        opened_by="link",
        now=utcnow(),
        today=courses.clinic_today(),
    )
    db.session.commit()
    return checkin
