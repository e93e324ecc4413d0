"""API tokens: shown once, stored as a hash, revocable; the intakes endpoint checks them."""

from __future__ import annotations

import hashlib

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from intake.extensions import db
from intake.models import ApiToken, Submission


def _create(runner: FlaskCliRunner, name: str) -> str:
    result = runner.invoke(args=["api-token", "create", name])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_create_prints_token_alone_on_last_line_and_stores_only_its_hash(
    runner: FlaskCliRunner,
) -> None:
    token = _create(runner, "kiosk-1")
    assert len(token) >= 40 and " " not in token
    record = db.session.scalar(select(ApiToken).where(ApiToken.name == "kiosk-1"))
    assert record.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {record.name, record.token_sha256}


def test_duplicate_name_is_refused(runner: FlaskCliRunner) -> None:
    _create(runner, "kiosk-1")
    result = runner.invoke(args=["api-token", "create", "kiosk-1"])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert db.session.query(ApiToken).count() == 1


def test_revoke_unknown_name_fails(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["api-token", "revoke", "nope"])
    assert result.exit_code != 0
    assert "no token called" in result.output


def test_intakes_needs_a_valid_active_token(client: FlaskClient, runner: FlaskCliRunner) -> None:
    token = _create(runner, "kiosk-1")
    anonymous = client.post("/api/v1/intakes", json={})
    assert anonymous.status_code == 401
    wrong = client.post("/api/v1/intakes", json={}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    basic = client.post("/api/v1/intakes", json={}, headers={"Authorization": f"Basic {token}"})
    assert basic.status_code == 401
    valid = client.post("/api/v1/intakes", json={}, headers={"Authorization": f"Bearer {token}"})
    assert valid.status_code == 422
    assert runner.invoke(args=["api-token", "revoke", "kiosk-1"]).exit_code == 0
    revoked = client.post("/api/v1/intakes", json={}, headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401
    assert db.session.query(Submission).count() == 0


def test_oversized_body_is_413_as_json(client: FlaskClient, runner: FlaskCliRunner) -> None:
    token = _create(runner, "kiosk-1")
    body = b'{"x": "' + b"a" * (300 * 1024) + b'"}'
    response = client.post(
        "/api/v1/intakes",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413
    assert response.is_json
    assert db.session.query(Submission).count() == 0


def _events() -> list[tuple[str, dict[str, object], int | None]]:
    from intake.models import AuditEvent

    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(e.action, e.detail, e.actor_id) for e in events]


def test_create_and_revoke_at_the_command_line_are_audited(runner: FlaskCliRunner) -> None:
    _create(runner, "kiosk-1")
    assert runner.invoke(args=["api-token", "revoke", "kiosk-1"]).exit_code == 0
    assert runner.invoke(args=["api-token", "revoke", "kiosk-1"]).exit_code == 0  # no-op
    assert _events() == [
        ("token_created", {"name": "kiosk-1", "scopes": "intakes:write"}, None),  # a command
        ("token_revoked", {"name": "kiosk-1"}, None),
    ]


def test_the_service_leaves_the_commit_to_its_caller(app) -> None:  # type: ignore[no-untyped-def]
    from intake.services.api_tokens import create_token

    create_token("kiosk-1")
    db.session.rollback()
    assert db.session.query(ApiToken).count() == 0
    assert _events() == []
