"""``setup-demo`` (first run only) and ``seed-demo --count N``."""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask.testing import FlaskCliRunner

from intake.answers import parse_answers
from intake.extensions import db
from intake.models import ContactAttempt, RiskAssessment, Submission, User
from intake.names import fold_name


def _count(model: type) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model)) or 0


def test_setup_demo_is_idempotent(runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["setup-demo"])
    assert first.exit_code == 0, first.output
    assert "frontdesk@example.org" in first.output
    assert "password:" in first.output
    users = {u.email: u.roles for u in db.session.scalars(db.select(User))}
    assert users == {
        "frontdesk@example.org": {"front_desk"},
        "clinician@example.org": {"clinician"},
        "admin@example.org": {"admin"},
    }
    seeded = _count(Submission)
    assert seeded > 0
    second = runner.invoke(args=["setup-demo"])
    assert second.exit_code == 0, second.output
    assert "already exist" in second.output
    assert "password:" not in second.output
    assert _count(User) == 3
    assert _count(Submission) == seeded


def test_seed_demo_count_and_spread(runner: FlaskCliRunner) -> None:
    runner.invoke(
        args=["user", "create", "desk@example.org", "--role", "front_desk"],
        env={"INTAKE_USER_PASSWORD": "a-long-enough-passphrase"},
    )
    result = runner.invoke(args=["seed-demo", "--count", "400", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert _count(Submission) == 400
    submissions = db.session.scalars(db.select(Submission)).all()
    pathways = Counter(p["code"] for s in submissions for p in s.evaluation["pathways"])
    flags = Counter(f["code"] for s in submissions for f in s.evaluation["flags"])
    assert len(pathways) >= 9
    assert {"suicide_risk_acute", "suicide_risk", "tms_contraindication"} <= set(flags)
    for s in submissions[:50]:
        parse_answers(s.answers, date.today())  # a valid intake-answers/1 document
        assert {row.code for row in s.pathway_rows} == {p["code"] for p in s.evaluation["pathways"]}
        assert {row.submitted_at for row in s.pathway_rows} <= {s.submitted_at}
        assert s.urgent == any(f["level"] == "urgent" for f in s.evaluation["flags"])
        assert s.last_name_folded == fold_name(s.last_name)
    # Older urgent rows were called (one contact attempt each); with no clinician account none is
    # signed off, so every urgent row is on the clinicians' list.
    acked = [s for s in submissions if s.acknowledged_at is not None]
    assert acked and all(s.urgent for s in acked)
    assert _count(ContactAttempt) == len(acked)
    assert _count(RiskAssessment) == 0
    assert all(s.risk_signed_off_at is None for s in submissions)
    # A second run adds more without reference collisions.
    assert runner.invoke(args=["seed-demo", "--count", "10", "--seed", "7"]).exit_code == 0
    assert _count(Submission) == 410


def test_seed_demo_signs_off_older_urgent_rows_when_there_is_a_clinician(
    runner: FlaskCliRunner,
) -> None:
    for email, role in (("desk@example.org", "front_desk"), ("doc@example.org", "clinician")):
        runner.invoke(
            args=["user", "create", email, "--role", role],
            env={"INTAKE_USER_PASSWORD": "a-long-enough-passphrase"},
        )
    result = runner.invoke(args=["seed-demo", "--count", "300", "--seed", "3"])
    assert result.exit_code == 0, result.output
    submissions = db.session.scalars(db.select(Submission)).all()
    signed = [s for s in submissions if s.risk_signed_off_at is not None]
    assert signed and all(s.urgent and s.acknowledged_at is not None for s in signed)
    assert _count(RiskAssessment) == len(signed)
    assert all(s.risk_assessments[0].assessed_at == s.risk_signed_off_at for s in signed)
    # The newest urgent rows still wait for a clinician.
    assert any(s.urgent and s.risk_signed_off_at is None for s in submissions)
