"""What patients read under rules v2 (pathway-rules-v2.md, "What patients read").

Every expectation here is written from the spec and from clinical-facts.md, never read out of
education.yaml or the ruleset: a table of the phrases each pathway must (or must not) say, and
the order of the patient summary for acute and non-acute suicide risk.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from answer_documents import (
    AS_OF_ISO,
    ASQ_YES,
    OCD_TWO_FAILED_SRIS,
    changed,
    sample_answers,
    sample_answers_v2,
)

from intake.answers import parse_answers
from intake.rules import evaluate
from intake.rules.education import default_education, patient_summary
from intake.rules.ruleset import shipped_ruleset
from tests.rules import v1

AS_OF = date.fromisoformat(AS_OF_ISO)
EDUCATION = default_education()
RULES_V2 = shipped_ruleset("2")

# The spec's sentence for an absolute safety finding, word for word.
ABSOLUTE_SENTENCE = (
    "A doctor needs to check your safety answers before anyone can say whether TMS is an option"
)

# -- Answers (intake-answers/2) that lead to each case ------------------------------------------

NON_ACUTE = {"asq.wished_dead": "yes", "asq.thoughts_right_now": "no"}
ACUTE = {"asq.wished_dead": "yes", "asq.thoughts_right_now": "yes"}
CASES: dict[str, dict[str, Any]] = {
    "sample": {},
    "non_acute": NON_ACUTE,
    "non_acute_declined_q1": {"asq.wished_dead": "declined", "asq.thoughts_right_now": "no"},
    "non_acute_phq9_item9": {"phq9.items": [2, 3, 2, 2, 2, 2, 2, 2, 1]},
    "acute": ACUTE,
    "acute_declined_q5": {"asq.ever_tried": "yes", "asq.thoughts_right_now": "declined"},
    "ocd": OCD_TWO_FAILED_SRIS,
    "absolute_finding": {"safety_screen.cochlear_implant": "yes"},
    "absolute_finding_after_tms": {
        "safety_screen.metal_in_head": "yes",
        "neuromodulation.tms": "full_improvement",
    },
    "relative_finding": {"safety_screen.seizure_history": "yes"},
    "bipolar": {"concerns.mania_history": "yes"},
    "psychosis_unsure": {"concerns.psychotic_symptoms": "unsure"},
    "tms_helped": {"neuromodulation.tms": "partial_improvement"},
    "ptsd_low_scores": {
        "concerns.primary": "ptsd",
        "phq9.items": [1, 1, 0, 0, 0, 0, 0, 0, 0],
        "gad7.items": [1, 0, 0, 0, 0, 0, 0],
    },
}


def evaluation_for(changes: dict[str, Any]) -> dict[str, Any]:
    evaluation = evaluate(parse_answers(changed(sample_answers_v2(), changes), AS_OF), AS_OF)
    assert evaluation["contract"] == "intake-evaluation/2"
    return evaluation


def summary_for(changes: dict[str, Any]) -> list[dict[str, Any]]:
    return patient_summary(evaluation_for(changes))


def codes(summary: list[dict[str, Any]]) -> list[str]:
    return [item["code"] for item in summary]


def item_texts(item: dict[str, Any]) -> list[str]:
    """Every piece of text of one summary item that the patient reads."""
    out = [item["title"], item["what_it_is"], item["what_it_involves"], item["coverage"]]
    out += item["why_it_may_fit"] + item["questions_to_ask"]
    return out + [item[key] for key in ("crisis", "safety_note") if key in item]


def summary_texts(summary: list[dict[str, Any]]) -> list[str]:
    return [text for item in summary for text in item_texts(item)]


def topic_text(code: str) -> str:
    topic = EDUCATION.topics[code]
    return " ".join([topic.what, topic.involves, *topic.questions])


#: Everything a patient can read under rules v2: the education, the v2 titles and patient
#: lines, and the summaries of every case above.
V2_PATIENT_TEXTS = (
    EDUCATION.texts()
    + [rule.title for rule in RULES_V2.pathways]
    + [line.patient.source for rule in RULES_V2.pathways for line in rule.because if line.patient]
    + [text for changes in CASES.values() for text in summary_texts(summary_for(changes))]
)


# -- Side effects and hearing protection in every TMS entry -------------------------------------

TMS_PATHWAYS = ["tms_plus_cbt", "tms_plus_medication_review", "tms_plus_erp"]
#: The safety review and the bipolar assessment say the same "in their own words".
TMS_SIDE_EFFECT_ENTRIES = [*TMS_PATHWAYS, "tms_safety_review", "bipolar_assessment"]

#: (what it checks, a pattern the entry must match, case-insensitive)
SIDE_EFFECT_PHRASES = [
    ("common: headache", r"headache"),
    ("common: scalp discomfort", r"scalp discomfort"),
    ("common: jaw or facial twitching", r"twitching of the jaw or face|jaw or facial twitching"),
    ("common: light-headedness", r"light-headed"),
    ("rare: a seizure", r"seizure"),
    ("rare: mania", r"\bmania\b"),
    ("rare: hypomania", r"\bhypomania\b"),
    ("said to be rare", r"\brare\b"),
    ("especially with a bipolar history", r"history of bipolar disorder"),
    ("hearing protection at every session", r"(earplugs|hearing protection) at every session"),
]


@pytest.mark.parametrize("code", TMS_SIDE_EFFECT_ENTRIES)
@pytest.mark.parametrize(("what", "pattern"), SIDE_EFFECT_PHRASES, ids=lambda v: str(v))
def test_every_tms_entry_names_the_side_effects_and_earplugs(
    code: str, what: str, pattern: str
) -> None:
    assert re.search(pattern, topic_text(code), re.IGNORECASE), f"{code} does not say {what}"


@pytest.mark.parametrize("code", TMS_PATHWAYS)
def test_the_tms_pathways_give_the_seizure_figure_and_stopping_rate(code: str) -> None:
    # clinical-facts.md: under 5% stop for side effects. The seizure figure (under 1 per
    # 60,000 sessions within guidelines, without risk factors) is given where TMS is described
    # for depression.
    assert "Fewer than 5 in 100 people stop TMS because of side effects" in topic_text(code)
    if code != "tms_plus_erp":
        text = topic_text(code)
        assert "fewer than 1 in 60,000 sessions" in text
        assert "no risk factors" in text


#: Every number the education may use, and where clinical-facts.md gives it.
ALLOWED_NUMBERS = {
    "988": "988 Suicide & Crisis Lifeline (and 988lifeline.org)",
    "911": "emergency",
    "838255": "Veterans Crisis Line text",
    "1": "press 1 for veterans; under 1 per 60,000 sessions",
    "2": "press 2 for Spanish; 66% response (about 2 in 3)",
    "3": "about 2 in 3",
    "5": "5 sessions a week; under 5% stop for side effects",
    "4": "4-6 weeks",
    "6": "4-6 weeks; Deep TMS for OCD daily for 6 weeks",
    "36": "commonly 36 sessions",
    "100": "percentages as 'in 100'",
    "60,000": "under 1 per 60,000 sessions",
    "38": "Deep TMS for OCD, 38.1% response",
    "11": "sham, 11.1% response",
}


def test_education_uses_only_numbers_from_the_clinical_facts() -> None:
    found = {number for text in EDUCATION.texts() for number in re.findall(r"\d[\d,]*\d|\d", text)}
    assert found <= set(ALLOWED_NUMBERS), found - set(ALLOWED_NUMBERS)


def test_deep_tms_for_ocd_does_not_claim_evidence_for_the_combination() -> None:
    # clinical-facts.md: no completed trial of TMS plus formal ERP yet.
    assert "No study has yet finished testing Deep TMS and ERP together" in topic_text(
        "tms_plus_erp"
    )


# -- Never a diagnosis, no severity bands, US spelling -------------------------------------------

CONDITIONS = r"(depression|ocd|ptsd|anxiety|bipolar|mania|psychosis|an? \w+ disorder)"
BAND_WORDS = re.compile(r"\b(minimal|mild|moderate|moderately severe|severe)\b", re.IGNORECASE)
UK_SPELLINGS = [
    "behaviour",
    "behavioural",
    "practise",
    "practising",
    "programme",
    "colour",
    "centre",
    "counselling",
    "counsellor",
    "favour",
    "tumour",
    "labelled",
    "licence",
    "judgement",
    "organise",
    "recognise",
    "realise",
    "paediatric",
    "travelling",
    "whilst",
]


@pytest.mark.parametrize("text", V2_PATIENT_TEXTS)
def test_v2_patient_text_never_diagnoses(text: str) -> None:
    assert not re.search(r"\bYou have\b", text), text
    assert not re.search(rf"\byou have {CONDITIONS}\b", text, re.IGNORECASE), text
    assert not re.search(rf"\byour {CONDITIONS}\b", text, re.IGNORECASE), text
    assert not re.search(r"\byou (are|suffer from) (depressed|bipolar)", text, re.IGNORECASE)


@pytest.mark.parametrize("text", V2_PATIENT_TEXTS)
def test_v2_patient_text_has_no_severity_bands(text: str) -> None:
    assert not BAND_WORDS.search(text), text


@pytest.mark.parametrize("text", V2_PATIENT_TEXTS)
def test_v2_patient_text_uses_us_spelling(text: str) -> None:
    for uk in UK_SPELLINGS:
        assert not re.search(rf"\b{uk}", text, re.IGNORECASE), (uk, text)


def test_us_spellings_are_used() -> None:
    assert "behavior" in topic_text("tms_plus_cbt")
    assert "practice between visits" in topic_text("psychotherapy")
    assert RULES_V2.pathway("tms_plus_cbt").title == "TMS with cognitive behavioral therapy"


def test_ocd_reads_as_what_the_patient_told_us() -> None:
    [erp] = [item for item in summary_for(OCD_TWO_FAILED_SRIS) if item["code"] == "tms_plus_erp"]
    assert erp["why_it_may_fit"][0].startswith("You told us OCD is what brings you here")


def test_a_score_is_given_without_its_band() -> None:
    [cbt, _review] = summary_for({})
    assert cbt["why_it_may_fit"][0] == (
        "Your mood questionnaire score is 17; a clinician will go over what it means with you"
    )


# -- No "TMS may fit you" beside an absolute safety finding --------------------------------------

PROMISES_TMS = re.compile(
    r"TMS may (fit|be an option|help)|may fit you|you can have TMS|TMS (will|is right)",
    re.IGNORECASE,
)


def test_the_safety_review_entry_never_promises_tms() -> None:
    # Read with and without an absolute finding: right for both.
    text = topic_text("tms_safety_review")
    assert not PROMISES_TMS.search(text)
    assert "no one can say whether TMS is an option" in text


def test_the_maintenance_entry_never_promises_tms() -> None:
    # It can be offered beside an absolute finding (TMS helped before, an implant since).
    text = topic_text("maintenance_therapy")
    assert not PROMISES_TMS.search(text)
    assert "a doctor checks your safety answers again" in text


@pytest.mark.parametrize("case", ["absolute_finding", "absolute_finding_after_tms"])
def test_an_absolute_finding_says_a_doctor_checks_first_and_never_that_tms_may_fit(
    case: str,
) -> None:
    summary = summary_for(CASES[case])
    assert not set(TMS_PATHWAYS) & set(codes(summary))
    assert "tms_safety_review" in codes(summary)
    for text in summary_texts(summary):
        assert not PROMISES_TMS.search(text), text
    for item in summary:
        if item["code"] in ("tms_safety_review", "maintenance_therapy"):
            assert any(ABSOLUTE_SENTENCE in line for line in item["why_it_may_fit"]), item


def test_after_tms_helped_an_absolute_finding_is_said_with_keeping_gains() -> None:
    summary = summary_for(CASES["absolute_finding_after_tms"])
    [maintenance] = [item for item in summary if item["code"] == "maintenance_therapy"]
    assert maintenance["why_it_may_fit"][0] == ABSOLUTE_SENTENCE
    # Once only on the safety review, where the ruleset's reason already says it.
    [review] = [item for item in summary if item["code"] == "tms_safety_review"]
    assert sum(ABSOLUTE_SENTENCE in line for line in review["why_it_may_fit"]) == 1


def test_without_an_absolute_finding_the_sentence_is_not_added() -> None:
    for case in ("relative_finding", "tms_helped", "sample"):
        for text in summary_texts(summary_for(CASES[case])):
            assert ABSOLUTE_SENTENCE not in text, (case, text)


# -- Acute and non-acute risk read differently ---------------------------------------------------

CRISIS_PHRASES = ["Call or text 988", "988lifeline.org", "press 1", "press 2", "call 911"]
CALM_PHRASES = [
    "will want to talk with you about your safety",
    "If the thoughts get stronger",
    "might act on them",
    "call or text 988 or call 911 now",
]
#: Words that dress a page as an emergency: not on the calm, non-acute text.
ALARM = re.compile(
    r"crisis|emergency|danger|immediately|urgent|right now|988lifeline|press [12]", re.IGNORECASE
)


def test_the_crisis_text_has_every_line_of_the_crisis_page() -> None:
    for phrase in CRISIS_PHRASES:
        assert phrase in EDUCATION.crisis, phrase
    assert "press 3" not in EDUCATION.crisis.lower()


def test_the_safety_check_entry_is_calm_thanks_and_says_when_to_call() -> None:
    text = topic_text("safety_check")
    assert "Thank you" in text
    for phrase in CALM_PHRASES:
        assert phrase in text, phrase
    assert not ALARM.search(text), ALARM.search(text)


def test_the_safety_note_is_calm_and_says_when_to_call() -> None:
    for phrase in CALM_PHRASES:
        assert phrase in EDUCATION.safety_note, phrase
    assert not ALARM.search(EDUCATION.safety_note)


@pytest.mark.parametrize("case", ["non_acute", "non_acute_declined_q1", "non_acute_phq9_item9"])
def test_non_acute_risk_puts_the_safety_check_first_with_the_calm_text(case: str) -> None:
    summary = summary_for(CASES[case])
    assert codes(summary)[0] == "safety_check"
    assert summary[0]["title"] == "A safety check-in with a clinician"
    for phrase in CALM_PHRASES:
        assert phrase in summary[0]["safety_note"]
    assert "crisis_support" not in codes(summary)
    assert not any("crisis" in item for item in summary)
    for text in summary_texts(summary):
        assert "988lifeline.org" not in text and "press 1" not in text, text


@pytest.mark.parametrize("case", ["acute", "acute_declined_q5"])
def test_acute_risk_puts_crisis_support_first_with_the_crisis_text(case: str) -> None:
    summary = summary_for(CASES[case])
    assert codes(summary)[0] == "crisis_support"
    for phrase in CRISIS_PHRASES:
        assert phrase in summary[0]["crisis"], phrase
    assert "safety_check" not in codes(summary)
    assert not any("safety_note" in item for item in summary)
    assert not set(TMS_PATHWAYS) & set(codes(summary))  # TMS waits while acute risk stands


def test_no_risk_no_support_item() -> None:
    summary = summary_for({})
    assert {"crisis_support", "safety_check"}.isdisjoint(codes(summary))
    assert not any("crisis" in item or "safety_note" in item for item in summary)


@pytest.mark.parametrize(
    ("flag", "first", "key"),
    [
        ("suicide_risk_acute", "crisis_support", "crisis"),
        ("suicide_risk", "safety_check", "safety_note"),
    ],
)
def test_a_v2_flag_without_its_pathway_still_leads(flag: str, first: str, key: str) -> None:
    evaluation = {
        "contract": "intake-evaluation/2",
        "flags": [{"code": flag, "level": "urgent", "because": ["x"]}],
        "pathways": [
            {"code": "psychotherapy", "title": "Evidence-based psychotherapy", "because": []}
        ],
    }
    summary = patient_summary(evaluation)
    assert codes(summary) == [first, "psychotherapy"]
    assert "988" in summary[0][key]
    assert not any(other in summary[0] for other in ("crisis", "safety_note") if other != key)


def test_a_v1_evaluation_keeps_crisis_support_first_for_non_acute_risk() -> None:
    # Rules v1 has one pathway for any risk: today's behaviour stays for stored v1 evaluations.
    answers = parse_answers(changed(sample_answers(), ASQ_YES), AS_OF)
    evaluation = v1.evaluate(answers, AS_OF)
    assert evaluation["contract"] == "intake-evaluation/1"
    summary = patient_summary(evaluation)
    assert codes(summary)[0] == "crisis_support"
    for phrase in CRISIS_PHRASES:
        assert phrase in summary[0]["crisis"], phrase
    assert not any("safety_note" in item for item in summary)
