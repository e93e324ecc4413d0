"""``flask evaluate``, ``flask rules check`` and ``flask rules diff``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from answer_documents import AS_OF_ISO, changed, sample_answers
from flask import Flask
from flask.testing import FlaskCliRunner

from intake.answers import parse_answers
from intake.extensions import db
from intake.models import Submission
from intake.rules import evaluate
from intake.rules.ruleset import default_ruleset, shipped_ruleset
from intake.services.submissions import build_submission
from tests.rules.v1 import DEFAULT_PATH, RULESET


def write(tmp_path: Path, document: object) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_evaluate_prints_the_evaluation_for_a_valid_document(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(
        args=["evaluate", write(tmp_path, sample_answers()), "--as-of", AS_OF_ISO, "--ruleset", "1"]
    )
    assert result.exit_code == 0, result.stderr
    evaluation = json.loads(result.stdout)
    assert evaluation["contract"] == "intake-evaluation/1"
    assert evaluation["as_of"] == AS_OF_ISO
    assert [p["code"] for p in evaluation["pathways"]] == [
        "tms_plus_cbt",
        "tms_plus_medication_review",
    ]
    assert result.stderr == ""


def test_evaluate_reads_stdin_and_defaults_to_today(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["evaluate", "-"], input=json.dumps(sample_answers()))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == date.today().isoformat()


def test_evaluate_lists_every_problem_on_stderr_and_nothing_on_stdout(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    document = changed(
        sample_answers(),
        {
            "phq9.items": [0, 1, 2, 4, 1, 1, 1, 1],
            "insurance.coverage_type": "medicare",
            "insurance.member_id": "12345",
            "consent.understands_educational_only": False,
        },
    )
    result = runner.invoke(args=["evaluate", write(tmp_path, document), "--as-of", AS_OF_ISO])
    assert result.exit_code == 1
    assert result.stdout == ""
    paths = [line.split(": ", 1)[0] for line in result.stderr.splitlines()]
    assert paths == [
        "phq9.items",
        "phq9.items[3]",
        "insurance.member_id",
        "consent.understands_educational_only",
    ]


def test_evaluate_reports_unreadable_json(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"contract": ')
    result = runner.invoke(args=["evaluate", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("document: is not valid JSON")


def test_evaluate_reports_a_missing_file(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["evaluate", str(tmp_path / "nope.json")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("document: cannot be read")


def test_rules_check_accepts_the_shipped_ruleset(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["rules", "check"])
    assert result.exit_code == 0
    assert "ruleset 2.1.0 is valid" in result.stdout  # v2.1 is the default
    result = runner.invoke(args=["rules", "check", str(DEFAULT_PATH)])
    assert result.exit_code == 0
    assert f"ruleset {RULESET.version} is valid" in result.stdout
    assert RULESET.sha256 in result.stdout


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    (tmp_path / "catalogue.yaml").write_bytes(DEFAULT_PATH.with_name("catalogue.yaml").read_bytes())
    path = tmp_path / "ruleset.yaml"
    path.write_text(DEFAULT_PATH.read_text().replace(old, new, 1))
    return path


def test_rules_check_names_the_broken_rule(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "when: age < 18", "when: agee < 18")
    result = runner.invoke(args=["rules", "check", str(path)])
    assert result.exit_code == 1
    assert "flag minor: when: unknown fact 'agee'" in result.stderr


def test_rules_diff_lists_the_submissions_that_would_change(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    new = broken_copy(tmp_path, 'version: "1.0.0"', 'version: "1.1.0"')
    new.write_text(new.read_text().replace("when: age < 18", "when: age < 41", 1))
    submitted = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    with app.app_context():
        for reference, born in (
            ("R-AAAA", "1985-04-12"),
            ("R-BBBB", "1980-01-01"),
            ("R-CCCC", "1985-11-02"),
        ):
            document = changed(sample_answers(), {"patient.date_of_birth": born})
            answers = parse_answers(document, submitted.date())
            db.session.add(
                Submission(
                    reference=reference,
                    answers=answers,
                    submitted_at=submitted,
                    last_name="Reyes",
                    last_name_folded="reyes",
                    date_of_birth=date.fromisoformat(born),
                    primary_concern="depression",
                    coverage_type="commercial",
                )
            )
        db.session.commit()
    result = runner.invoke(args=["rules", "diff", str(DEFAULT_PATH), str(new)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "1.0.0" in lines[0] and "1.1.0" in lines[0]
    assert lines[0].endswith("comparing 3 submissions")
    assert lines[1:] == [
        "  R-CCCC: flags +minor",
        "1 of 3 submissions would change",
        "By change (submissions):",
        "  flags +minor: 1",
    ]


@pytest.mark.parametrize("processes", ["one", "a pool"])
def test_rules_diff_from_v1_to_v2_names_pathways_flags_and_criteria(
    app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch, processes: str
) -> None:
    """``rules diff 1 2`` compares the shipped rulesets; the expectations are rules v2's spec."""
    submitted = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    cases = {
        "R-SAME": {},
        # Non-acute risk: a safety check-in instead of crisis support.
        "R-NONA": {"asq.ever_tried": "yes", "asq.thoughts_right_now": "no"},
        # A trial without a dose: undocumented, so the checklist cannot count it.
        "R-NODO": {"medication_trials[0].daily_dose_mg": None},
    }
    with app.app_context():
        for reference, changes in cases.items():
            answers = parse_answers(changed(sample_answers(), changes), submitted.date())
            evaluation = evaluate(answers, submitted.date(), default_ruleset())
            submission = build_submission(answers, evaluation, source="api", submitted_at=submitted)
            submission.reference = reference
            db.session.add(submission)
        db.session.commit()
    if processes == "a pool":  # what a large database gets: one spawned process per core
        monkeypatch.setattr("intake.rules_cli._PARALLEL_FROM", 0)
        monkeypatch.setattr("os.cpu_count", lambda: 2)
    result = runner.invoke(args=["rules", "diff", "1", "2"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ruleset 1.0.0 (a3166d80f296) -> 2.0.0")
    assert lines[0].endswith("comparing 3 submissions")
    assert "3 of 3 submissions would change" in lines
    by_reference = dict(line.strip().split(": ", 1) for line in lines[1:4])
    # Every v2 evaluation gains the new criterion (met unless acute).
    assert by_reference["R-SAME"] == "coverage no_acute_suicide_risk none->met"
    assert by_reference["R-NONA"] == (
        "pathways +safety_check -crisis_support; coverage no_acute_suicide_risk none->met"
    )
    assert by_reference["R-NODO"] == (
        "coverage medication_trials met->unknown, no_acute_suicide_risk none->met"
    )
    assert "  coverage no_acute_suicide_risk none->met: 3" in lines
    assert "  pathways +safety_check: 1" in lines
    assert "  coverage medication_trials met->unknown: 1" in lines


def test_evaluate_command_line_never_builds_the_app(tmp_path) -> None:
    """``flask evaluate`` is a plugin command: no app factory, no SQLAlchemy, a quick start."""
    import json
    import subprocess
    import sys

    from answer_documents import AS_OF_ISO, sample_answers

    path = tmp_path / "answers.json"
    path.write_text(json.dumps(sample_answers()))
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('loaded:', 'sqlalchemy' in sys.modules, file=sys.stderr))\n"
        "from flask.cli import main\n"
        f"sys.argv = ['flask', '--app', 'intake', 'evaluate', {str(path)!r}, '--as-of', "
        f"{AS_OF_ISO!r}]\n"
        "main()\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["contract"] == "intake-evaluation/2"
    assert "loaded: False" in run.stderr


def test_rules_diff_from_2_to_2_1_lists_only_the_spanish_medicine_names(
    app: Flask, runner: FlaskCliRunner
) -> None:
    """``rules diff 2 2.1``: the rules are the same, so only a stored submission with a name
    the 2.1 catalogue adds (a Spanish generic name) changes; its evaluation is not touched."""
    submitted = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)
    cases = {
        "R-ENGL": {},
        "R-ESPA": {"medication_trials[0].name": "sertralina"},
    }
    with app.app_context():
        for reference, changes in cases.items():
            answers = parse_answers(changed(sample_answers(), changes), submitted.date())
            evaluation = evaluate(answers, submitted.date(), shipped_ruleset("2"))
            submission = build_submission(answers, evaluation, source="api", submitted_at=submitted)
            submission.reference = reference
            db.session.add(submission)
        db.session.commit()
    result = runner.invoke(args=["rules", "diff", "2", "2.1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ruleset 2.0.0 (2c72353b9efa) -> 2.1.0")
    assert "1 of 2 submissions would change" in lines
    [changed_line] = [line for line in lines if line.strip().startswith("R-")]
    reference, change = changed_line.strip().split(": ", 1)
    assert reference == "R-ESPA"
    assert "flags -unrecognized_medication" in change
    with app.app_context():
        stored = db.session.scalars(sa.select(Submission).where(Submission.reference == "R-ESPA"))
        evaluation = stored.one().evaluation
        assert evaluation["ruleset"]["version"] == "2.0.0"
        assert evaluation["treatment_history"]["unrecognized_medications"] == ["sertralina"]
