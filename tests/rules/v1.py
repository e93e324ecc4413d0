"""Rules v1, pinned: the tests of v1 keep checking v1 now that v2 is the default.

v1 stays loadable and unchanged (its hash must not move) to re-read stored evaluations and
for ``rules diff``, so every behaviour its tests describe must still hold for it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from intake.rules import evaluate as _evaluate
from intake.rules.ruleset import SHIPPED, Ruleset, shipped_ruleset

RULESET = shipped_ruleset("1")
#: ruleset.yaml, v1's file (the catalogue it names sits beside it).
DEFAULT_PATH = SHIPPED["1"]


def evaluate(
    answers: dict[str, Any], as_of: date, ruleset: Ruleset | None = None
) -> dict[str, Any]:
    """``intake.rules.evaluate`` with rules v1 unless another ruleset is given."""
    return _evaluate(answers, as_of, ruleset or RULESET)
