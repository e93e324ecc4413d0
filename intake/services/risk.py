"""The risk workflow of an urgent submission: contact attempts, then a clinician's sign-off.

Two lists, two duties (docs/staff.md, "The risk workflow"):

- **The front desk takes it on.** Someone calls the patient and records the attempt
  (:func:`record_contact_attempt`): reached, left a voicemail, no answer or wrong number. Any
  recorded attempt, "no answer" included, means staff have taken the submission on: the first
  one sets ``Submission.acknowledged_at``, so it leaves the queue's pinned list, the header
  count and the alert escalation.
- **A clinician signs it off.** Only a clinician records the brief safety assessment
  (:func:`record_assessment`), which sets ``Submission.risk_signed_off_at``. Until then the
  submission stays on the clinician's urgent list (:func:`unsigned`), whatever the front desk
  did: that list is the safety net for a "no answer".

Services flush and audit; the view commits. A change is checked against the ``version`` the
person was looking at where it matters (a sign-off made without seeing a newer call is refused).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from intake.extensions import db
from intake.models import ContactAttempt, RiskAssessment, Submission, User
from intake.models.submission import unsigned_condition
from intake.models.types import utcnow
from intake.services import audit
from intake.services.workflow import WorkflowError, check_version, touch
from intake.vocabulary import CONTACT_OUTCOMES, RISK_OUTCOMES, codes

NOTE_MAX = 4000
#: A contact attempt needs a note for these outcomes: what the patient said and what was agreed
#: (the clinician reads it before signing off), or which number was tried and what happens next.
CONTACT_NOTE_REQUIRED = ("reached", "wrong_number")
#: A risk assessment needs a note for these outcomes.
RISK_NOTE_REQUIRED = ("other",)
#: The clinician's urgent list, a page at a time.
LIST_PAGE_SIZE = 50
#: The clock of the browser that sent an assessment's time may run a little ahead of ours.
CLOCK_SLACK = timedelta(minutes=1)


class RiskError(WorkflowError):
    """A contact attempt or an assessment that cannot be stored; the message says why."""


class NotAClinician(RiskError):
    """Only a clinician signs an urgent submission off."""


def _note(note: str | None, outcome: str, required: Iterable[str], what: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise RiskError(f"The note is limited to {NOTE_MAX} characters.")
    if outcome in required and not note:
        raise RiskError(what)
    return note


def record_contact_attempt(
    submission: Submission, *, by: User, outcome: str, note: str | None
) -> ContactAttempt:
    """Record a call to the patient of an urgent submission (the caller commits).

    The first attempt sets ``acknowledged_at`` (the submission is taken on); every attempt marks
    the submission changed by ``by`` (its version goes up), so a clinician about to sign off on
    what they saw before this call is told to look again.
    """
    if not submission.urgent:
        raise RiskError("Only urgent submissions need a contact attempt.")
    if outcome not in codes(CONTACT_OUTCOMES):
        raise RiskError("Choose what came of the call.")
    note = _note(
        note,
        outcome,
        CONTACT_NOTE_REQUIRED,
        "Say in the note what the patient said and what was agreed."
        if outcome == "reached"
        else "Say in the note which number was tried and what happens next.",
    )
    now = utcnow()
    attempt = ContactAttempt(
        submission_id=submission.id, by_id=by.id, at=now, outcome=outcome, note=note
    )
    db.session.add(attempt)
    first = submission.acknowledged_at is None
    if first:
        submission.acknowledged_at = now
    touch(submission, by)
    db.session.flush()
    audit.record(
        "contact_attempt_recorded",
        submission=submission,
        detail={"attempt_id": attempt.id, "outcome": outcome, "acknowledged": first},
        actor=by,
    )
    return attempt


def record_assessment(
    submission: Submission,
    *,
    by: User,
    assessed_at: datetime | None,
    outcome: str,
    note: str | None,
    expected_version: int | None,
    now: datetime | None = None,
) -> RiskAssessment:
    """Record a clinician's risk assessment; it signs the submission off (the caller commits).

    Raises :class:`NotAClinician` for anyone else, :class:`~intake.services.workflow.EditConflict`
    when the submission changed since ``expected_version`` (a contact attempt, another
    sign-off), :class:`RiskError` for an assessment that cannot be stored. ``assessed_at``
    (aware UTC) defaults to now and may not be in the future nor before the submission was
    sent. The sign-off time is the latest assessment's: one recorded now for an earlier time
    never moves it back.
    """
    if not by.has_role("clinician"):
        raise NotAClinician("Only a clinician can record a risk assessment.")
    check_version(submission, expected_version)
    if not submission.urgent:
        raise RiskError("Only urgent submissions need a risk assessment.")
    if outcome not in codes(RISK_OUTCOMES):
        raise RiskError("Choose the outcome of the assessment.")
    note = _note(note, outcome, RISK_NOTE_REQUIRED, "Say in the note what the outcome was.")
    now = now or utcnow()
    when = assessed_at or now
    if when > now + CLOCK_SLACK:
        raise RiskError("The time of the assessment cannot be in the future.")
    if when < submission.submitted_at.replace(second=0, microsecond=0):
        raise RiskError("The time of the assessment cannot be before the submission was sent.")
    assessment = RiskAssessment(
        submission_id=submission.id,
        clinician_id=by.id,
        assessed_at=when,
        recorded_at=now,
        outcome=outcome,
        note=note,
    )
    db.session.add(assessment)
    signed_off = submission.risk_signed_off_at
    first = signed_off is None
    if signed_off is None or when > signed_off:
        submission.risk_signed_off_at = when
    touch(submission, by)
    db.session.flush()
    audit.record(
        "risk_assessed",
        submission=submission,
        detail={"assessment_id": assessment.id, "outcome": outcome, "first": first},
        actor=by,
    )
    return assessment


@dataclass(frozen=True, slots=True)
class LastContact:
    """The latest contact attempt of a submission, as the lists show it."""

    submission_id: int
    outcome: str
    at: datetime


def last_contacts(submission_ids: Iterable[int]) -> dict[int, LastContact]:
    """The latest contact attempt of each of these submissions, in one query (a list's page)."""
    ids = sorted(set(submission_ids))
    if not ids:
        return {}
    latest = (
        sa.select(sa.func.max(ContactAttempt.id))
        .where(ContactAttempt.submission_id.in_(ids))
        .group_by(ContactAttempt.submission_id)
    )
    rows = db.session.execute(
        sa.select(ContactAttempt.submission_id, ContactAttempt.outcome, ContactAttempt.at).where(
            ContactAttempt.id.in_(latest)
        )
    )
    return {row.submission_id: LastContact(*row) for row in rows}


@dataclass(frozen=True, slots=True)
class UnsignedRow:
    """One line of the clinician's urgent list."""

    id: int
    reference: str
    acute: bool
    submitted_at: datetime
    acknowledged_at: datetime | None
    last_contact: LastContact | None


@dataclass
class UnsignedPage:
    rows: list[UnsignedRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def select_unsigned() -> sa.Select[Any]:
    """Every urgent submission no clinician has signed off: acute first, then oldest first
    (the order of ``ix_submission_unsigned``)."""
    return (
        sa.select(Submission)
        .where(unsigned_condition())
        .order_by(Submission.acute.desc(), Submission.submitted_at.asc(), Submission.id.asc())
    )


def unsigned_count() -> int:
    """How many urgent submissions wait for a clinician's sign-off (read from the partial index)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Submission).where(unsigned_condition())
        )
        or 0
    )


def unsigned(page: int = 1, per_page: int = LIST_PAGE_SIZE) -> UnsignedPage:
    """One page of the clinician's urgent list, each line with its latest contact attempt: three
    queries whatever the page holds (the count, the lines, their latest attempts)."""
    total = unsigned_count()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    stmt = (
        select_unsigned()
        .with_only_columns(
            Submission.id,
            Submission.reference,
            Submission.acute,
            Submission.submitted_at,
            Submission.acknowledged_at,
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    lines = db.session.execute(stmt).all()
    contacts = last_contacts(line.id for line in lines if line.acknowledged_at is not None)
    rows = [UnsignedRow(*line, last_contact=contacts.get(line.id)) for line in lines]
    return UnsignedPage(rows, total, page, per_page)


def latest_assessment(submission: Submission) -> RiskAssessment | None:
    """The assessment that signs ``submission`` off (the one assessed latest), or None."""
    assessments = submission.risk_assessments
    return assessments[0] if assessments else None
