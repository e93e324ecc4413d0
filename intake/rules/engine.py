"""Evaluating a validated answers document against a loaded ruleset.

Everything that can be done once is done when the ruleset loads; this module only derives the
facts and runs the precompiled closures, so it stays fast enough to re-evaluate every stored
submission (``flask --app intake rules diff``) in seconds.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from intake.answers import age_in_years
from intake.rules.facts import (
    GAD7_SEVERITY,
    PHQ9_SEVERITY,
    derive,
    screening_facts,
    severity,
    total,
)
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
    for code, when in rules.steps:
        facts[code] = when(facts)
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


#: The flags a partial submission is evaluated for: the only rules whose facts come from the
#: suicide risk screen alone (``facts.screening_facts``), in the ruleset's own order.
SCREENING_FLAGS = ("suicide_risk_acute", "suicide_risk")


def evaluate_screening(
    answers: dict[str, Any], as_of: date, ruleset: Ruleset | None = None
) -> dict[str, Any]:
    """The evaluation of a partial submission (``answers.parse_partial``): the suicide risk
    flags only, by the ruleset's own conditions and wording, with the questionnaire scores of
    what was answered.

    Everything else needs steps a partial may not have: no pathways, no coverage, no treatment
    history (each ``None`` or empty, and ``partial`` true, so no page reads it as "none found").
    """
    rules = ruleset or default_ruleset()
    phq9, gad7 = answers.get("phq9"), answers.get("gad7")
    facts = screening_facts(answers.get("asq"), phq9["items"] if phq9 else None)
    screening = [rule for rule in rules.order if rule.code in SCREENING_FLAGS]
    for rule in screening:
        facts[rule.code] = rule.when(facts)
    scores: dict[str, Any] = {}
    if phq9:
        phq9_total = total(phq9["items"])
        scores["phq9"] = {
            "total": phq9_total,
            "severity": severity(phq9_total, PHQ9_SEVERITY),
            "item9": phq9["items"][8],
            "difficulty": phq9["difficulty"],
        }
    if gad7:
        gad7_total = total(gad7["items"])
        scores["gad7"] = {"total": gad7_total, "severity": severity(gad7_total, GAD7_SEVERITY)}
    person = answers.get("patient") or answers["contact"]
    return {
        "contract": rules.contract,
        "ruleset": {"version": rules.version, "sha256": rules.sha256},
        "as_of": as_of.isoformat(),
        "partial": True,
        "age": age_in_years(date.fromisoformat(person["date_of_birth"]), as_of),
        "scores": scores,
        "treatment_history": None,
        "flags": [
            {"code": rule.code, "level": rule.level, "because": rule.explain(facts)}
            for rule in rules.flags
            if rule.code in SCREENING_FLAGS and facts[rule.code]
        ],
        "pathways": [],
        "coverage": None,
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
    # The profile's settings join the facts (as ``{**facts, **settings}`` would, without the
    # copy): ``evaluate`` has read everything else it needs from the facts by now.
    env = facts
    env.update(settings)
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
                "because": criterion.because[status].renderer(env),
            }
        )
    return {"profile": profile, "criteria": criteria}
