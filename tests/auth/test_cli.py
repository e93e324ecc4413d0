"""``flask --app intake user create/disable``."""

from __future__ import annotations

from flask.testing import FlaskCliRunner

from intake.extensions import db
from intake.models import AuditEvent, User


def test_user_create_with_roles(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["user", "create", "New@Example.org", "--role", "front_desk", "--role", "clinician"],
        env={"INTAKE_USER_PASSWORD": "a-long-enough-passphrase"},
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "new@example.org"))
    assert user is not None
    assert user.roles == {"front_desk", "clinician"}
    assert user.must_change_password  # the operator chose it: its owner replaces it
    assert user.password_hash.startswith("$argon2id$")
    assert db.session.scalar(db.select(AuditEvent.action)) == "user_created"


def test_user_create_refuses_weak_password_and_duplicates(runner: FlaskCliRunner) -> None:
    env = {"INTAKE_USER_PASSWORD": "password1234"}
    result = runner.invoke(args=["user", "create", "a@example.org", "--role", "admin"], env=env)
    assert result.exit_code != 0
    assert "too common" in result.output
    env = {"INTAKE_USER_PASSWORD": "a-long-enough-passphrase"}
    assert (
        runner.invoke(
            args=["user", "create", "a@example.org", "--role", "admin"], env=env
        ).exit_code
        == 0
    )
    again = runner.invoke(args=["user", "create", "a@example.org", "--role", "admin"], env=env)
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_user_create_prompts_for_password(runner: FlaskCliRunner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("INTAKE_USER_PASSWORD", raising=False)
    result = runner.invoke(
        args=["user", "create", "p@example.org", "--role", "clinician"],
        input="a-long-enough-passphrase\na-long-enough-passphrase\n",
    )
    assert result.exit_code == 0, result.output


def test_user_disable(runner: FlaskCliRunner) -> None:
    env = {"INTAKE_USER_PASSWORD": "a-long-enough-passphrase"}
    runner.invoke(args=["user", "create", "d@example.org", "--role", "clinician"], env=env)
    result = runner.invoke(args=["user", "disable", "D@example.org"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "d@example.org"))
    assert user.disabled
    assert runner.invoke(args=["user", "disable", "nobody@example.org"]).exit_code != 0
