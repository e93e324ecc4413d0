"""Patient education: plain-language text for each pathway, and the patient's own summary.

The text is data (``education.yaml``) so clinicians can edit it; this module checks it once and
turns a stored evaluation into what the patient reads. Reasons are reworded with the "patient"
lines of the ruleset: each ``because`` line is matched against the clinician template that
produced it, and the values it carried are put into the patient wording.
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
#: v2's pathway for non-acute suicide risk ("A safety check-in with a clinician").
SAFETY_CHECK_CODE = "safety_check"
ACUTE_FLAG = "suicide_risk_acute"
SUICIDE_FLAGS = frozenset({ACUTE_FLAG, "suicide_risk"})


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
    crisis: str
    topics: dict[str, Topic]

    def texts(self) -> list[str]:
        """Every piece of patient text, for readability checks."""
        out = [self.disclaimer, self.coverage_note, self.crisis]
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
        raise RulesetError(f"{path}: needs disclaimer, coverage_note, crisis and pathways")
    topics = {}
    for code, entry in data["pathways"].items():
        questions = entry.get("questions") if isinstance(entry, dict) else None
        if not isinstance(questions, list) or not all(
            isinstance(entry.get(key), str) for key in ("what", "involves")
        ):
            raise RulesetError(f"education {code}: needs what, involves and a list of questions")
        topics[code] = Topic(entry["what"].strip(), entry["involves"].strip(), tuple(questions))
    for key in ("disclaimer", "coverage_note", "crisis"):
        if not isinstance(data.get(key), str):
            raise RulesetError(f"{path}: {key} must be text")
    return Education(
        data["disclaimer"].strip(), data["coverage_note"].strip(), data["crisis"].strip(), topics
    )


def patient_summary(
    evaluation: dict[str, Any],
    ruleset: Ruleset | None = None,
    education: Education | None = None,
) -> list[dict[str, Any]]:
    """What the patient reads about each pathway in ``evaluation``, crisis support first.

    Each item has ``code``, ``title``, ``what_it_is``, ``what_it_involves``,
    ``why_it_may_fit`` (the ``because`` lines reworded for the patient), ``questions_to_ask``
    and ``coverage`` (always "check with your plan"). The crisis item also has ``crisis``: the
    988 / 911 text. It comes first whenever the crisis pathway or acute risk is present, or a
    suicide flag that no safety check-in answers (``_crisis_first``).
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
    """Crisis support first when offered. Without it, it is added for acute risk, and for a
    non-acute suicide flag that no safety check-in answers (v2 offers one, which then comes
    first as the ruleset orders it, so a non-acute patient reads a calm page, not a crisis)."""
    crisis = next((item for item in items if item["code"] == CRISIS_CODE), None)
    flags = {flag["code"] for flag in evaluation["flags"]}
    checked = any(item["code"] == SAFETY_CHECK_CODE for item in items)
    flagged = ACUTE_FLAG in flags or (bool(flags & SUICIDE_FLAGS) and not checked)
    if crisis is None and not flagged:
        return items
    if crisis is None:
        topic = texts.topics[CRISIS_CODE]
        rule = rules.pathway(CRISIS_CODE)
        crisis = {
            "code": CRISIS_CODE,
            "title": rule.title if rule else "Crisis support now",
            "what_it_is": topic.what,
            "what_it_involves": topic.involves,
            "why_it_may_fit": [],
            "questions_to_ask": list(topic.questions),
            "coverage": texts.coverage_note,
        }
    else:
        items.remove(crisis)
    return [{**crisis, "crisis": texts.crisis}, *items]
