"""Courses of care (issue 16): starting one, sessions, ending it, its check-ins and outcome.

The course pages, the check-in pages, the worker and the reports all go through here, so
there is one answer to "which check-ins are due", "what is the baseline" and "how is the
course going". The outcome is never stored as a verdict: :func:`evaluation` builds the
course's ``intake-course/1`` document from what is stored and runs the same outcome rules as
``flask --app intake evaluate-course`` (so a page and the command never disagree). Only what
the queue needs without evaluating — a completed check-in's flags and urgency, with the
stamp of the rules that raised them — is kept on the check-in.

The baseline is the baseline check-in once the patient has done it; until then it is the
intake's own PHQ-9 and GAD-7, dated the day the intake was sent (docs/clinician.md).

Services flush, never commit. Times come in as ``now`` (aware UTC); days are the clinic's.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from intake import course_schedule
from intake.course import parse_course
from intake.extensions import db
from intake.models import CheckIn, CheckInToken, ClinicianReview, Course, CourseSession, Submission
from intake.models.types import utcnow
from intake.rules.outcomes import default_outcome_rules, evaluate_course
from intake.services import alerts, audit, settings
from intake.services.risk import RISK_NOTE_REQUIRED
from intake.vocabulary import COURSE_KINDS, LANGUAGES, RISK_OUTCOMES, codes

#: A check-in link works this long after it is sent (a reminder sends a new one).
TOKEN_LIFETIME = timedelta(days=7)
#: A tablet code works this long after staff made it: the patient is at the clinic now.
TABLET_CODE_LIFETIME = timedelta(hours=2)
#: Tablet codes: 8 characters without look-alikes (0/O, 1/I/L), about 40 bits.
TABLET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TABLET_CODE_LENGTH = 8
#: Limits of a planned course (the review's planned course uses the same: docs/clinician.md).
SESSIONS_MAX = 60
TAPER_MAX = 12
EVERY_DAYS_MAX = 90
MAINTENANCE_MAX = 12

ENDINGS = ("completed", "stopped_early", "transferred")
#: The most urgent check-ins a list shows at once (acute first, then the longest waiting); a
#: full list says "or more" (the header's figure counts them all).
URGENT_LIST_LIMIT = 200
#: How far from today a course may start (a year either way).
START_WINDOW_DAYS = 366


class CourseError(Exception):
    """A course change that cannot be made; the message says why, in words for staff."""


class CourseConflict(CourseError):
    """Someone changed the course after this page was loaded: nothing was saved (a 409)."""

    def __init__(self) -> None:
        super().__init__(
            "Not saved: someone else changed this course since you opened the page. "
            "Nothing was overwritten. Look at the course as it is now and try again."
        )


@dataclass(frozen=True)
class CourseOutcome:
    """A course's evaluation with the dates and check-ins it was built from, in order."""

    baseline_from: str  # "checkin" or "intake"
    baseline_date: date
    checkins: list[CheckIn]  # the completed check-ins after the baseline, in date order
    evaluation: dict[str, Any]


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# Starting, sessions, ending -----------------------------------------------------------------------


def start_problem(submission: Submission) -> str | None:
    """Why a course cannot start from ``submission`` (None when it can)."""
    if submission.partial:
        return "A course starts from a full intake, not a partial one."
    if submission.patient_id is None:
        return "This intake has no patient record yet."
    reviewed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ClinicianReview)
        .where(ClinicianReview.submission_id == submission.id)
    )
    if not reviewed:
        return "A clinician reviews the intake before a course starts."
    return None


