"""The risk workflow's services: contact attempts acknowledge, only a clinician signs off.

What is expected comes from the brief written in docs/staff.md ("The risk workflow"): any
recorded contact attempt (a "no answer" too) acknowledges an urgent submission; it stays on the
clinician's urgent list until a clinician records a risk assessment; the latest assessment is
the sign-off; a note is required for "reached", "wrong number" and an assessment's "other".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from answer_documents import ASQ_ACUTE, ASQ_YES
from flask import Flask

from intake.extensions import db
from intake.models import AuditEvent, ContactAttempt, RiskAssessment, Submission
from intake.models.types import utcnow
from intake.services import queue as qs
from intake.services import risk
from intake.services.workflow import EditConflict
from tests.factories import make_submission, make_user


def _unsigned_references() -> list[str]:
    return [row.reference for row in risk.unsigned().rows]


def _actions(submission_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.submission_id == submission_id)
            .order_by(AuditEvent.id)
        )
    )


def test_the_first_contact_attempt_acknowledges_and_a_later_one_keeps_that_time(
    app: Flask,
) -> None:
    desk = make_user("front_desk")
    s = make_submission(changes=ASQ_YES, reference="URG00001")
    assert s.acknowledged_at is None and qs.urgent_counts().unacknowledged.value == 1
    risk.record_contact_attempt(s, by=desk, outcome="no_answer", note="")
    db.session.commit()
    first = db.session.get(Submission, s.id).acknowledged_at
    assert first is not None
    # Taken on: out of the pinned list and the header count ...
    assert qs.urgent_counts().unacknowledged.value == 0
    assert qs.pinned(qs.QueueFilters()).rows == []
    # ... but a "no answer" is no sign-off: still on the clinician's list.
    assert _unsigned_references() == ["URG00001"]
    risk.record_contact_attempt(s, by=desk, outcome="reached", note="Safe at home with her sister.")
    db.session.commit()
    fresh = db.session.get(Submission, s.id)
    assert fresh.acknowledged_at == first
    assert [c.outcome for c in fresh.contact_attempts] == ["reached", "no_answer"]
    assert _actions(s.id) == ["contact_attempt_recorded", "contact_attempt_recorded"]
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "contact_attempt_recorded")
    ).all()
    assert [(e.actor_id, e.detail["outcome"], e.detail["acknowledged"]) for e in events] == [
        (desk.id, "no_answer", True),
        (desk.id, "reached", False),
    ]
    assert all("Safe at home" not in str(e.detail) for e in events)  # no free text in the log


@pytest.mark.parametrize(
    ("outcome", "note_required"),
    [("reached", True), ("left_voicemail", False), ("no_answer", False), ("wrong_number", True)],
)
def test_which_contact_outcomes_need_a_note(app: Flask, outcome: str, note_required: bool) -> None:
    desk = make_user("front_desk")
    s = make_submission(changes=ASQ_YES)
    if note_required:
        with pytest.raises(risk.RiskError, match="Say in the note"):
            risk.record_contact_attempt(s, by=desk, outcome=outcome, note="   ")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactAttempt)) == 0
    attempt = risk.record_contact_attempt(s, by=desk, outcome=outcome, note="Tried 503-555-0100")
    assert attempt.note == "Tried 503-555-0100"


def test_a_contact_attempt_needs_an_urgent_submission_and_a_known_outcome(app: Flask) -> None:
    desk = make_user("front_desk")
    with pytest.raises(risk.RiskError, match="Only urgent submissions"):
        risk.record_contact_attempt(make_submission(), by=desk, outcome="no_answer", note="")
    with pytest.raises(risk.RiskError, match="Choose what came of the call"):
        risk.record_contact_attempt(
            make_submission(changes=ASQ_YES), by=desk, outcome="emailed", note=""
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactAttempt)) == 0


def test_the_front_desk_cannot_sign_off(app: Flask) -> None:
    desk = make_user("front_desk")
    s = make_submission(changes=ASQ_YES)
    with pytest.raises(risk.NotAClinician):
        risk.record_assessment(
            s,
            by=desk,
            assessed_at=None,
            outcome="no_current_risk",
            note="",
            expected_version=s.version,
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RiskAssessment)) == 0
    assert s.risk_signed_off_at is None


def test_a_clinicians_assessment_signs_off_and_the_latest_one_counts(app: Flask) -> None:
    doctor = make_user("clinician")
    desk = make_user("front_desk")
    s = make_submission(
        changes=ASQ_YES, reference="URG00002", submitted_at=utcnow() - timedelta(hours=3)
    )
    risk.record_contact_attempt(s, by=desk, outcome="reached", note="Will come in today.")
    db.session.commit()
    assert _unsigned_references() == ["URG00002"]
    an_hour_ago = utcnow().replace(microsecond=0) - timedelta(hours=1)
    first = risk.record_assessment(
        s,
        by=doctor,
        assessed_at=an_hour_ago,
        outcome="safety_plan",
        note="Plan agreed.",
        expected_version=s.version,
    )
    db.session.commit()
    assert _unsigned_references() == []
    assert risk.unsigned_count() == 0
    fresh = db.session.get(Submission, s.id)
    assert fresh.risk_signed_off_at == an_hour_ago
    assert (first.clinician_id, first.assessed_at, first.outcome) == (
        doctor.id,
        an_hour_ago,
        "safety_plan",
    )
    # A later assessment moves the sign-off on; one for an earlier time does not move it back.
    later = risk.record_assessment(
        fresh,
        by=doctor,
        assessed_at=None,
        outcome="no_current_risk",
        note="",
        expected_version=fresh.version,
    )
    db.session.commit()
    fresh = db.session.get(Submission, s.id)
    assert fresh.risk_signed_off_at == later.assessed_at
    earlier = risk.record_assessment(
        fresh,
        by=doctor,
        assessed_at=an_hour_ago - timedelta(minutes=30),
        outcome="other",
        note="Phoned by the on-call clinician first.",
        expected_version=fresh.version,
    )
    db.session.commit()
    fresh = db.session.get(Submission, s.id)
    assert fresh.risk_signed_off_at == later.assessed_at
    assert [a.id for a in fresh.risk_assessments] == [later.id, first.id, earlier.id]
    assert risk.latest_assessment(fresh).id == later.id
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "risk_assessed").order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.detail["outcome"], e.detail["first"]) for e in events] == [
        (doctor.id, "safety_plan", True),
        (doctor.id, "no_current_risk", False),
        (doctor.id, "other", False),
    ]


def test_an_assessment_is_checked(app: Flask) -> None:
    doctor = make_user("clinician")
    s = make_submission(changes=ASQ_YES, submitted_at=utcnow() - timedelta(hours=2))

    def assess(**kw: object) -> RiskAssessment:
        values = {
            "assessed_at": None,
            "outcome": "no_current_risk",
            "note": "",
            "expected_version": s.version,
            **kw,
        }
        return risk.record_assessment(s, by=doctor, **values)  # type: ignore[arg-type]

    with pytest.raises(risk.RiskError, match="in the future"):
        assess(assessed_at=utcnow() + timedelta(minutes=10))
    with pytest.raises(risk.RiskError, match="before the submission was sent"):
        assess(assessed_at=utcnow() - timedelta(hours=3))
    with pytest.raises(risk.RiskError, match="Say in the note"):
        assess(outcome="other", note=" ")
    with pytest.raises(risk.RiskError, match="Choose the outcome"):
        assess(outcome="fine")
    with pytest.raises(risk.RiskError, match="limited to 4000"):
        assess(note="x" * 4001)
    with pytest.raises(risk.RiskError, match="Only urgent submissions"):
        calm = make_submission()
        risk.record_assessment(
            calm,
            by=doctor,
            assessed_at=None,
            outcome="no_current_risk",
            note="",
            expected_version=calm.version,
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RiskAssessment)) == 0


def test_a_sign_off_made_without_seeing_a_newer_call_is_refused(app: Flask) -> None:
    doctor = make_user("clinician")
    desk = make_user("front_desk", email="desk@example.org")
    s = make_submission(changes=ASQ_YES)
    seen = s.version  # the clinician opens the summary ...
    risk.record_contact_attempt(s, by=desk, outcome="reached", note="Has a plan for tonight.")
    db.session.commit()  # ... the front desk records a call meanwhile
    with pytest.raises(EditConflict, match=r"changed by desk@example\.org"):
        risk.record_assessment(
            s,
            by=doctor,
            assessed_at=None,
            outcome="no_current_risk",
            note="",
            expected_version=seen,
        )
    assert db.session.get(Submission, s.id).risk_signed_off_at is None


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_the_clinicians_list_acute_first_then_oldest_with_each_contact_state(app: Flask) -> None:
    desk = make_user("front_desk")
    doctor = make_user("clinician")
    now = utcnow()
    old = make_submission(
        changes=ASQ_YES, reference="OLD00001", submitted_at=now - timedelta(hours=5)
    )
    make_submission(changes=ASQ_YES, reference="NEW00001", submitted_at=now - timedelta(hours=1))
    make_submission(
        changes=ASQ_ACUTE, reference="ACU00001", submitted_at=now - timedelta(minutes=5)
    )
    done = make_submission(
        changes=ASQ_YES, reference="DON00001", submitted_at=now - timedelta(hours=9)
    )
    make_submission(reference="CALM0001")  # not urgent: never on the list
    risk.record_contact_attempt(old, by=desk, outcome="no_answer", note="")
    risk.record_contact_attempt(old, by=desk, outcome="left_voicemail", note="")
    risk.record_assessment(
        done,
        by=doctor,
        assessed_at=None,
        outcome="no_current_risk",
        note="",
        expected_version=done.version,
    )
    db.session.commit()
    db.session.expire_all()
    with _statements() as statements:
        page = risk.unsigned()
    assert len(statements) == 3  # the count, the lines, their latest attempts: never one per row
    assert [row.reference for row in page.rows] == ["ACU00001", "OLD00001", "NEW00001"]
    assert page.total == 3 and page.pages == 1
    contact = {row.reference: row.last_contact for row in page.rows}
    assert contact["ACU00001"] is None and contact["NEW00001"] is None
    assert contact["OLD00001"] is not None and contact["OLD00001"].outcome == "left_voicemail"


def test_the_clinicians_list_is_paged(app: Flask) -> None:
    now = utcnow()
    for n in range(5):
        make_submission(
            changes=ASQ_YES, reference=f"PAGE000{n}", submitted_at=now - timedelta(hours=10 - n)
        )
    first = risk.unsigned(page=1, per_page=2)
    last = risk.unsigned(page=3, per_page=2)
    assert [r.reference for r in first.rows] == ["PAGE0000", "PAGE0001"]
    assert first.has_next and not first.has_previous and first.pages == 3
    assert [r.reference for r in last.rows] == ["PAGE0004"]
    assert risk.unsigned(page=99, per_page=2).page == 3
