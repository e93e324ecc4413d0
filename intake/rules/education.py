"""Patient education: plain-language text for each pathway, and the patient's own summary.

The text is data (``education.yaml``) so clinicians can edit it; this module checks it once and
turns a stored evaluation into what the patient reads. Reasons are reworded with the "patient"
lines of the ruleset: each ``because`` line is matched against the clinician template that
produced it, and the values it carried are put into the patient wording.

Suicide risk comes first. A v1 evaluation (``intake-evaluation/1``) has one pathway for any risk,
so crisis support and its 988 / 911 text lead whenever a suicide flag is present. A v2 evaluation
(``intake-evaluation/2``) tells acute from non-acute risk (``../shared/docs/pathway-rules-v2.md``,
"What patients read"): acute risk leads with crisis support and the crisis text; non-acute risk
leads with the safety check-in and its calm note, never the crisis text. With an absolute TMS
safety finding, every option about TMS says that a doctor needs to check the safety answers
first.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake.rules.ruleset import (
    Rule,
    Ruleset,
    RulesetError,
    default_ruleset,
    read_yaml,
    ruleset_for,
)

DEFAULT_PATH = Path(__file__).with_name("education.yaml")
CRISIS_CODE = "crisis_support"
SAFETY_CHECK_CODE = "safety_check"
SUICIDE_FLAGS = frozenset({"suicide_risk_acute", "suicide_risk"})
#: Rules v2's flags: acute risk (crisis support), non-acute risk (the safety check-in), and an
#: absolute TMS safety finding.
ACUTE_FLAG = "suicide_risk_acute"
NON_ACUTE_FLAG = "suicide_risk"
ABSOLUTE_FINDING_FLAG = "tms_contraindication"
#: The options that are about having TMS: with an absolute finding they carry its sentence.
TMS_OPTIONS = frozenset(
    {
        "tms_safety_review",
        "tms_plus_cbt",
        "tms_plus_medication_review",
        "tms_plus_erp",
        "maintenance_therapy",
    }
)
V2_CONTRACT = "intake-evaluation/2"
TEXT_KEYS = ("disclaimer", "coverage_note", "crisis", "safety_note", "absolute_finding")


@dataclass(frozen=True)
class Topic:
    """What one pathway is, what it involves, and questions to ask about it."""

    what: str
    involves: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Education:
    disclaimer: str
    coverage_note: str
    #: Acute risk: the 988 / 911 crisis text.
    crisis: str
    #: Non-acute risk (v2): the calm note that goes with the safety check-in.
    safety_note: str
    #: An absolute TMS safety finding (v2): said with every option about TMS.
    absolute_finding: str
    topics: dict[str, Topic]

    def texts(self) -> list[str]:
        """Every piece of patient text, for readability checks."""
        out = [
            self.disclaimer,
            self.coverage_note,
            self.crisis,
            self.safety_note,
            self.absolute_finding,
        ]
        for topic in self.topics.values():
            out += [topic.what, topic.involves, *topic.questions]
        return out


@functools.cache
def default_education() -> Education:
    return load_education(DEFAULT_PATH)


def load_education(path: str | Path | None = None) -> Education:
    """Load and check an education file. Raises :class:`RulesetError` when it is malformed."""
    path = Path(path) if path is not None else DEFAULT_PATH
    data = read_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("pathways"), dict):
        raise RulesetError(f"{path}: needs {', '.join(TEXT_KEYS)} and pathways")
    topics = {}
    for code, entry in data["pathways"].items():
        questions = entry.get("questions") if isinstance(entry, dict) else None
        if not isinstance(questions, list) or not all(
            isinstance(entry.get(key), str) for key in ("what", "involves")
        ):
            raise RulesetError(f"education {code}: needs what, involves and a list of questions")
        topics[code] = Topic(entry["what"].strip(), entry["involves"].strip(), tuple(questions))
    for key in TEXT_KEYS:
        if not isinstance(data.get(key), str):
            raise RulesetError(f"{path}: {key} must be text")
    texts = {key: data[key].strip() for key in TEXT_KEYS}
    return Education(**texts, topics=topics)


def patient_summary(
    evaluation: dict[str, Any],
    ruleset: Ruleset | None = None,
    education: Education | None = None,
) -> list[dict[str, Any]]:
    """What the patient reads about each pathway in ``evaluation``, suicide risk first.

    Each item has ``code``, ``title``, ``what_it_is``, ``what_it_involves``,
    ``why_it_may_fit`` (the ``because`` lines reworded for the patient), ``questions_to_ask``
    and ``coverage`` (always "verify with your plan"). The crisis item also has ``crisis``: the
    988 / 911 text. For a v1 evaluation it comes first whenever a suicide flag or the crisis
    pathway is present. For a v2 evaluation it comes first for acute risk only; non-acute risk
    puts the safety check-in first, with ``safety_note`` (the calm text) and no ``crisis``.
    """
    rules = ruleset or ruleset_for(evaluation) or default_ruleset()
    texts = education or default_education()
    items = []
    for pathway in evaluation["pathways"]:
        rule = rules.pathway(pathway["code"])
        topic = texts.topics.get(rule.education if rule else pathway["code"])
        if topic is None:
            continue
        items.append(
            {
                "code": pathway["code"],
                "title": pathway["title"],
                "what_it_is": topic.what,
                "what_it_involves": topic.involves,
                "why_it_may_fit": [reword(rule, line) for line in pathway["because"]],
                "questions_to_ask": list(topic.questions),
                "coverage": texts.coverage_note,
            }
        )
    if evaluation.get("contract") == V2_CONTRACT:
        return _risk_first_v2(
            _absolute_finding_said(items, evaluation, texts), evaluation, rules, texts
        )
    return _crisis_first(items, evaluation, rules, texts)


def reword(rule: Rule | None, line: str) -> str:
    """The patient wording of a ``because`` line, or the line itself when none matches."""
    if rule is None:
        return line
    for candidate in rule.because:
        if candidate.patient is None:
            continue
        match = candidate.text.pattern.fullmatch(line)
        if match:
            return candidate.patient.render(match.groupdict())
    return line


def _crisis_first(
    items: list[dict[str, Any]], evaluation: dict[str, Any], rules: Ruleset, texts: Education
) -> list[dict[str, Any]]:
    """v1: crisis support and its text first whenever a suicide flag is present."""
    flagged = any(flag["code"] in SUICIDE_FLAGS for flag in evaluation["flags"])
    return _first(items, CRISIS_CODE, flagged, {"crisis": texts.crisis}, rules, texts)


def _risk_first_v2(
    items: list[dict[str, Any]], evaluation: dict[str, Any], rules: Ruleset, texts: Education
) -> list[dict[str, Any]]:
    """v2: acute risk puts crisis support first with the crisis text; non-acute risk puts the
    safety check-in first with the calm note (never the crisis text)."""
    flags = {flag["code"] for flag in evaluation["flags"]}
    items = _first(
        items,
        SAFETY_CHECK_CODE,
        NON_ACUTE_FLAG in flags,
        {"safety_note": texts.safety_note},
        rules,
        texts,
    )
    return _first(items, CRISIS_CODE, ACUTE_FLAG in flags, {"crisis": texts.crisis}, rules, texts)


def _first(
    items: list[dict[str, Any]],
    code: str,
    flagged: bool,
    extra: dict[str, str],
    rules: Ruleset,
    texts: Education,
) -> list[dict[str, Any]]:
    """``items`` with the item for ``code`` moved first and given ``extra``. When it is
    missing but ``flagged``, it is made from its education (with no reasons)."""
    found = next((item for item in items if item["code"] == code), None)
    if found is None and not flagged:
        return items
    if found is None:
        topic = texts.topics[code]
        rule = rules.pathway(code)
        found = {
            "code": code,
            "title": rule.title if rule else _FALLBACK_TITLES[code],
            "what_it_is": topic.what,
            "what_it_involves": topic.involves,
            "why_it_may_fit": [],
            "questions_to_ask": list(topic.questions),
            "coverage": texts.coverage_note,
        }
    return [{**found, **extra}, *(item for item in items if item is not found)]


#: Titles for an item made without its rule (an evaluation from an unknown ruleset).
_FALLBACK_TITLES = {
    CRISIS_CODE: "Crisis support now",
    SAFETY_CHECK_CODE: "A safety check-in with a clinician",
}


def _absolute_finding_said(
    items: list[dict[str, Any]], evaluation: dict[str, Any], texts: Education
) -> list[dict[str, Any]]:
    """With an absolute TMS safety finding, every option about TMS says first that a doctor
    needs to check the safety answers (unless one of its reasons says so already)."""
    if not any(flag["code"] == ABSOLUTE_FINDING_FLAG for flag in evaluation["flags"]):
        return items
    sentence = texts.absolute_finding
    return [
        {**item, "why_it_may_fit": [sentence, *item["why_it_may_fit"]]}
        if item["code"] in TMS_OPTIONS
        and not any(sentence in line for line in item["why_it_may_fit"])
        else item
        for item in items
    ]
