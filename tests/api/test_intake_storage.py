"""The intake's write path stores what the ORM stored (issue 13's cut of ``submit_document``).

``submit_document`` inserts the submission, its pathway rows, its patient record and its
``submission_created`` audit event as Core statements and hands back a persistent ORM object
made from the row it inserted. These compare that with the slow reference it replaced (an
ORM ``Submission`` from ``build_submission``, flushed) column by column, and check the rows
against what the contract and the workflow say a new submission is.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from answer_documents import ASQ_ACUTE, OCD_TWO_FAILED_SRIS, changed, sample_answers
from flask import Flask

from intake.extensions import db
from intake.models import AuditEvent, Submission
from intake.models.submission import SubmissionPathway
from intake.models.types import utcnow
from intake.services import audit, patients
from intake.services.submissions import (
    Idempotency,
    StoredIntake,
    build_submission,
    evaluate_document,
    find_by_idempotency_key,
    submit_document,
    today,
)

#: Columns each submission has of its own, not to compare between two submissions.
OWN = {"id", "reference", "created_at", "submitted_at", "patient_id"}

DOCUMENTS = {
    "plain": {},
    "acute, crisis pathway": ASQ_ACUTE,
    "ocd, TMS with ERP": OCD_TWO_FAILED_SRIS,
}


def _row(submission_id: int) -> dict[str, Any]:
    """The committed row, read on a connection of its own."""
    table = Submission.__table__
    with db.engine.connect() as conn:
        return dict(
            conn.execute(sa.select(table).where(table.c.id == submission_id)).one()._mapping
        )


def _pathways(submission_id: int) -> list[tuple[str, Any]]:
    table = SubmissionPathway.__table__
    with db.engine.connect() as conn:
        return [
            (code, at)
            for code, at in conn.execute(
                sa.select(table.c.code, table.c.submitted_at)
                .where(table.c.submission_id == submission_id)
                .order_by(table.c.code)
            )
        ]


def _reference_submission(document: dict[str, Any]) -> Submission:
    """The way ``submit_document`` stored a submission before: an ORM object, flushed."""
    answers, evaluation = evaluate_document(document, today())
    submission = build_submission(answers, evaluation, source="api", submitted_at=utcnow())
    patients.assign_record(submission)
    db.session.add(submission)
    db.session.flush()
    return submission


@pytest.mark.parametrize("changes", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_the_core_insert_stores_the_row_the_orm_stored(app: Flask, changes: dict) -> None:
    document = changed(sample_answers(), changes)
    fast = submit_document(document, source="api")
    slow = _reference_submission(document)
    fast_id, slow_id = fast.id, slow.id
    db.session.commit()
    fast_row, slow_row = _row(fast_id), _row(slow_id)
    assert fast_row.keys() == slow_row.keys()
    differing = {k for k in fast_row if k not in OWN and fast_row[k] != slow_row[k]}
    assert differing == set()
    assert [code for code, _ in _pathways(fast_id)] == [code for code, _ in _pathways(slow_id)]
    assert all(at == fast_row["submitted_at"] for _, at in _pathways(fast_id))
    assert fast_row["patient_id"] is not None
    assert fast_row["patient_id"] != slow_row["patient_id"]


def test_a_new_submission_row_is_what_the_workflow_says_a_new_one_is(app: Flask) -> None:
    submission = submit_document(changed(sample_answers(), ASQ_ACUTE), source="api")
    submission_id = submission.id
    db.session.commit()
    row = _row(submission_id)
    # Written out here, not read from the code's tables: a new submission is "new", the first
    # status of the workflow, at version 1, not partial, unacknowledged, unassigned, unreviewed.
    assert (row["status"], row["status_rank"], row["version"]) == ("new", 0, 1)
    assert (row["partial"], row["source"]) == (False, "api")
    assert (row["urgent"], row["acute"], row["top_flag"]) == (True, True, "suicide_risk_acute")
    assert row["last_name"] == "Reyes"
    assert row["created_at"] == row["submitted_at"]
    for column in (
        "acknowledged_at",
        "updated_at",
        "updated_by_id",
        "risk_signed_off_at",
        "api_token_id",
        "idempotency_key",
        "request_sha256",
        "completes_id",
        "review_decision",
        "assigned_to_id",
    ):
        assert row[column] is None, column
    # One pathway row per pathway of the stored evaluation; the acute screen's among them.
    codes = [code for code, _ in _pathways(submission_id)]
    assert codes == sorted(p["code"] for p in row["evaluation"]["pathways"])
    assert "crisis_support" in codes


def test_the_returned_submission_holds_every_column_without_a_query(app: Flask) -> None:
    submission = submit_document(sample_answers(), source="api")
    state = sa.inspect(submission)
    assert state.persistent
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        held = {c.key: getattr(submission, c.key) for c in Submission.__table__.columns}
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []
    submission_id = submission.id
    db.session.commit()
    stored = _row(submission_id)
    assert held == stored
    # Its relationships load from the database when first read.
    assert [row.code for row in submission.pathway_rows] == [
        code for code, _ in _pathways(submission_id)
    ]


def test_the_returned_submission_is_updated_through_its_version_counter(app: Flask) -> None:
    submission = submit_document(sample_answers(), source="api")
    submission.status = "in_review"
    db.session.flush()
    assert submission.version == 2
    db.session.commit()
    row = _row(submission.id)
    assert (row["status"], row["version"]) == ("in_review", 2)
    assert row["status_rank"] != 0


def test_a_submission_after_a_rollback_is_its_own_object(app: Flask) -> None:
    """SQLite gives a rolled-back row's id to the next row: the expired object left under it
    in the session must not be taken for the new one (nor refuse it)."""
    first = submit_document(sample_answers(), source="api")
    first_id = first.id
    db.session.rollback()
    second = submit_document(
        changed(sample_answers(), {"patient.last_name": "Ortiz"}), source="api"
    )
    assert second.last_name == "Ortiz"
    assert db.session.get(Submission, second.id) is second
    db.session.commit()
    assert _row(second.id)["last_name"] == "Ortiz"
    assert second.id >= first_id


def test_the_audit_event_is_the_row_record_adds(app: Flask) -> None:
    submission = submit_document(sample_answers(), source="api")
    submission_id = submission.id
    audit.record(
        "submission_created",
        submission=submission,
        detail={"source": "api", "urgent": False},
    )
    db.session.commit()
    table = AuditEvent.__table__
    with db.engine.connect() as conn:
        rows = [
            dict(row._mapping)
            for row in conn.execute(sa.select(table).where(table.c.submission_id == submission_id))
        ]
    assert len(rows) == 2
    own = {"id", "created_at"}
    assert [{k: v for k, v in r.items() if k not in own} for r in rows] == [
        {
            "actor_id": None,
            "actor_email": None,
            "action": "submission_created",
            "submission_id": submission_id,
            "detail": {"source": "api", "urgent": False},
            "ip_address": None,
        }
    ] * 2
    assert all(r["created_at"] is not None for r in rows)


def test_an_undeclared_audit_action_is_refused(app: Flask) -> None:
    with pytest.raises(ValueError, match="undeclared"):
        audit.record_row("submission_made")


def test_the_idempotency_look_up_gives_what_a_retry_answers_with(app: Flask) -> None:
    from intake.services.api_tokens import create_token

    create_token("kiosk")
    token_id = db.session.scalar(sa.text("SELECT id FROM api_token WHERE name = 'kiosk'"))
    stored = submit_document(
        sample_answers(), source="api", idempotency=Idempotency(token_id, "k-1", "ab" * 32)
    )
    expected = StoredIntake(stored.id, stored.reference, "ab" * 32)
    db.session.commit()
    assert find_by_idempotency_key(token_id, "k-1") == expected
    assert find_by_idempotency_key(token_id, "k-2") is None
    assert find_by_idempotency_key(token_id + 1, "k-1") is None


def test_a_column_with_only_a_server_default_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Core insert sends every column; one with only a server default would be sent NULL,
    overriding it. Such a column (a later migration's) must be refused, not silently NULL."""
    import sqlalchemy as sa

    from intake.services import submissions

    table = sa.Table(
        "submission_like",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.String, default="new"),
        sa.Column("added_later", sa.Boolean, server_default=sa.false()),
    )
    monkeypatch.setattr(submissions, "_TABLE", table)
    with pytest.raises(RuntimeError, match="added_later"):
        submissions._unset_columns.__wrapped__()
    assert submissions._unset_columns() is not None  # the real table (cached) has none
