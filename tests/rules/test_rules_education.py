"""Patient education: complete, readable (grade 8 or below), and crisis support first."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from answer_documents import AS_OF_ISO, changed, sample_answers, sample_answers_v2
from readability import flesch_kincaid_grade

from intake.answers import parse_answers
from intake.rules.education import default_education, patient_summary, reword
from intake.rules.ruleset import shipped_ruleset
from tests.rules.v1 import RULESET, evaluate

AS_OF = date.fromisoformat(AS_OF_ISO)
EDUCATION = default_education()
MAX_GRADE = 8
#: The patient wording of rules v1 (still shown for stored v1 evaluations) and of rules v2.
PATIENT_LINES = list(
    dict.fromkeys(
        line.patient.source
        for rules in (RULESET, shipped_ruleset("2"))
        for rule in rules.pathways
        for line in rule.because
        if line.patient
    )
)


@pytest.mark.parametrize("text", EDUCATION.texts() + PATIENT_LINES)
def test_patient_text_reads_at_grade_8_or_below(text: str) -> None:
    sample = re.sub(r"\{[^}]*\}", "two", text)
    assert flesch_kincaid_grade(sample) <= MAX_GRADE, text


def test_every_pathway_has_education() -> None:
    for rules in (RULESET, shipped_ruleset("2")):
        assert {rule.education for rule in rules.pathways} <= set(EDUCATION.topics)
    for topic in EDUCATION.topics.values():
        assert topic.what and topic.involves and topic.questions


def test_tms_education_gives_the_schedule_side_effects_and_seizure_risk() -> None:
    # clinical-facts.md: 5 sessions a week for 4-6 weeks, commonly 36; earplugs at every
    # session; seizures under 1 per 60,000 sessions within guidelines without risk factors.
    for code in ("tms_plus_cbt", "tms_plus_medication_review"):
        involves = EDUCATION.topics[code].involves
        assert "5 sessions a week for 4 to 6 weeks" in involves
        assert "36 sessions" in involves
        assert "earplugs at every session" in involves
        assert "headache" in involves.lower()
        assert "fewer than 1 in 60,000 sessions" in involves
        # A session length is not in clinical-facts.md, so the education gives none.
        assert "minutes" not in involves


def test_crisis_text_offers_988_and_911_but_not_the_ended_press_3_line() -> None:
    crisis = EDUCATION.crisis
    assert "Call or text 988" in crisis
    assert "988lifeline.org" in crisis
    assert "911" in crisis
    assert "press 1" in crisis and "press 2" in crisis
    assert "press 3" not in crisis.lower()
    assert "lgbtq" not in crisis.lower()


def test_education_never_promises_cover_or_diagnoses() -> None:
    # clinical-facts.md: every coverage statement says "verify with your plan".
    assert "verify with your plan" in EDUCATION.coverage_note
    assert "not a diagnosis" in EDUCATION.disclaimer
    for text in EDUCATION.texts():
        assert "you have depression" not in text.lower()
        assert "will be covered" not in text.lower()


def summary_for(changes: dict[str, object]) -> list[dict[str, object]]:
    answers = parse_answers(changed(sample_answers(), changes), AS_OF)
    return patient_summary(evaluate(answers, AS_OF))


def test_summary_rewords_reasons_for_the_patient() -> None:
    [cbt, review] = summary_for({})
    assert cbt["code"] == "tms_plus_cbt"
    assert cbt["title"] == "TMS with cognitive behavioural therapy"
    assert cbt["why_it_may_fit"][:2] == [
        "Your mood score (PHQ-9) is 17, in the moderately severe range",
        "You have tried 2 antidepressants that did not help enough: sertraline, venlafaxine",
    ]
    assert review["why_it_may_fit"][2] == "You take venlafaxine now"
    assert cbt["coverage"] == EDUCATION.coverage_note
    assert cbt["questions_to_ask"]
    assert "crisis" not in cbt


def test_summary_puts_crisis_support_first_with_988() -> None:
    summary = summary_for({"asq.wished_dead": "yes", "asq.thoughts_right_now": "yes"})
    assert summary[0]["code"] == "crisis_support"
    assert summary[0]["crisis"] == EDUCATION.crisis
    assert summary[0]["why_it_may_fit"][1] == (
        "You said you are having thoughts of killing yourself right now"
    )


def test_summary_adds_crisis_support_for_a_suicide_flag_even_without_the_pathway() -> None:
    evaluation = {
        "flags": [{"code": "suicide_risk", "level": "urgent", "because": ["x"]}],
        "pathways": [
            {"code": "psychotherapy", "title": "Evidence-based psychotherapy", "because": []}
        ],
    }
    summary = patient_summary(evaluation)
    assert [item["code"] for item in summary] == ["crisis_support", "psychotherapy"]
    assert "988" in summary[0]["crisis"]


def test_v2_non_acute_risk_reads_as_a_safety_check_in_not_a_crisis() -> None:
    """pathway-rules-v2.md: a non-acute positive screen (a declined question, question 5 "no")
    is a safety check-in, so the patient's summary starts with it and carries no crisis text;
    a declined question 5 is acute, and crisis support comes first."""
    from intake.rules.engine import evaluate as evaluate_v2

    def summary_v2(asq: dict[str, str]) -> list[dict[str, Any]]:
        document = sample_answers_v2()
        document["asq"] = {**document["asq"], **asq}
        evaluation = evaluate_v2(parse_answers(document, AS_OF), AS_OF)
        return patient_summary(evaluation)

    calm = summary_v2({"wished_dead": "declined", "thoughts_right_now": "no"})
    assert calm[0]["code"] == "safety_check"
    assert calm[0]["title"] == "A safety check-in with a clinician"
    assert all("crisis" not in item for item in calm)
    assert "crisis_support" not in [item["code"] for item in calm]
    acute = summary_v2({"wished_dead": "no", "thoughts_right_now": "declined"})
    assert acute[0]["code"] == "crisis_support"
    assert "988" in acute[0]["crisis"]


def test_a_line_from_an_older_ruleset_is_shown_as_it_is() -> None:
    rule = RULESET.pathway("tms_plus_cbt")
    assert reword(rule, "Some wording no template makes") == "Some wording no template makes"
    assert reword(None, "Anything") == "Anything"
