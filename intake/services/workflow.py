"""The submission workflow: statuses, allowed transitions, edit conflicts, notes.

Urgent submissions have a risk workflow of their own (contact attempts, a clinician's sign-off):
``intake.services.risk``. The acknowledgements recorded before it are kept and shown, never
written any more.

This module is the one place that says which status may follow which. Every change records who
made it and when, and writes an audit event. A change is made against the ``version`` the person
was looking at; when someone else changed the submission since, :class:`EditConflict` says who and
when, and nothing is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from intake.extensions import db
from intake.models import Note, StatusChange, Submission, User
from intake.models.types import utcnow
from intake.models.workflow import STATUSES
from intake.services import audit, settings

#: status -> the statuses it may move to. Closed and withdrawn can be reopened (to in review).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("in_review", "needs_info", "withdrawn"),
    "in_review": ("needs_info", "insurance_verified", "closed", "withdrawn"),
    "needs_info": ("in_review", "withdrawn"),
    "insurance_verified": ("scheduled", "needs_info", "withdrawn"),
    "scheduled": ("closed", "needs_info", "withdrawn"),
    "closed": ("in_review",),
    "withdrawn": ("in_review",),
}

NOTE_EDIT_WINDOW = timedelta(minutes=10)


class WorkflowError(Exception):
    """A workflow change was refused; ``str(error)`` is a message for people."""


class InvalidTransition(WorkflowError):
    pass


class EditConflict(WorkflowError):
    """Someone else changed the submission after this person loaded it."""

    def __init__(self, changed_by: str, changed_at: datetime | None) -> None:
        self.changed_by = changed_by
        self.changed_at = changed_at
        when = format_time(changed_at) if changed_at else "an earlier time"
        super().__init__(
            f"Not saved: this submission was changed by {changed_by} at {when}. "
            "Nothing was overwritten. Review the current details below and try again."
        )


class NoteLocked(WorkflowError):
    pass


def format_time(value: datetime) -> str:
    """A stored time for people, in the clinic's zone (``settings.local_time``, the one home)."""
    return settings.local_time(value)


def allowed_transitions(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in allowed_transitions(from_status)


def conflict_for(submission: Submission) -> EditConflict:
    """Who changed ``submission`` last, and when (from the submission, else the audit log)."""
    who = "someone else"
    when = submission.updated_at
    if submission.updated_by_id is not None:
        user = db.session.get(User, submission.updated_by_id)
        if user is not None:
            who = user.email
    return EditConflict(who, when)


def check_version(submission: Submission, expected_version: int | None) -> None:
    """Raise :class:`EditConflict` when ``expected_version`` is not the current version."""
    if expected_version is None or expected_version != submission.version:
        raise conflict_for(submission)


def touch(submission: Submission, user: User) -> None:
    """Mark ``submission`` as changed by ``user`` now (bumps ``version`` on flush).

    Other parts of the app that change a submission should call this too, so an edit conflict
    can say who changed it.
    """
    submission.updated_at = utcnow()
    submission.updated_by_id = user.id


def change_status(
    submission: Submission, to_status: str, *, by: User, expected_version: int | None
) -> StatusChange:
    """Move ``submission`` to ``to_status`` and record it (the caller commits)."""
    check_version(submission, expected_version)
    if to_status not in STATUSES:
        raise InvalidTransition("Choose one of the listed statuses.")
    from_status = submission.status
    if not can_transition(from_status, to_status):
        allowed = ", ".join(STATUSES[s] for s in allowed_transitions(from_status)) or "none"
        raise InvalidTransition(
            f"A submission that is {STATUSES.get(from_status, from_status)} cannot move to "
            f"{STATUSES[to_status]}. From here it can move to: {allowed}."
        )
    submission.status = to_status
    touch(submission, by)
    change = StatusChange(
        submission_id=submission.id,
        from_status=from_status,
        to_status=to_status,
        changed_by_id=by.id,
        changed_at=submission.updated_at,
    )
    db.session.add(change)
    audit.record(
        "status_changed",
        submission=submission,
        detail={"from": from_status, "to": to_status},
        actor=by,
    )
    return change


def assignable_staff() -> list[User]:
    """The colleagues a submission can be assigned to: enabled front-desk and clinician
    accounts (those who see patient data), by e-mail address."""
    users = db.session.scalars(sa.select(User).where(User.disabled.is_(False)).order_by(User.email))
    return [user for user in users if user.has_role("front_desk", "clinician")]


def assign(
    submission: Submission, assignee_id: int | None, *, by: User, expected_version: int | None
) -> User | None:
    """Assign ``submission`` to a colleague, or to nobody (``None``); the caller commits.

    Made against the version the person was looking at, as a status change is: two people
    assigning at once cannot silently overwrite each other (:class:`EditConflict`).
    """
    check_version(submission, expected_version)
    assignee = None
    if assignee_id is not None:
        assignee = next((u for u in assignable_staff() if u.id == assignee_id), None)
        if assignee is None:
            raise WorkflowError("Choose a colleague from the list.")
    previous = submission.assigned_to_id
    submission.assigned_to_id = assignee_id
    touch(submission, by)
    audit.record(
        "assigned",
        submission=submission,
        detail={"from": previous, "to": assignee_id},
        actor=by,
    )
    return assignee


def add_note(submission: Submission, *, by: User, body: str) -> Note:
    body = body.strip()
    if not body:
        raise WorkflowError("Write something in the note.")
    note = Note(submission_id=submission.id, author_id=by.id, body=body, created_at=utcnow())
    db.session.add(note)
    db.session.flush()
    audit.record("note_added", submission=submission, detail={"note_id": note.id}, actor=by)
    return note


def note_editable(note: Note, user: User, now: datetime | None = None) -> bool:
    return note.author_id == user.id and (now or utcnow()) - note.created_at <= NOTE_EDIT_WINDOW


def edit_note(note: Note, *, by: User, body: str) -> Note:
    if note.author_id != by.id:
        raise NoteLocked("Only the author can edit a note. Add a new note instead.")
    if not note_editable(note, by):
        raise NoteLocked(
            "Notes can be edited for 10 minutes only. Add a new note with the correction."
        )
    body = body.strip()
    if not body:
        raise WorkflowError("Write something in the note.")
    note.body = body
    note.edited_at = utcnow()
    audit.record(
        "note_edited",
        submission=db.session.get(Submission, note.submission_id),
        detail={"note_id": note.id},
        actor=by,
    )
    return note
