"""``POST /api/v1/intakes``: a stored intake is reported as stored, and a retry with the same
``Idempotency-Key`` returns it instead of storing it twice (issue 9)."""

from __future__ import annotations

import pytest
from answer_documents import changed, sample_answers
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from intake.extensions import db
from intake.models import Submission
from intake.services.submissions import submit_document
from tests.committed import committed_count


def _token(runner: FlaskCliRunner, name: str = "kiosk") -> str:
    result = runner.invoke(args=["api-token", "create", name])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


@pytest.fixture
def token(runner: FlaskCliRunner) -> str:
    return _token(runner)


def _post(client: FlaskClient, token: str, document: object, key: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/api/v1/intakes", json=document, headers=headers)


def _rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission)) or 0


def test_a_retry_with_the_same_key_returns_the_first_intake(
    client: FlaskClient, token: str
) -> None:
    key = "6f1c2a9e-4b7d-4c1e-9d3f-0a2b4c6d8e10"
    first = _post(client, token, sample_answers(), key)
    assert first.status_code == 201
    again = _post(client, token, sample_answers(), key)
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _rows() == 1
    stored = db.session.scalar(select(Submission))
    assert stored is not None and stored.idempotency_key == key
    assert committed_count(Submission, Submission.idempotency_key == key) == 1


def test_the_same_answers_in_another_order_are_the_same_request(
    client: FlaskClient, token: str
) -> None:
    document = sample_answers()
    reordered = dict(reversed(list(document.items())))
    first = _post(client, token, document, "k-1")
    again = _post(client, token, reordered, "k-1")
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert _rows() == 1


def test_the_same_key_with_other_answers_is_refused(client: FlaskClient, token: str) -> None:
    assert _post(client, token, sample_answers(), "k-2").status_code == 201
    other = changed(sample_answers(), {"patient.last_name": "Someone-Else"})
    response = _post(client, token, other, "k-2")
    assert response.status_code == 422
    error = response.get_json()["errors"][0]
    assert error["path"] == "Idempotency-Key"
    assert "already used for a different intake" in error["message"]
    assert _rows() == 1


def test_keys_belong_to_their_token(client: FlaskClient, runner: FlaskCliRunner) -> None:
    first, second = _token(runner, "kiosk-a"), _token(runner, "kiosk-b")
    a = _post(client, first, sample_answers(), "shared-key")
    b = _post(client, second, sample_answers(), "shared-key")
    assert a.status_code == b.status_code == 201
    assert a.get_json()["id"] != b.get_json()["id"]
    assert _rows() == 2


def test_without_a_key_every_request_stores_one(client: FlaskClient, token: str) -> None:
    assert _post(client, token, sample_answers()).status_code == 201
    assert _post(client, token, sample_answers()).status_code == 201
    assert _rows() == 2


@pytest.mark.parametrize("key", ["", "x" * 65, "has space", "ünïcode", "a/b", "semi;colon"])
def test_a_malformed_key_is_a_400(client: FlaskClient, token: str, key: str) -> None:
    response = _post(client, token, sample_answers(), key)
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["path"] == "Idempotency-Key"
    assert _rows() == 0


def test_a_concurrent_duplicate_is_caught_by_the_unique_constraint(
    client: FlaskClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _post(client, token, sample_answers(), "race")
    # The second request's look-up misses (as when both requests looked before either stored):
    # its INSERT hits the unique constraint, and it answers with the first one.
    monkeypatch.setattr("intake.api.views.find_by_idempotency_key", lambda *_: None)
    again = _post(client, token, sample_answers(), "race")
    assert again.status_code == 201
    assert again.get_json() == first.get_json()
    assert _rows() == 1


def test_id_and_reference_are_read_without_the_database(app) -> None:  # type: ignore[no-untyped-def]
    submission = submit_document(sample_answers(), source="api")
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert submission.id > 0
        assert len(submission.reference) == 9
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []


def test_a_connection_lost_after_commit_still_reports_201(
    client: FlaskClient, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue-9 defect: the intake was stored, then reading its id failed, and the kiosk was
    told it had failed (and stored it again on retry)."""
    real_commit = db.session.commit

    def fail_every_statement(*_args: object) -> None:
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    def commit_then_lose_the_connection() -> None:
        real_commit()
        event.listen(db.engine, "before_cursor_execute", fail_every_statement)

    monkeypatch.setattr(db.session, "commit", commit_then_lose_the_connection)
    try:
        response = _post(client, token, sample_answers(), "lost-after-commit")
    finally:
        if event.contains(db.engine, "before_cursor_execute", fail_every_statement):
            event.remove(db.engine, "before_cursor_execute", fail_every_statement)
    assert response.status_code == 201
    monkeypatch.undo()
    db.session.rollback()
    stored = db.session.scalar(select(Submission))
    assert stored is not None and stored.id == response.get_json()["id"]


def test_an_intake_with_a_returning_patient_takes_eight_statements(
    client: FlaskClient, token: str, app
) -> None:  # type: ignore[no-untyped-def]
    """Issue 13's budget, one statement each: the token, the key, the patient record, the
    submission, its pathway rows, the audit event, the returning-patient candidates (one
    query for all three tests), the suggestions. A repeated lookup or an UPDATE after the
    insert shows here."""
    assert _post(client, token, sample_answers(), "first").status_code == 201
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement.split()[0].upper())

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        second = _post(client, token, sample_answers(), "second")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert second.status_code == 201
    kinds = [
        s for s in statements if s not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    ]
    assert kinds == ["SELECT", "SELECT", "INSERT", "INSERT", "INSERT", "INSERT", "SELECT", "INSERT"]
    assert _rows() == 2