def start_course(
    submission: Submission,
    *,
    kind: str,
    start_date: date,
    planned_sessions: int,
    taper_sessions: int,
    every_days: int,
    maintenance_months: int,
    by: Any,
    today: date,
) -> Course:
    """Start a course for the submission's patient, and its baseline check-in when due."""
    problem = start_problem(submission)
    if problem:
        raise CourseError(problem)
    if kind not in codes(COURSE_KINDS):
        raise CourseError("Choose the kind of course.")
    _check_range(planned_sessions, 0, SESSIONS_MAX, "Planned sessions")
    _check_range(taper_sessions, 0, TAPER_MAX, "Taper sessions")
    _check_range(every_days, 1, EVERY_DAYS_MAX, "Days between check-ins")
    _check_range(maintenance_months, 0, MAINTENANCE_MAX, "Months of follow-up")
    if abs((start_date - today).days) > START_WINDOW_DAYS:
        # A mistyped year would otherwise schedule centuries of check-ins (or none).
        raise CourseError("The start day must be within a year of today.")
    assert submission.patient_id is not None
    # The intake's row lock: a double click (or two clinicians) cannot start the same course
    # twice; the second sees the first and is refused.
    db.session.execute(
        sa.select(Submission.id).where(Submission.id == submission.id).with_for_update()
    )
    duplicate = db.session.scalar(
        sa.select(Course.id).where(
            Course.patient_id == submission.patient_id,
            Course.kind == kind,
            Course.status == "active",
        )
    )
    if duplicate is not None:
        raise CourseError(
            "This patient already has an active course of this kind: record sessions on it, "
            "or end it before starting another."
        )
    course = Course(
        patient_id=submission.patient_id,
        submission_id=submission.id,
        kind=kind,
        start_date=start_date,
        planned_sessions=planned_sessions,
        taper_sessions=taper_sessions,
        checkin_every_days=every_days,
        maintenance_months=maintenance_months,
        started_by_id=by.id,
    )
    db.session.add(course)
    db.session.flush()
    audit.record(
        "course_started",
        submission=submission,
        detail={"course_id": course.id, "kind": kind},
        actor=by,
    )
    sync_checkins(course, today)
    return course


def _check_range(value: int, low: int, high: int, what: str) -> None:
    if not low <= value <= high:
        raise CourseError(f"{what} must be a whole number from {low} to {high}.")


