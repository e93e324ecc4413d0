"""Outcome rules: a course's check-ins against its baseline (``course-evaluation/1``).

The outcome ruleset (``outcomes-v1.yaml``) is data a clinician edits, loaded and checked like the
pathway rules (:mod:`intake.rules.ruleset`: the same condition language, ``because`` lines and
errors naming the rule), so every status and flag says why and which versioned ruleset decided
it. The suicide risk flags are not written twice: the file names the pathway ruleset whose
``suicide_risk_acute`` and ``suicide_risk`` rules it applies to each check-in, and its hash
covers that file too.

Percentages are compared exactly: ``phq9_fall_percent`` is rounded *down*, and for a whole
number N "fell by at least N%" holds exactly when the rounded-down figure is at least N (a fall
of 49.6% is not a response). The ``change_percent`` the contract prints is rounded half away
from zero, for reading only.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

from intake import vocabulary as vocab
from intake.rules.engine import SCREENING_FLAGS
from intake.rules.expressions import BOOL, INT, TEXT, FactType, enum
from intake.rules.facts import screening_facts, total
from intake.rules.ruleset import (
    LEVELS,
    Rule,
    Ruleset,
    RulesetError,
    _because,
    _check_codes,
    _codes,
    _condition,
    _flag,
    _list,
    _mapping,
    load_ruleset,
    read_yaml,
)

CONTRACT = "course-evaluation/1"
DEFAULT_PATH = Path(__file__).with_name("outcomes-v1.yaml")
#: Every status a check-in can have; the file must define each, in any order it likes.
STATUSES = (
    "not_applicable",
    "remission",
    "response",
    "partial_response",
    "worsening",
    "no_response",
)
_SEVERITY = enum(*vocab.codes(vocab.SIDE_EFFECT_SEVERITY))
#: Side effects with flags of their own; any other rated severe is ``severe_side_effect``.
_OWN_FLAGS = ("seizure", "elevated_mood")
_SIDE_EFFECT_WORDS = {choice.code: choice.staff for choice in vocab.SIDE_EFFECTS}
_STATUS_TYPES: dict[str, FactType] = {
    "baseline_phq9": INT,
    "phq9": INT,
    "baseline_gad7": INT,
    "gad7": INT,
    "phq9_fall_percent": INT,
    "phq9_rise": INT,
}
_FLAG_TYPES: dict[str, FactType] = {
    **_STATUS_TYPES,
    "status": enum(*STATUSES),
    "seizure": _SEVERITY,
    "elevated_mood": _SEVERITY,
    "severe_side_effect": BOOL,
    "severe_side_effect_words": TEXT,
}


@dataclass(frozen=True)
class OutcomeRuleset:
    """A loaded outcome ruleset; ``sha256`` covers its file then the screening ruleset's hash."""

    version: str
    sha256: str
    #: The statuses as rules (``kind`` "status"), in the file's order: the first that holds.
    statuses: tuple[Rule, ...]
    screening: tuple[Rule, ...]
    flags: tuple[Rule, ...]


@functools.cache
def default_outcome_rules() -> OutcomeRuleset:
    """The shipped outcome ruleset, loaded once per process."""
    return load_outcome_rules(DEFAULT_PATH)


