"""Our own rules v2 vignettes (tests/rules/vignettes_v2/*.json), in the shared checker's format.

Each file holds an intake-answers/2 document and what rules v2's spec says it must give; they
run here through ``flask evaluate --ruleset 2`` (as ``../shared/tools/check-vignettes`` runs
them in CI when ../shared is present), so the project's own tests need nothing outside it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner

VIGNETTES = sorted((Path(__file__).parent / "vignettes_v2").glob("*.json"))


def _problems(expect: dict[str, Any], got: dict[str, Any]) -> list[str]:
    problems = []
    if got["contract"] != "intake-evaluation/2":
        problems.append(f"contract {got['contract']}")
    if [p["code"] for p in got["pathways"]] != expect["pathways"]:
        problems.append(f"pathways {[p['code'] for p in got['pathways']]}")
    if sorted(f["code"] for f in got["flags"]) != expect["flags"]:
        problems.append(f"flags {sorted(f['code'] for f in got['flags'])}")
    after = {p["code"]: p["after"] for p in got["pathways"]}
    problems += [
        f"{c}.after {after.get(c)}" for c, w in expect.get("after", {}).items() if after.get(c) != w
    ]
    history = got["treatment_history"]
    problems += [
        f"{k} {history.get(k)}"
        for k, v in expect.get("treatment_history", {}).items()
        if history.get(k) != v
    ]
    if "age" in expect and got["age"] != expect["age"]:
        problems.append(f"age {got['age']}")
    if "coverage" in expect:
        want, have = expect["coverage"], got["coverage"]
        if want is None or have is None:
            if want != have:
                problems.append(f"coverage {have}")
        else:
            statuses = {c["code"]: c["status"] for c in have["criteria"]}
            if have["profile"] != want["profile"] or list(statuses.items()) != list(
                want["criteria"].items()
            ):
                problems.append(f"coverage {have}")
    return problems


def test_there_are_vignettes() -> None:
    assert len(VIGNETTES) >= 12


@pytest.mark.parametrize("path", VIGNETTES, ids=[p.stem for p in VIGNETTES])
def test_vignette(path: Path, runner: FlaskCliRunner, tmp_path: Path) -> None:
    vignette = json.loads(path.read_text())
    assert vignette["ruleset"] == "2"
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(vignette["answers"]))
    args = ["evaluate", str(answers), "--as-of", vignette["as_of"], "--ruleset", "2"]
    result = runner.invoke(args=args)
    expect = vignette["expect"]
    if not expect["valid"]:
        assert result.exit_code != 0
        assert "intake-evaluation/" not in result.stdout
        assert all(p in result.stderr for p in expect["error_paths"]), result.stderr
        return
    assert result.exit_code == 0, result.stderr
    assert _problems(expect, json.loads(result.stdout)) == []