def _check_version(course: Course, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != course.version:
        raise CourseConflict()


def lock(course_id: int) -> Course | None:
    """The course, its row locked for this transaction (PostgreSQL; SQLite locks on write)."""
    return db.session.scalar(
        sa.select(Course).where(Course.id == course_id).with_for_update(of=Course)
    )


def record_session(
    course: Course,
    *,
    delivered_on: date,
    note: str,
    by: Any,
    today: date,
    expected_version: int | None,
) -> CourseSession:
    """Add the next session delivered (numbered in order); the course's version moves on, so a
    second form sent from an older page is a conflict, never a duplicate session."""
    _check_version(course, expected_version)
    if course.status != "active":
        raise CourseError("Sessions are recorded only while the course is active.")
    if delivered_on < course.start_date:
        raise CourseError("A session cannot be before the course started.")
    if delivered_on > today:
        raise CourseError("A session cannot be in the future.")
    number = len(course.sessions) + 1
    session = CourseSession(
        course=course, number=number, delivered_on=delivered_on, note=note, recorded_by_id=by.id
    )
    course.sessions.append(session)
    _touch(course)
    db.session.flush()
    audit.record(
        "course_session_recorded",
        submission=course.submission,
        detail={"course_id": course.id, "session": number},
        actor=by,
    )
    return session


def _touch(course: Course) -> None:
    """Mark the course changed, so its version moves on even when only a child row was added."""
    sa.orm.attributes.flag_modified(course, "planned_sessions")


def end_course(
    course: Course,
    *,
    status: str,
    ended_on: date,
    reason: str,
    by: Any,
    today: date,
    expected_version: int | None,
) -> Course:
    """End the course as completed, stopped early (with a reason) or transferred."""
    _check_version(course, expected_version)
    if course.status != "active":
        raise CourseError("This course has already ended.")
    if status not in ENDINGS:
        raise CourseError("Choose how the course ended.")
    if status == "stopped_early" and not reason.strip():
        raise CourseError("Say why the course stopped early.")
    if ended_on < course.start_date:
        raise CourseError("A course cannot end before it started.")
    if ended_on > today:
        raise CourseError("A course cannot end in the future.")
    last_session = course.sessions[-1].delivered_on if course.sessions else None
    if last_session is not None and ended_on < last_session:
        raise CourseError("A course cannot end before its last session.")
    latest_due = max((c.due_on for c in course.checkins), default=None)
    if latest_due is not None and ended_on < latest_due:
        # The end check-in must come after every check-in already asked for, or it would sort
        # before one and never open.
        raise CourseError(
            f"A check-in was already due on {latest_due.isoformat()}: end the course on that "
            "day or later."
        )
    course.status = status
    course.ended_on = ended_on
    course.end_reason = reason.strip()
    course.ended_by_id = by.id
    db.session.flush()
    audit.record(
        "course_ended",
        submission=course.submission,
        detail={"course_id": course.id, "status": status},
        actor=by,
    )
    sync_checkins(course, today)
    return course


# Check-ins ----------------------------------------------------------------------------------------


def sync_checkins(course: Course, today: date) -> list[CheckIn]:
    """Create the course's check-ins that have fallen due by ``today``; the new ones, in order.

    Idempotent (unique per course, kind and day): the worker's daily sweep, a course page and
    an ended course all call it, and a check-in is never made twice.
    """
    due = course_schedule.due_checkins(
        start=course.start_date,
        every_days=course.checkin_every_days,
        status=course.status,
        ended_on=course.ended_on,
        maintenance_months=course.maintenance_months,
        today=today,
    )
    have = {(checkin.kind, checkin.due_on) for checkin in course.checkins}
    new = [
        CheckIn(kind=item.kind, due_on=item.due_on)
        for item in due
        if (item.kind, item.due_on) not in have
    ]
    for checkin in new:
        course.checkins.append(checkin)
    if new:
        db.session.flush()
    return new


def open_checkin(course: Course) -> CheckIn | None:
    """The one check-in the patient can answer now: the latest due, if not done yet."""
    checkins = sorted(course.checkins, key=lambda c: (c.due_on, c.id or 0))
    index = course_schedule.open_index([checkin.completed for checkin in checkins])
    return None if index is None else checkins[index]


def is_open(checkin: CheckIn) -> bool:
    return open_checkin(checkin.course) is checkin


def can_send(checkin: CheckIn) -> bool:
    """Answers to ``checkin`` may still be stored: it is not done, and no check-in after it is.

    Looser than :func:`is_open` on purpose: a patient answering when the next check-in falls
    due (the worker's sweep, a staff page, the course ending) must not lose what they typed —
    above all not a positive safety answer. A link or code opens only the open check-in;
    one already open in the patient's browser may still be sent.
    """
    if checkin.completed:
        return False
    # One indexed probe, not the course and every check-in of it loaded (the check-in page
    # asks on every view).
    later = (
        sa.select(CheckIn.id)
        .where(
            CheckIn.course_id == checkin.course_id,
            CheckIn.completed_at.is_not(None),
            sa.or_(
                CheckIn.due_on > checkin.due_on,
                sa.and_(CheckIn.due_on == checkin.due_on, CheckIn.id > checkin.id),
            ),
        )
        .limit(1)
    )
    return db.session.scalar(later) is None


def new_token(checkin: CheckIn, now: datetime) -> str:
    """A new link token for the check-in (only its hash is stored); valid for a week."""
    raw = secrets.token_urlsafe(32)
    db.session.add(
        CheckInToken(
            checkin_id=checkin.id, token_hash=hash_secret(raw), expires_at=now + TOKEN_LIFETIME
        )
    )
    db.session.flush()
    return raw


def new_tablet_code(checkin: CheckIn, now: datetime, *, by: Any) -> str:
    """A short code staff read out at the clinic's tablet; it replaces any earlier code."""
    if not is_open(checkin):
        raise CourseError("Only the check-in due now can be opened at the tablet.")
    raw = "".join(secrets.choice(TABLET_ALPHABET) for _ in range(TABLET_CODE_LENGTH))
    checkin.tablet_code_hash = hash_secret(raw)
    checkin.tablet_code_expires_at = now + TABLET_CODE_LIFETIME
    db.session.flush()
    audit.record(
        "checkin_tablet_code",
        submission=checkin.course.submission,
        detail={"course_id": checkin.course_id, "checkin_id": checkin.id},
        actor=by,
    )
    return raw


def normalise_code(code: str) -> str:
    """What a patient typed as the code, as it was issued: upper case, no spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def checkin_for_token(raw: str, now: datetime) -> CheckIn | None:
    """The open check-in a link token opens, or None (unknown, expired, used or superseded)."""
    if not raw or len(raw) > 100:
        return None
    token = db.session.scalar(
        sa.select(CheckInToken).where(CheckInToken.token_hash == hash_secret(raw))
    )
    if token is None or token.expires_at <= now or token.used_at is not None:
        return None
    checkin = db.session.get(CheckIn, token.checkin_id)
    if checkin is None or checkin.completed or not is_open(checkin):
        return None
    return checkin


def checkin_for_tablet(code: str, birth_date: date | None, now: datetime) -> CheckIn | None:
    """The open check-in of a tablet code, if the date of birth is the patient's own."""
    code = normalise_code(code)
    if len(code) != TABLET_CODE_LENGTH or birth_date is None:
        return None
    checkin = db.session.scalar(
        sa.select(CheckIn).where(CheckIn.tablet_code_hash == hash_secret(code))
    )
    if (
        checkin is None
        or checkin.completed
        or checkin.tablet_code_expires_at is None
        or checkin.tablet_code_expires_at <= now
        or not is_open(checkin)
    ):
        return None
    if checkin.course.submission.date_of_birth != birth_date:
        return None
    return checkin


def complete_checkin(
    checkin: CheckIn,
    answers: dict[str, Any],
    *,
    opened_by: str,
    now: datetime,
    today: date,
    language: str = "en",
) -> dict[str, Any]:
    """Store the patient's answers (``phq9``, ``gad7``, ``asq`` or None, ``side_effects``) and
    what the outcome rules say about them; the check-in's evaluation. ``language`` is the one
    the patient's pages were in, shown to staff beside the answers.

    Validated by the contract's own reader: the answers are put into the course's document as
    its next check-in, so a check-in is accepted exactly when ``evaluate-course`` would accept
    it. Raises ``InvalidAnswers`` (nothing stored) or :class:`CourseError` when the check-in
    can no longer be answered (completed in another tab, superseded).
    """
    if not can_send(checkin):
        raise CourseError("This check-in has already been sent or is no longer due.")
    course = checkin.course
    entry: dict[str, Any] = {
        "date": today.isoformat(),
        "session": len(course.sessions) or None,
        "phq9": answers.get("phq9"),
        "gad7": answers.get("gad7"),
        "asq": answers.get("asq"),
        "side_effects": answers.get("side_effects") or {},
    }
    if checkin.kind == "baseline":
        # The baseline check-in *is* the baseline: it is evaluated against itself.
        document = {
            "contract": "intake-course/1",
            "baseline": {k: entry[k] for k in ("date", "phq9", "gad7")},
            "checkins": [entry],
        }
    else:
        document = _document(course, extra=entry)
    parsed = parse_course(document)  # raises InvalidAnswers
    evaluation = evaluate_course(parsed)
    result = evaluation["checkins"][-1]
    flags = result["flags"]
    checkin.answers = {key: entry[key] for key in ("phq9", "gad7", "asq", "side_effects")}
    checkin.session = entry["session"]
    checkin.completed_at = now
    checkin.opened_by = opened_by
    checkin.language = language
    checkin.phq9_total = result["phq9"]
    checkin.gad7_total = result["gad7"]
    checkin.status = result["status"]
    checkin.flags = flags
    checkin.urgent = any(flag["level"] == "urgent" for flag in flags)
    checkin.acute = any(flag["code"] == "suicide_risk_acute" for flag in flags)
    checkin.outcome_version = evaluation["ruleset"]["version"]
    checkin.outcome_sha256 = evaluation["ruleset"]["sha256"]
    checkin.tablet_code_hash = None
    db.session.execute(
        sa.update(CheckInToken)
        .where(CheckInToken.checkin_id == checkin.id, CheckInToken.used_at.is_(None))
        .values(used_at=now)
    )
    db.session.flush()
    # Urgent: the on-call tier is told, in this same transaction (the outbox).
    alerts.checkin_stored(checkin, now=now)
    audit.record(
        "checkin_completed",
        submission=course.submission,
        detail={"course_id": course.id, "checkin_id": checkin.id, "urgent": checkin.urgent},
        with_address=False,
    )
    return result


class CheckInConflict(CourseError):
    """Someone acted on the check-in after this page was loaded: nothing was saved (a 409)."""

    def __init__(self) -> None:
        super().__init__(
            "Not saved: someone else acted on this check-in since you opened the page. "
            "Nothing was overwritten. Look at the check-in as it is now and try again."
        )


def _check_checkin_version(checkin: CheckIn, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != checkin.version:
        raise CheckInConflict()


#: The languages an intake offers, each of which the patient side is written in.
PATIENT_LANGUAGES = codes(LANGUAGES)


def intake_language(course: Course) -> str:
    """The language the patient answered the course's intake in (step 1's "Which language do
    you prefer?"), for the check-in pages and e-mails: one the patient side is written in, else
    English."""
    answers = course.submission.answers or {}
    chosen = (answers.get("patient") or {}).get("preferred_language")
    return str(chosen) if chosen in PATIENT_LANGUAGES else "en"


def checkin_language(checkin_id: int) -> str | None:
    """``intake_language`` of a check-in's course, or None when there is no such check-in.

    One statement reading the answer itself: the check-in pages ask on every view, and the
    course and its whole submission (answers and evaluation) were loaded for this one value.
    """
    found = db.session.execute(
        sa.select(CheckIn.id, Submission.answers["patient"]["preferred_language"].as_string())
        .join(Course, Course.id == CheckIn.course_id)
        .join(Submission, Submission.id == Course.submission_id)
        .where(CheckIn.id == checkin_id)
    ).first()
    if found is None:
        return None
    return found[1] if found[1] in PATIENT_LANGUAGES else "en"


def get_checkin(checkin_id: int) -> CheckIn | None:
    return db.session.get(CheckIn, checkin_id)


def acknowledge(
    checkin: CheckIn,
    *,
    note: str,
    by: Any,
    now: datetime,
    expected_version: int | None = None,
) -> None:
    """Staff took an urgent check-in on: it leaves the queue's pinned list.

    ``expected_version`` is the check-in's version the staff page showed: a form sent from a
    page older than another colleague's acknowledgement or sign-off is a conflict, never a
    silent second acknowledgement.
    """
    _check_checkin_version(checkin, expected_version)
    if not checkin.urgent:
        raise CourseError("Only an urgent check-in is acknowledged.")
    if checkin.acknowledged_at is None:
        checkin.acknowledged_at = now
        checkin.acknowledged_by_id = by.id
        checkin.acknowledge_note = note.strip()
        db.session.flush()
    audit.record(
        "checkin_acknowledged",
        submission=checkin.course.submission,
        detail={"course_id": checkin.course_id, "checkin_id": checkin.id},
        actor=by,
    )


def sign_off(
    checkin: CheckIn,
    *,
    outcome: str,
    note: str,
    by: Any,
    now: datetime,
    expected_version: int | None = None,
) -> None:
    """A clinician's safety assessment of an urgent check-in: it leaves the urgent list (and
    counts as acknowledged, if nobody had yet). Signed once: a second sign-off is refused, so
    the first clinician's assessment is never overwritten."""
    _check_checkin_version(checkin, expected_version)
    if not checkin.urgent:
        raise CourseError("Only an urgent check-in is signed off.")
    if checkin.signed_off_at is not None:
        raise CourseError("This check-in has already been signed off.")
    if outcome not in codes(RISK_OUTCOMES):
        raise CourseError("Choose the outcome of the assessment.")
    if not by.has_role("clinician"):
        raise CourseError("Only a clinician signs an urgent check-in off.")
    if outcome in RISK_NOTE_REQUIRED and not note.strip():
        raise CourseError("Write a note for Other.")
    checkin.signed_off_at = now
    checkin.signed_off_by_id = by.id
    checkin.sign_off_outcome = outcome
    checkin.sign_off_note = note.strip()
    if checkin.acknowledged_at is None:
        checkin.acknowledged_at = now
        checkin.acknowledged_by_id = by.id
    db.session.flush()
    audit.record(
        "checkin_signed_off",
        submission=checkin.course.submission,
        detail={"course_id": checkin.course_id, "checkin_id": checkin.id, "outcome": outcome},
        actor=by,
    )


def urgent_open_condition() -> sa.ColumnElement[bool]:
    """An urgent check-in nobody on staff has acknowledged (``ix_checkin_urgent_open``)."""
    return sa.and_(CheckIn.urgent, CheckIn.acknowledged_at.is_(None))


def urgent_unsigned_condition() -> sa.ColumnElement[bool]:
    """An urgent check-in no clinician has signed off (the clinicians' urgent list)."""
    return sa.and_(CheckIn.urgent, CheckIn.signed_off_at.is_(None))


def urgent_open_checkins(limit: int = URGENT_LIST_LIMIT) -> list[CheckIn]:
    """Urgent check-ins nobody on staff has acknowledged yet: acute first, oldest first."""
    return list(
        db.session.scalars(
            sa.select(CheckIn)
            .where(urgent_open_condition())
            .options(sa.orm.selectinload(CheckIn.course))
            .order_by(CheckIn.acute.desc(), CheckIn.completed_at, CheckIn.id)
            .limit(limit)
        )
    )


def urgent_unsigned_checkins(limit: int = URGENT_LIST_LIMIT) -> list[CheckIn]:
    """Urgent check-ins no clinician has signed off yet, acknowledged or not: the clinicians'
    urgent list."""
    return list(
        db.session.scalars(
            sa.select(CheckIn)
            .where(urgent_unsigned_condition())
            .options(sa.orm.selectinload(CheckIn.course))
            .order_by(CheckIn.acute.desc(), CheckIn.completed_at, CheckIn.id)
            .limit(limit)
        )
    )


# The outcome --------------------------------------------------------------------------------------


def _baseline(course: Course) -> tuple[str, dict[str, Any]]:
    for checkin in course.checkins:
        if checkin.kind == "baseline" and checkin.completed and checkin.answers:
            assert checkin.completed_at is not None
            day = settings.local_day(checkin.completed_at)
            return "checkin", {
                "date": day.isoformat(),
                "phq9": checkin.answers["phq9"],
                "gad7": checkin.answers["gad7"],
            }
    answers = course.submission.answers
    return "intake", {
        "date": min(
            settings.local_day(course.submission.submitted_at), course.start_date
        ).isoformat(),
        "phq9": answers["phq9"]["items"],
        "gad7": answers["gad7"]["items"],
    }


def _after_baseline(course: Course) -> list[CheckIn]:
    done = [c for c in course.checkins if c.completed and c.answers and c.kind != "baseline"]
    return sorted(done, key=lambda c: (c.completed_at, c.id))


def _entry(checkin: CheckIn) -> dict[str, Any]:
    assert checkin.answers is not None and checkin.completed_at is not None
    return {
        "date": settings.local_day(checkin.completed_at).isoformat(),
        "session": checkin.session,
        **checkin.answers,
    }


def _document(course: Course, *, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The course as an ``intake-course/1`` document (what ``evaluate-course`` reads)."""
    _, baseline = _baseline(course)
    entries = [_entry(checkin) for checkin in _after_baseline(course)]
    if extra is not None:
        entries.append(extra)
    return {"contract": "intake-course/1", "baseline": baseline, "checkins": entries}


def course_document(course: Course) -> dict[str, Any]:
    return _document(course)


def outcome(course: Course) -> CourseOutcome:
    """The course's evaluation under the current outcome rules, with what it was built from."""
    source, baseline = _baseline(course)
    evaluation = evaluate_course(parse_course(_document(course)), default_outcome_rules())
    return CourseOutcome(
        baseline_from=source,
        baseline_date=date.fromisoformat(baseline["date"]),
        checkins=_after_baseline(course),
        evaluation=evaluation,
    )


def status_words(result: CourseOutcome) -> str:
    """The course's current status in one sentence, e.g. "Response at session 20: PHQ-9 22 to 9,
    down 59%"."""
    evaluation = result.evaluation
    base = evaluation["baseline"]["phq9"]
    if not evaluation["checkins"]:
        return f"Baseline only: PHQ-9 {base}; no check-in yet"
    last = evaluation["checkins"][-1]
    status = STATUS_WORDS.get(last["status"], last["status"])
    when = f" at session {last['session']}" if last["session"] else ""
    change = last["change_percent"]
    if change is None:
        moved = ""
    elif change < 0:
        moved = f", down {-change}%"
    elif change > 0:
        moved = f", up {change}%"
    else:
        moved = ", unchanged"
    return f"{status}{when}: PHQ-9 {base} to {last['phq9']}{moved}"


#: The outcome statuses in words (course pages, reports, the dashboard).
STATUS_WORDS: dict[str, str] = {
    "not_applicable": "Not measured (baseline PHQ-9 under 5)",
    "remission": "Remission",
    "response": "Response",
    "partial_response": "Partial response",
    "worsening": "Worsening",
    "no_response": "No response yet",
    "baseline_only": "Baseline only",
}


def courses_of_patient(patient_id: int) -> list[Course]:
    return list(
        db.session.scalars(
            sa.select(Course).where(Course.patient_id == patient_id).order_by(Course.id.desc())
        )
    )


def courses_from(submission: Submission) -> list[Course]:
    """The courses of the submission's patient (every course, whichever intake started it)."""
    if submission.patient_id is None:
        return []
    return courses_of_patient(submission.patient_id)


def default_every_days() -> int:
    return int(settings.get_setting(settings.COURSE_EVERY_DAYS))


def default_maintenance_months() -> int:
    return int(settings.get_setting(settings.COURSE_MAINTENANCE_MONTHS))


def clinic_today() -> date:
    return settings.local_day(utcnow())
