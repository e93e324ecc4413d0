"""Evaluating a validated answers document against a loaded ruleset.

Everything that can be done once is done when the ruleset loads; this module only derives the
facts and runs the precompiled closures, so it stays fast enough to re-evaluate every stored
submission (``flask --app intake rules diff``) in seconds.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from intake.rules.facts import derive
from intake.rules.ruleset import Coverage, Rule, Ruleset, default_ruleset


def evaluate(
    answers: dict[str, Any], as_of: date, ruleset: Ruleset | None = None
) -> dict[str, Any]:
    """The evaluation of a document already accepted by ``parse_answers``.

    Its contract is the ruleset's: ``intake-evaluation/1`` for rules v1 (exactly as before v2
    existed), ``intake-evaluation/2`` for v2, which adds ``after`` to every pathway. Pure: the
    same answers, date and ruleset always give the same, JSON-serialisable result.
    """
    rules = ruleset or default_ruleset()
    derived = derive(answers, as_of, rules.catalogue, rules.generation)
    facts = derived.facts
    for rule in rules.order:
        facts[rule.code] = rule.when(facts)
    return {
        "contract": rules.contract,
        "ruleset": {"version": rules.version, "sha256": rules.sha256},
        "as_of": as_of.isoformat(),
        "age": facts["age"],
        "scores": derived.scores,
        "treatment_history": derived.treatment_history,
        "flags": [
            {"code": rule.code, "level": rule.level, "because": rule.explain(facts)}
            for rule in rules.flags
            if facts[rule.code]
        ],
        "pathways": [
            _pathway(rule, facts, rules.generation) for rule in rules.pathways if facts[rule.code]
        ],
        "coverage": _coverage(rules.coverage, facts),
    }


def _pathway(rule: Rule, facts: dict[str, Any], generation: int) -> dict[str, Any]:
    out: dict[str, Any] = {"code": rule.code, "title": rule.title, "because": rule.explain(facts)}
    if generation >= 2:
        out["after"] = [code for code in rule.after if facts[code]]
    return out


def _coverage(coverage: Coverage, facts: dict[str, Any]) -> dict[str, Any] | None:
    """The coverage checklist for the patient's plan type, or None when it does not apply."""
    if not coverage.when(facts):
        return None
    profile = facts["coverage_type"]
    settings = coverage.profiles.get(profile)
    if settings is None:
        return None
    env = {**facts, **settings}
    criteria = []
    for criterion in coverage.criteria:
        if criterion.met(env):
            status = "met"
        elif criterion.unknown is not None and criterion.unknown(env):
            status = "unknown"
        else:
            status = "not_met"
        criteria.append(
            {
                "code": criterion.code,
                "status": status,
                "because": criterion.because[status].render(env),
            }
        )
    return {"profile": profile, "criteria": criteria}
