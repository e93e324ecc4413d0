"""Patient records and match suggestions (issue 16; docs/staff.md "Returning patients").

When a submission is stored, ``assign_record`` (before its insert) gives it a record of its
own (or its partial's, when it completes one from the same draft) and ``link_new`` (after)
a :class:`PatientMatch` suggestion for each earlier *patient* it looks like — the same folded
last name and date of birth, the same e-mail address or the same phone number
(``intake.names``). Nothing is merged until the front desk confirms: ``confirm`` moves the
submission's whole record into the earlier one, ``reject`` records "not the same person",
``undo`` moves a confirmed record back.
Each decision is audited and made once (a double click or a second tab changes nothing).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import cast

import sqlalchemy as sa

from intake.extensions import db
from intake.models import Patient, PatientMatch, Submission, User
from intake.models.types import utcnow
from intake.services import audit

#: At most this many earlier patients are suggested for one submission (the closest first).
SUGGESTION_LIMIT = 5


class MatchError(Exception):
    """A decision that cannot be made now; ``str(error)`` is for the front desk."""


def _new_patient() -> int:
    """A new patient record's id: one Core ``INSERT ... RETURNING`` (no ORM object to flush;
    nothing reads the record but its id)."""
    table = cast(sa.Table, Patient.__table__)
    return int(db.session.execute(sa.insert(table).returning(table.c.id), {}).scalar_one())


def patient_of(submission: Submission) -> int:
    """The submission's patient record, made now for a row stored without one (demo data)."""
    if submission.patient_id is None:
        submission.patient_id = _new_patient()
        db.session.flush()
    return submission.patient_id


def record_for(completes_id: int | None) -> int:
    """The patient record a submission about to be stored goes under, so its row is inserted
    with it instead of updated after: the record of the partial it completes (``completes_id``),
    else a new one."""
    if completes_id is not None:
        partial = db.session.get(Submission, completes_id)
        if partial is not None:
            return patient_of(partial)
    return _new_patient()


def assign_record(submission: Submission) -> None:
    """Give an ORM submission about to be flushed its patient record (``record_for``). Call
    before the submission's own flush; ``link_new`` after it."""
    if submission.patient_id is None:
        submission.patient_id = record_for(submission.completes_id)


@functools.cache
def _candidates(email: bool, phone: bool) -> sa.CompoundSelect:
    """The ``UNION ALL`` of the tests that apply (the name and date of birth always; the
    e-mail and the phone when the submission has them), each its 50 newest other
    submissions not already in the submission's record. Built once per shape, with bound
    parameters, so a request neither rebuilds nor re-keys it for SQLAlchemy's cache."""
    s = Submission.__table__.c  # Core columns: no ORM statement, so no autoflush and no ORM rows
    tests: list[tuple[str, sa.ColumnElement[bool]]] = [
        (
            "name_dob",
            sa.and_(
                s.last_name_folded == sa.bindparam("last_name_folded"),
                s.date_of_birth == sa.bindparam("date_of_birth"),
            ),
        )
    ]
    if email:
        tests.append(("email", s.email_folded == sa.bindparam("email_folded")))
    if phone:
        tests.append(("phone", s.phone_digits == sa.bindparam("phone_digits")))
    per_test = [
        sa.select(sa.literal(code).label("code"), s.id, s.patient_id)
        .where(condition, s.id != sa.bindparam("own_id"))
        .where(sa.or_(s.patient_id.is_(None), s.patient_id != sa.bindparam("own_patient")))
        .order_by(s.submitted_at.desc(), s.id.desc())
        .limit(50)
        .subquery()
        for code, condition in tests
    ]
    return sa.union_all(*(sa.select(*sub.c) for sub in per_test))


def link_new(submission: Submission) -> list[PatientMatch]:
    """Suggest earlier patients a just-stored submission looks like (flushed; the caller
    commits with the submission). A submission stored without ``assign_record`` gets its
    record here.

    One query (``_candidates``): the 50 newest candidates of each test, each row carrying its
    test's code and its patient record (which the suggestion rule needs)."""
    if submission.patient_id is None:
        assign_record(submission)
    # The candidates' statement is Core (no autoflush): flush whatever the caller left pending,
    # as the ORM statement did (nothing, on the submit path: no work, no SQL).
    db.session.flush()
    statement = _candidates(bool(submission.email_folded), bool(submission.phone_digits))
    reasons: dict[int, set[str]] = {}
    patients: dict[int, int | None] = {}
    found = db.session.execute(
        statement,
        {
            "last_name_folded": submission.last_name_folded,
            "date_of_birth": submission.date_of_birth,
            "email_folded": submission.email_folded,
            "phone_digits": submission.phone_digits,
            "own_id": submission.id,
            "own_patient": submission.patient_id,
        },
    )
    for code, candidate_id, patient_id in found:
        reasons.setdefault(candidate_id, set()).add(code)
        patients[candidate_id] = patient_id
    # One suggestion per earlier patient: its newest submission, the most reasons first.
    by_patient: dict[object, int] = {}
    for candidate_id in sorted(reasons, key=lambda i: (-len(reasons[i]), -i)):
        by_patient.setdefault(patients.get(candidate_id) or ("alone", candidate_id), candidate_id)
    matches = [
        PatientMatch(
            submission_id=submission.id,
            candidate_id=candidate_id,
            reasons=",".join(sorted(reasons[candidate_id])),
        )
        for candidate_id in list(by_patient.values())[:SUGGESTION_LIMIT]
    ]
    if matches:
        db.session.add_all(matches)
        db.session.flush()
    return matches


