"""The rules, the contract and the vocabulary work without Flask or SQLAlchemy (issue 10)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
for blocked in ("flask", "sqlalchemy", "flask_sqlalchemy", "wtforms", "werkzeug"):
    sys.modules[blocked] = None  # importing any of them now raises ImportError
from datetime import date
sys.path.insert(0, "tests")
from answer_documents import AS_OF_ISO, sample_answers
from intake.answers import parse_answers
from intake.rules import evaluate
from intake import text, vocabulary
as_of = date.fromisoformat(AS_OF_ISO)
result = evaluate(parse_answers(sample_answers(), as_of), as_of)
print(result["contract"])
"""


def test_rules_and_contract_import_without_the_web_stack() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "intake-evaluation/2"
