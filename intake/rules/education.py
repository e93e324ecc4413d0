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

In another language (``say``: gettext on a Spanish patient page; English by default, so this
module stays pure) every text comes from the catalogue, the English here and in the rulesets
being its msgid: the education texts, the pathway titles and each reason's patient wording,
into which the values read back from the stored line are put translated where they are words
(an answer such as "yes", the rules' phrases such as "a seizure in the past") and as they are
where they are numbers or medicine names. ``catalogue_texts`` lists what the catalogue must hold
(``intake.patient.catalogue.extract_education``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake.rules.facts import (
    FACT_TYPES,
    GAD7_SEVERITY,
    PHQ9_SEVERITY,
    PRIMARY_WORDS,
    SAFETY_WORDS,
)
from intake.rules.ruleset import (
    SHIPPED,
    Rule,
    Ruleset,
    RulesetError,
    Template,
    default_ruleset,
    read_yaml,
    ruleset_for,
    shipped_ruleset,
)

#: Translates one text (``gettext`` on a patient page in another language).
Say = Callable[[str], str]


def _same(text: str) -> str:
    return text


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

#: The text facts a patient line shows as a list of the rules' words (``", "``-joined): on a
#: page in another language each is translated. Every other text fact a patient line shows is
#: a list of medicine names (``NAME_FACTS``), kept as they are: the generic names on a US label.
WORD_FACTS: Mapping[str, tuple[str, ...]] = {
    "primary_words": tuple(PRIMARY_WORDS.values()),
    "absolute_finding_words": tuple(SAFETY_WORDS.values()),
    "relative_finding_words": tuple(SAFETY_WORDS.values()),
    "unsure_finding_words": tuple(SAFETY_WORDS.values()),
    "phq9_severity_words": tuple(band.replace("_", " ") for _, band in PHQ9_SEVERITY),
    "gad7_severity_words": tuple(band.replace("_", " ") for _, band in GAD7_SEVERITY),
}
NAME_FACTS = frozenset(
    {
        "failed_trial_names",
        "current_antidepressant_names",
        "seizure_threshold_names",
        "failed_sri_names",
    }
)
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")


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
    return parse_education(path.read_text(encoding="utf-8"), str(path))


def parse_education(text: str | bytes, path: str) -> Education:
    """An education file's text, checked (``path`` names it in the error)."""
    data = read_yaml(text)
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
    say: Say = _same,
) -> list[dict[str, Any]]:
    """What the patient reads about each pathway in ``evaluation``, suicide risk first.

    Each item has ``code``, ``title``, ``what_it_is``, ``what_it_involves``,
    ``why_it_may_fit`` (the ``because`` lines reworded for the patient), ``questions_to_ask``
    and ``coverage`` (always "verify with your plan"). The crisis item also has ``crisis``: the
    988 / 911 text. For a v1 evaluation it comes first whenever a suicide flag or the crisis
    pathway is present. For a v2 evaluation it comes first for acute risk only; non-acute risk
    puts the safety check-in first, with ``safety_note`` (the calm text) and no ``crisis``.
    Every text is ``say``'s (the patient's language; English by default).
    """
    rules = ruleset or ruleset_for(evaluation) or default_ruleset()
    texts = translated(education or default_education(), say)
    items = []
    for pathway in evaluation["pathways"]:
        rule = rules.pathway(pathway["code"])
        topic = texts.topics.get(rule.education if rule else pathway["code"])
        if topic is None:
            continue
        items.append(
            {
                "code": pathway["code"],
                "title": say(pathway["title"]),
                "what_it_is": topic.what,
                "what_it_involves": topic.involves,
                "why_it_may_fit": [reword(rule, line, say) for line in pathway["because"]],
                "questions_to_ask": list(topic.questions),
                "coverage": texts.coverage_note,
            }
        )
    if evaluation.get("contract") == V2_CONTRACT:
        return _risk_first_v2(
            _absolute_finding_said(items, evaluation, texts), evaluation, rules, texts, say
        )
    return _crisis_first(items, evaluation, rules, texts, say)


def translated(education: Education, say: Say) -> Education:
    """``education`` with every text ``say``'s (itself when ``say`` is English)."""
    if say is _same:
        return education
    return Education(
        **{key: say(getattr(education, key)) for key in TEXT_KEYS},
        topics={
            code: Topic(say(t.what), say(t.involves), tuple(say(q) for q in t.questions))
            for code, t in education.topics.items()
        },
    )


def reword(rule: Rule | None, line: str, say: Say = _same) -> str:
    """The patient wording of a ``because`` line, or the line itself when none matches; in
    ``say``'s language with the values read back from ``line`` put into its translation."""
    if rule is None:
        return line
    for candidate in rule.because:
        if candidate.patient is None:
            continue
        match = candidate.text.pattern.fullmatch(line)
        if match:
            english = candidate.patient.render(match.groupdict())
            if say is _same:
                return english
            return _in_language(candidate.patient, match.groupdict(), say) or english
    return line


def _in_language(template: Template, values: Mapping[str, str], say: Say) -> str | None:
    """``template``'s translation with ``values`` put in (translated where they are words), or
    None when the translation does not name the same facts (then the English is shown)."""
    wording = say(template.source)
    if set(_PLACEHOLDER.findall(wording)) != template.names:
        return None
    return _PLACEHOLDER.sub(lambda found: value_in(found[1], values[found[1]], say), wording)


def value_in(fact: str, value: str, say: Say) -> str:
    """A fact's value as shown in a patient line, in ``say``'s language: an answer (an enum,
    already in words) and each of the rules' words translated; numbers and medicine names
    as they are. A list the words cannot be read back from is left as it is."""
    fact_type = FACT_TYPES.get(fact)
    if fact_type is not None and fact_type.kind == "enum":
        return say(value)
    if fact in WORD_FACTS:
        parts = split_words(value, WORD_FACTS[fact])
        return ", ".join(say(part) for part in parts) if parts is not None else value
    return value


def split_words(value: str, known: Iterable[str]) -> list[str] | None:
    """``value`` (words joined with ``", "``, some with a comma of their own: "a stroke,
    tumour, aneurysm, brain surgery or shunt") as the known words it was made of, or None."""
    words = sorted(set(known), key=len, reverse=True)
    if value in words:
        return [value]
    for word in words:
        if value.startswith(word + ", "):
            rest = split_words(value[len(word) + 2 :], words)
            if rest is not None:
                return [word, *rest]
    return None


def catalogue_texts(education: Education | None = None) -> list[str]:
    """Every text the patient reads about the pathways, for the gettext catalogue: the
    education texts, and of every shipped ruleset (older evaluations are still shown) the
    pathway titles, the reasons' patient wording and the words put into them."""
    texts = list((education or default_education()).texts())
    for generation in SHIPPED:
        rules = shipped_ruleset(generation)
        for rule in rules.pathways:
            texts.append(rule.title)
            for line in rule.because:
                if line.patient is None:
                    continue
                texts.append(line.patient.source)
                for name in sorted(line.patient.names):
                    texts.extend(shown_words(name))
    texts.extend(_FALLBACK_TITLES.values())
    return list(dict.fromkeys(texts))


def shown_words(fact: str) -> tuple[str, ...]:
    """The words a patient line may show for ``fact`` that need translating (none for a
    number or medicine names)."""
    fact_type = FACT_TYPES[fact]
    if fact_type.kind == "enum":
        return tuple(choice.replace("_", " ") for choice in fact_type.choices)
    return WORD_FACTS.get(fact, ())


def _crisis_first(
    items: list[dict[str, Any]],
    evaluation: dict[str, Any],
    rules: Ruleset,
    texts: Education,
    say: Say,
) -> list[dict[str, Any]]:
    """v1: crisis support and its text first whenever a suicide flag is present."""
    flagged = any(flag["code"] in SUICIDE_FLAGS for flag in evaluation["flags"])
    return _first(items, CRISIS_CODE, flagged, {"crisis": texts.crisis}, rules, texts, say)


def _risk_first_v2(
    items: list[dict[str, Any]],
    evaluation: dict[str, Any],
    rules: Ruleset,
    texts: Education,
    say: Say,
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
        say,
    )
    return _first(
        items, CRISIS_CODE, ACUTE_FLAG in flags, {"crisis": texts.crisis}, rules, texts, say
    )


def _first(
    items: list[dict[str, Any]],
    code: str,
    flagged: bool,
    extra: dict[str, str],
    rules: Ruleset,
    texts: Education,
    say: Say,
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
            "title": say(rule.title if rule else _FALLBACK_TITLES[code]),
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