def suggestions(submission: Submission) -> list[PatientMatch]:
    """Every match decision about ``submission`` (suggested first, then decided), newest first."""
    return list(
        db.session.scalars(
            sa.select(PatientMatch)
            .where(PatientMatch.submission_id == submission.id)
            .order_by((PatientMatch.status == "suggested").desc(), PatientMatch.id.desc())
        )
    )


def earlier_intakes(submission: Submission) -> list[Submission]:
    """The other submissions of the same patient record, newest first."""
    if submission.patient_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Submission)
            .where(Submission.patient_id == submission.patient_id, Submission.id != submission.id)
            .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        )
    )


def _lock(submission: Submission) -> None:
    """Take the submission's row lock (PostgreSQL; SQLite serialises writers anyway): two
    decisions about the same submission, in two tabs or by two people, run one after the other,
    each seeing what the other did."""
    db.session.execute(
        sa.select(Submission.id).where(Submission.id == submission.id).with_for_update()
    )


def linked_match(submission: Submission) -> PatientMatch | None:
    """The confirmed match of ``submission``, if it is linked to an earlier patient."""
    return db.session.scalar(
        sa.select(PatientMatch).where(
            PatientMatch.submission_id == submission.id, PatientMatch.status == "confirmed"
        )
    )


def _decide(match_id: int, submission_id: int, *, to: str, by: User) -> PatientMatch:
    """Move a suggested match to ``to`` once: a conditional UPDATE, so two clicks or two tabs
    cannot both decide it."""
    done = db.session.execute(
        sa.update(PatientMatch)
        .where(
            PatientMatch.id == match_id,
            PatientMatch.submission_id == submission_id,
            PatientMatch.status == "suggested",
        )
        .values(status=to, decided_by_id=by.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise MatchError("This suggestion was already decided: see what was recorded below.")
    match = db.session.get_one(PatientMatch, match_id)
    db.session.refresh(match)
    return match


def _move(ids: Sequence[int], patient_id: int) -> None:
    db.session.execute(
        sa.update(Submission)
        .where(Submission.id.in_(list(ids)))
        .values(patient_id=patient_id)
        .execution_options(synchronize_session=False)
    )


def confirm(submission: Submission, match_id: int, *, by: User) -> PatientMatch:
    """Same patient: move every submission of this record into the candidate's record.

    One link at a time: while a suggestion of this submission is confirmed, another cannot be
    (undo it first), so two people are never joined through a third's intake."""
    _lock(submission)
    if linked_match(submission) is not None:
        raise MatchError(
            "This intake is already linked to an earlier patient: undo that link first."
        )
    match = _decide(match_id, submission.id, to="confirmed", by=by)
    candidate = db.session.get_one(Submission, match.candidate_id)
    target = patient_of(candidate)
    source = patient_of(submission)
    if source == target:
        raise MatchError("These intakes are already one patient's record.")
    moved = list(
        db.session.scalars(sa.select(Submission.id).where(Submission.patient_id == source))
    )
    _move(moved, target)
    match.from_patient_id, match.moved_ids = source, moved
    audit.record(
        "patient_match_confirmed",
        submission=submission,
        detail={"match": match.id, "candidate": candidate.id, "moved": moved},
        actor=by,
    )
    db.session.flush()
    return match


def reject(submission: Submission, match_id: int, *, by: User) -> PatientMatch:
    """Not the same patient: the suggestion is closed and nothing moves."""
    match = _decide(match_id, submission.id, to="rejected", by=by)
    audit.record(
        "patient_match_rejected",
        submission=submission,
        detail={"match": match.id, "candidate": match.candidate_id},
        actor=by,
    )
    return match


def undo(submission: Submission, match_id: int, *, by: User) -> PatientMatch:
    """Reverse a confirmation: the submissions it moved, where they still are in the record
    it moved them to, go back to the record they left."""
    _lock(submission)
    done = db.session.execute(
        sa.update(PatientMatch)
        .where(
            PatientMatch.id == match_id,
            PatientMatch.submission_id == submission.id,
            PatientMatch.status == "confirmed",
        )
        .values(status="undone", decided_by_id=by.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise MatchError("Only a confirmed match can be undone, once.")
    match = db.session.get_one(PatientMatch, match_id)
    db.session.refresh(match)
    if match.from_patient_id is not None and match.moved_ids:
        target = patient_of(db.session.get_one(Submission, match.candidate_id))
        still = db.session.scalars(
            sa.select(Submission.id).where(
                Submission.id.in_([int(i) for i in match.moved_ids]),
                Submission.patient_id == target,
            )
        ).all()
        _move(list(still), match.from_patient_id)
    audit.record(
        "patient_match_undone",
        submission=submission,
        detail={"match": match.id, "moved_back": match.moved_ids or []},
        actor=by,
    )
    db.session.flush()
    return match
