"""Rules v1 prints exactly what it printed before v2 existed (same output, same hash).

``v1_golden/evaluations.json`` was written by the app as it was at commit 599d58e, the last
one before rules v2 (answers and the evaluation each gave), and is never regenerated: v1 is
kept byte for byte to re-read stored evaluations, so any difference here is a regression,
whether it comes from the engine, the facts or the vocabulary's phrases.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from intake.answers import parse_answers
from intake.rules import evaluate
from intake.rules.ruleset import shipped_ruleset

GOLDEN = json.loads((Path(__file__).parent / "v1_golden" / "evaluations.json").read_text())
DAY = date(2026, 11, 1)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_v1_evaluation_is_unchanged(name: str) -> None:
    case = GOLDEN[name]
    now = evaluate(parse_answers(case["answers"], DAY), DAY, shipped_ruleset("1"))
    # Compared as JSON text, so key order counts too.
    assert json.dumps(now, ensure_ascii=False) == json.dumps(case["evaluation"], ensure_ascii=False)


def test_the_command_line_prints_v1_with_ruleset_1(runner: FlaskCliRunner, tmp_path: Path) -> None:
    case = GOLDEN["rich"]
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(case["answers"]))
    result = runner.invoke(args=["evaluate", str(path), "--as-of", "2026-11-01", "--ruleset", "1"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == json.dumps(case["evaluation"], indent=2, ensure_ascii=False) + "\n"
