"""What ``rules diff`` compares: two rulesets' evaluations of stored answers, and how they differ.

Kept apart from the command (``intake.rules_cli``) and free of Flask so the processes that
compare (one per core for a large database) load the rules, not the app: each holds the two
rulesets and a chunk of answers, never the app's blueprints, models and extensions (spawn does
re-import the ``flask`` command's entry module), which keeps a run over a million submissions
within its memory budget (docs/operations.md, "rules diff"). The answers arrive as the
database's JSON text and are parsed here, in the comparing process, so the process that reads
the database only passes text along.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from intake.rules.engine import evaluate
from intake.rules.ruleset import load_ruleset

#: (reference, the answers document as JSON text, the day it was submitted as YYYY-MM-DD).
Chunk = list[tuple[str, str, str]]
#: (how many were compared, [(reference, its changes)] for those whose evaluation would change).
Results = tuple[int, list[tuple[str, list[str]]]]

_RULESETS: list[Any] = []


def load(paths: tuple[str, str]) -> None:
    """Load the old and the new ruleset once per process (not once per chunk)."""
    _RULESETS[:] = [load_ruleset(path) for path in paths]


def compare_chunk(chunk: Chunk) -> Results:
    """Evaluate each stored document of ``chunk`` under both rulesets, on the day it was sent."""
    before, after = _RULESETS
    out = []
    for reference, answers_json, day_iso in chunk:
        answers, day = json.loads(answers_json), date.fromisoformat(day_iso)
        parts = difference(evaluate(answers, day, before), evaluate(answers, day, after))
        if parts:
            out.append((reference, parts))
    return len(chunk), out


def difference(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Added and removed pathway and flag codes, then coverage statuses that moved.

    For example ``["pathways +psychotherapy -crisis_support", "flags +minor",
    "coverage medication_trials met->unknown"]``; a checklist that appears or goes is one
    change ("coverage removed"), not one per criterion.
    """
    parts = []
    for key in ("pathways", "flags"):
        parts.extend(
            _codes_changed(key, (i["code"] for i in old[key]), (i["code"] for i in new[key]))
        )
    if (old.get("coverage") is None) != (new.get("coverage") is None):
        parts.append("coverage " + ("removed" if new.get("coverage") is None else "added"))
        return parts
    before, after = _statuses(old.get("coverage")), _statuses(new.get("coverage"))
    moved = [
        f"{code} {before.get(code, 'none')}->{after.get(code, 'none')}"
        for code in dict.fromkeys([*before, *after])
        if before.get(code) != after.get(code)
    ]
    if moved:
        parts.append("coverage " + ", ".join(moved))
    return parts


def single_changes(parts: list[str]) -> list[str]:
    """One entry per code or criterion: "pathways +safety_check", "coverage age met->none"."""
    out: list[str] = []
    for part in parts:
        kind, _, rest = part.partition(" ")
        items = rest.split(", ") if kind == "coverage" else rest.split(" ")
        out.extend(f"{kind} {item}" for item in items)
    return out


def _statuses(coverage: dict[str, Any] | None) -> dict[str, str]:
    return {c["code"]: c["status"] for c in (coverage or {}).get("criteria", [])}


def _codes_changed(key: str, old: Iterable[str], new: Iterable[str]) -> list[str]:
    before, after = list(old), list(new)
    added = [f"+{code}" for code in after if code not in before]
    removed = [f"-{code}" for code in before if code not in after]
    return [f"{key} {' '.join(added + removed)}"] if added or removed else []
