"""``setup-demo`` (first run only) and ``seed-demo --count N``."""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask.testing import FlaskCliRunner

from intake.answers import parse_answers
from intake.extensions import db
from intake.models import Acknowledgement, Submission, User
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
    acked = [s for s in submissions if s.acknowledged_at is not None]
    assert _count(Acknowledgement) == len(acked)
    # A second run adds more without reference collisions.
    assert runner.invoke(args=["seed-demo", "--count", "10", "--seed", "7"]).exit_code == 0
    assert _count(Submission) == 410