def load_outcome_rules(path: str | Path) -> OutcomeRuleset:
    """Load and check an outcome ruleset file. Raises :class:`RulesetError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        data = read_yaml(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise RulesetError(f"{path}: cannot read the outcome rules: {exc}") from exc
    doc = _mapping(data, "outcome rules", {"version", "contract", "screening", "statuses", "flags"})
    version = doc.get("version")
    if not isinstance(version, str) or not version.count(".") == 2:
        raise RulesetError('version: must be quoted text like "1.0.0"')
    if doc.get("contract") != CONTRACT:
        raise RulesetError(f"contract: must be {CONTRACT}")
    screening_rules = _screening(path, doc.get("screening"))
    statuses = tuple(_status(item) for item in _list(doc, "statuses"))
    _check_statuses(statuses)
    flag_data = _list(doc, "flags")
    codes = _codes(flag_data, "flag")
    _check_codes(codes + list(SCREENING_FLAGS))
    flags = [_flag(item, _FLAG_TYPES) for item in flag_data]
    screening = tuple(rule for rule in screening_rules.order if rule.code in SCREENING_FLAGS)
    return OutcomeRuleset(
        version=version,
        sha256=hashlib.sha256(raw + screening_rules.sha256.encode()).hexdigest(),
        statuses=statuses,
        screening=screening,
        flags=tuple(sorted(flags, key=lambda rule: LEVELS.index(rule.level))),
    )


def _screening(path: Path, name: Any) -> Ruleset:
    if not isinstance(name, str) or not name:
        raise RulesetError("screening: must name the pathway ruleset file, e.g. ruleset-v2.yaml")
    rules = load_ruleset(path.parent / name)
    missing = set(SCREENING_FLAGS) - {rule.code for rule in rules.flags}
    if missing:
        raise RulesetError(f"screening: {name} has no flag {', '.join(sorted(missing))}")
    return rules


def _status(item: Any) -> Rule:
    item = _mapping(item, "statuses", {"code", "when", "because"})
    code = item.get("code")
    where = f"status {code}"
    if code not in STATUSES:
        raise RulesetError(f"{where}: must be one of {', '.join(STATUSES)}")
    when, uses = _condition(item.get("when"), _STATUS_TYPES, f"{where}: when")
    because = _because(item.get("because"), _STATUS_TYPES, where, patient=False)
    return Rule(kind="status", code=code, when=when, uses=uses, because=because)


def _check_statuses(statuses: tuple[Rule, ...]) -> None:
    codes = [status.code for status in statuses]
    if len(set(codes)) != len(codes):
        raise RulesetError("statuses: a status is defined twice")
    missing = [code for code in STATUSES if code not in codes]
    if missing:
        raise RulesetError(f"statuses: missing {', '.join(missing)}")


# Evaluation --------------------------------------------------------------------------------------


def evaluate_course(course: Mapping[str, Any], rules: OutcomeRuleset | None = None) -> dict:
    """The ``course-evaluation/1`` of a course accepted by :func:`intake.course.parse_course`.

    Pure: the same course and ruleset always give the same, JSON-serialisable result.
    """
    rules = rules or default_outcome_rules()
    baseline = course["baseline"]
    base_phq9, base_gad7 = total(baseline["phq9"]), total(baseline["gad7"])
    checkins = [_checkin(rules, checkin, base_phq9, base_gad7) for checkin in course["checkins"]]
    phq9_totals = [base_phq9, *(checkin["phq9"] for checkin in checkins)]
    return {
        "contract": CONTRACT,
        "ruleset": {"version": rules.version, "sha256": rules.sha256},
        "baseline": {"phq9": base_phq9, "gad7": base_gad7},
        "checkins": checkins,
        "course": {
            "status": checkins[-1]["status"] if checkins else "baseline_only",
            "best_phq9": min(phq9_totals),
            "latest_phq9": phq9_totals[-1],
        },
    }


def change_percent(baseline: int, value: int) -> int | None:
    """100 × (value − baseline) / baseline, rounded half away from zero; None at baseline 0."""
    if baseline == 0:
        return None
    exact = Decimal(100 * (value - baseline)) / Decimal(baseline)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _checkin(
    rules: OutcomeRuleset, checkin: Mapping[str, Any], base_phq9: int, base_gad7: int
) -> dict[str, Any]:
    phq9, gad7 = total(checkin["phq9"]), total(checkin["gad7"])
    effects = checkin["side_effects"]
    severe = [
        words
        for code, words in _SIDE_EFFECT_WORDS.items()
        if code not in _OWN_FLAGS and effects.get(code) == "severe"
    ]
    facts: dict[str, Any] = {
        "baseline_phq9": base_phq9,
        "phq9": phq9,
        "baseline_gad7": base_gad7,
        "gad7": gad7,
        # Floor division rounds down, also below zero: exact for "fell by at least N%".
        "phq9_fall_percent": (100 * (base_phq9 - phq9)) // base_phq9 if base_phq9 else 0,
        "phq9_rise": phq9 - base_phq9,
        "seizure": effects.get("seizure", "none"),
        "elevated_mood": effects.get("elevated_mood", "none"),
        "severe_side_effect": bool(severe),
        "severe_side_effect_words": ", ".join(severe),
    }
    status = next(status for status in rules.statuses if status.when(facts))
    facts["status"] = status.code
    # The suicide risk flags first, whatever the status (a baseline under 5 included).
    flags = []
    screening = screening_facts(checkin.get("asq"), checkin["phq9"])
    for rule in rules.screening:
        screening[rule.code] = rule.when(screening)
        if screening[rule.code]:
            flags.append(_flag_out(rule, screening))
    for rule in rules.flags:
        if rule.when(facts):
            flags.append(_flag_out(rule, facts))
    return {
        "date": checkin["date"].isoformat(),
        "session": checkin.get("session"),
        "phq9": phq9,
        "gad7": gad7,
        "change_percent": change_percent(base_phq9, phq9),
        "status": status.code,
        "because": status.explain(facts),
        "flags": flags,
    }


def _flag_out(rule: Rule, facts: Mapping[str, Any]) -> dict[str, Any]:
    return {"code": rule.code, "level": rule.level, "because": rule.explain(facts)}


#: The shipped outcome rules, loaded when this module is imported (process start), as
#: ``intake.rules.RULESET`` is: read lazily, a process first keying a course report after a
#: deploy replaced the file would key (and evaluate) the newer rules while its render version,
#: hashed at start, said the older ones (``services.pdf_cache.render_version``).
OUTCOME_RULES: OutcomeRuleset = default_outcome_rules()
