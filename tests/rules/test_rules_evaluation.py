"""Table-driven tests of every flag, pathway and coverage criterion, at their boundaries."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from answer_documents import AS_OF_ISO, changed, sample_answers

from intake.answers import parse_answers
from tests.rules.v1 import RULESET, evaluate

AS_OF = date.fromisoformat(AS_OF_ISO)
TMS_DEPRESSION = ["tms_plus_cbt", "tms_plus_medication_review"]
NOT_CURRENT = {"medication_trials[1].current": False}
OCD = {
    "concerns.primary": "ocd",
    "phq9.items": [1, 1, 1, 1, 1, 1, 1, 1, 0],
    "medication_trials": [
        {
            "name": "Prozac",
            "daily_dose_mg": 60,
            "weeks": 12,
            "outcome": "no_improvement",
            "current": False,
        },
        {
            "name": "clomipramine",
            "daily_dose_mg": 150,
            "weeks": 10,
            "outcome": "partial_improvement",
            "current": False,
        },
    ],
}
NO_TREATMENT = {
    "medication_trials": [],
    "psychotherapy_trials": [],
    "phq9.items": [0] * 9,
    "phq9.difficulty": "not_difficult",
    "gad7.items": [0] * 7,
}
MEDICARE = {"insurance.coverage_type": "medicare", "insurance.member_id": "1EG4-TE5-MK73"}


def run(changes: dict[str, Any], as_of: date = AS_OF) -> dict[str, Any]:
    return evaluate(parse_answers(changed(sample_answers(), changes), as_of), as_of)


def codes(evaluation: dict[str, Any], key: str) -> list[str]:
    return [item["code"] for item in evaluation[key]]


def born_years_ago(years: int) -> str:
    """A date of birth making the patient exactly ``years`` old on AS_OF."""
    return f"{AS_OF.year - years}-{AS_OF.month:02d}-{AS_OF.day:02d}"


def phq9(total: int, item9: int = 0) -> list[int]:
    items = [0] * 8
    remaining = total - item9
    for i in range(8):
        items[i] = min(3, remaining)
        remaining -= items[i]
    assert remaining == 0
    return [*items, item9]


def gad7(total: int) -> list[int]:
    items = [min(3, max(0, total - 3 * i)) for i in range(7)]
    assert sum(items) == total
    return items


def test_sample_is_treatment_resistant_depression_offered_tms() -> None:
    evaluation = run({})
    assert codes(evaluation, "pathways") == TMS_DEPRESSION
    assert codes(evaluation, "flags") == []
    assert evaluation["as_of"] == AS_OF_ISO
    assert evaluation["ruleset"] == {"version": RULESET.version, "sha256": RULESET.sha256}
    assert list(evaluation) == [
        "contract",
        "ruleset",
        "as_of",
        "age",
        "scores",
        "treatment_history",
        "flags",
        "pathways",
        "coverage",
    ]


def test_because_lines_carry_concrete_values() -> None:
    evaluation = run({})
    assert evaluation["pathways"][0]["because"][:2] == [
        "PHQ-9 total 17 (moderately severe)",
        "2 adequate antidepressant trials without enough improvement: sertraline, venlafaxine",
    ]


FLAG_CASES = [
    ({"asq.wished_dead": "yes", "asq.thoughts_right_now": "yes"}, "suicide_risk_acute", True),
    ({"asq.ever_tried": "yes", "asq.thoughts_right_now": "no"}, "suicide_risk", True),
    ({"asq.ever_tried": "yes", "asq.thoughts_right_now": "no"}, "suicide_risk_acute", False),
    ({"asq.ever_tried": "yes", "asq.thoughts_right_now": "yes"}, "suicide_risk", False),
    ({"phq9.items": phq9(17, item9=1)}, "suicide_risk", True),
    ({"phq9.items": phq9(17, item9=0)}, "suicide_risk", False),
    ({"safety_screen.metal_in_head": "yes"}, "tms_contraindication", True),
    ({"safety_screen.cochlear_implant": "yes"}, "tms_contraindication", True),
    ({"safety_screen.implanted_neurostimulator": "yes"}, "tms_contraindication", True),
    ({"safety_screen.metal_in_head": "unsure"}, "tms_contraindication", False),
    ({"safety_screen.fainting": "yes"}, "tms_precaution", True),
    ({"safety_screen.pregnant": "yes"}, "tms_precaution", True),
    ({"other_medications": ["Ultram"]}, "tms_precaution", True),
    ({"other_medications": ["Ultram"]}, "seizure_threshold_medication", True),
    ({"other_medications": ["Wellbutrin XL"]}, "seizure_threshold_medication", False),
    ({"safety_screen.pregnant": "unsure"}, "tms_screen_incomplete", True),
    ({"safety_screen.metal_in_head": "unsure"}, "tms_screen_incomplete", True),
    ({"safety_screen.frequent_headaches": "unsure"}, "tms_screen_incomplete", False),
    ({"concerns.psychotic_symptoms": "yes"}, "psychotic_features", True),
    ({"concerns.psychotic_symptoms": "unsure"}, "psychotic_features", False),
    ({"concerns.mania_history": "yes"}, "mania_risk", True),
    ({"concerns.bipolar_diagnosis": "yes"}, "mania_risk", True),
    ({"concerns.bipolar_diagnosis": "unsure"}, "mania_risk", False),
    ({"patient.date_of_birth": born_years_ago(17)}, "minor", True),
    ({"patient.date_of_birth": born_years_ago(18)}, "minor", False),
    ({"safety_screen.hearing_problems": "yes"}, "hearing_protection", True),
    ({"safety_screen.hearing_problems": "unsure"}, "hearing_protection", False),
    ({"medication_trials[0].name": "Zeta pill"}, "unrecognized_medication", True),
    ({"preferences.can_attend_daily_sessions": "no"}, "schedule_barrier", True),
    ({"preferences.can_attend_daily_sessions": "unsure"}, "schedule_barrier", False),
    (
        {"preferences.can_attend_daily_sessions": "no", "safety_screen.metal_in_head": "yes"},
        "schedule_barrier",
        False,
    ),
    ({**OCD, "preferences.can_attend_daily_sessions": "no"}, "schedule_barrier", True),
]


@pytest.mark.parametrize(("changes", "flag", "present"), FLAG_CASES)
def test_flags(changes: dict[str, Any], flag: str, present: bool) -> None:
    evaluation = run(changes)
    assert (flag in codes(evaluation, "flags")) is present
    for item in evaluation["flags"]:
        assert item["because"]
        assert item["level"] == next(r.level for r in RULESET.flags if r.code == item["code"])


def test_flags_are_ordered_urgent_then_warning_then_info() -> None:
    evaluation = run(
        {
            "patient.date_of_birth": born_years_ago(16),
            "safety_screen.hearing_problems": "yes",
            "concerns.mania_history": "yes",
            "safety_screen.fainting": "yes",
            "asq.wished_dead": "yes",
            "asq.thoughts_right_now": "no",
        }
    )
    assert codes(evaluation, "flags") == [
        "suicide_risk",
        "tms_precaution",
        "mania_risk",
        "minor",
        "hearing_protection",
    ]


PATHWAY_CASES = [
    ({}, TMS_DEPRESSION),
    ({"phq9.items": phq9(10)}, TMS_DEPRESSION),
    ({"phq9.items": phq9(9)}, ["psychotherapy"]),
    ({"medication_trials[1].weeks": 6}, TMS_DEPRESSION),
    ({"medication_trials[1].weeks": 5}, ["medication_evaluation", "psychotherapy"]),
    ({"medication_trials[1].daily_dose_mg": 75}, TMS_DEPRESSION),
    ({"medication_trials[1].daily_dose_mg": 74.9}, ["medication_evaluation", "psychotherapy"]),
    ({"medication_trials[1].name": "Zoloft"}, ["medication_evaluation", "psychotherapy"]),
    ({"patient.date_of_birth": born_years_ago(15)}, TMS_DEPRESSION),
    ({"patient.date_of_birth": born_years_ago(14)}, ["medication_evaluation", "psychotherapy"]),
    ({"concerns.primary": "anxiety"}, TMS_DEPRESSION),
    ({"concerns.primary": "anxiety", "phq9.items": phq9(9)}, ["psychotherapy"]),
    ({"concerns.primary": "ptsd"}, ["medication_evaluation", "psychotherapy"]),
    ({"concerns.primary": "bipolar"}, ["bipolar_assessment", *TMS_DEPRESSION]),
    ({"concerns.mania_history": "yes"}, ["bipolar_assessment", *TMS_DEPRESSION]),
    ({"concerns.bipolar_diagnosis": "yes"}, ["bipolar_assessment", *TMS_DEPRESSION]),
    ({"concerns.psychotic_symptoms": "yes"}, ["medication_evaluation", "psychotherapy"]),
    (
        {"concerns.psychotic_symptoms": "yes", "preferences.open_to_medication_changes": "no"},
        ["medication_evaluation", "psychotherapy"],
    ),
    ({"concerns.psychotic_symptoms": "unsure"}, TMS_DEPRESSION),
    ({"preferences.open_to_tms": "no"}, ["medication_evaluation", "psychotherapy"]),
    ({"preferences.open_to_tms": "unsure"}, TMS_DEPRESSION),
    ({"preferences.open_to_psychotherapy": "no"}, ["tms_plus_medication_review"]),
    ({**NOT_CURRENT}, ["tms_plus_cbt"]),
    ({**NOT_CURRENT, "other_medications": ["Concerta"]}, ["tms_safety_review", *TMS_DEPRESSION]),
    ({**NOT_CURRENT, "preferences.open_to_medication_changes": "yes"}, TMS_DEPRESSION),
    ({**NOT_CURRENT, "preferences.open_to_medication_changes": "no"}, ["tms_plus_cbt"]),
    (
        {
            **NOT_CURRENT,
            "preferences.open_to_psychotherapy": "no",
            "preferences.open_to_medication_changes": "no",
        },
        ["tms_plus_medication_review"],
    ),
    ({"safety_screen.seizure_history": "yes"}, ["tms_safety_review", *TMS_DEPRESSION]),
    ({"safety_screen.brain_condition": "unsure"}, ["tms_safety_review", *TMS_DEPRESSION]),
    (
        {"safety_screen.metal_in_head": "yes"},
        ["tms_safety_review", "medication_evaluation", "psychotherapy"],
    ),
    (
        {"safety_screen.metal_in_head": "yes", "preferences.open_to_medication_changes": "no"},
        ["tms_safety_review", "psychotherapy"],
    ),
    ({"safety_screen.cochlear_implant": "unsure"}, ["tms_safety_review", *TMS_DEPRESSION]),
    ({"safety_screen.fainting": "yes", "phq9.items": phq9(9)}, ["psychotherapy"]),
    (OCD, ["tms_plus_erp"]),
    ({**OCD, "medication_trials[1].current": True}, ["tms_safety_review", "tms_plus_erp"]),
    ({**OCD, "patient.date_of_birth": born_years_ago(18)}, ["tms_plus_erp"]),
    (
        {**OCD, "patient.date_of_birth": born_years_ago(17)},
        ["medication_evaluation", "psychotherapy"],
    ),
    (
        {**OCD, "medication_trials[1].name": "amitriptyline"},
        ["medication_evaluation", "psychotherapy"],
    ),
    ({**OCD, "preferences.open_to_medication_changes": "no"}, ["tms_plus_erp"]),
    ({**OCD, "preferences.open_to_tms": "no"}, ["medication_evaluation", "psychotherapy"]),
    (
        {**OCD, "preferences.open_to_tms": "no", "preferences.open_to_medication_changes": "no"},
        ["psychotherapy"],
    ),
    (
        {
            **OCD,
            "preferences.open_to_tms": "no",
            "preferences.open_to_medication_changes": "no",
            "preferences.open_to_psychotherapy": "no",
        },
        ["clinician_consultation"],
    ),
    ({**NO_TREATMENT}, ["clinician_consultation"]),
    (
        {**NO_TREATMENT, "concerns.primary": "other", "concerns.other_description": "Grief"},
        ["clinician_consultation"],
    ),
    ({**NO_TREATMENT, "phq9.items": phq9(4)}, ["clinician_consultation"]),
    ({**NO_TREATMENT, "phq9.items": phq9(5)}, ["psychotherapy"]),
    ({**NO_TREATMENT, "gad7.items": gad7(4)}, ["clinician_consultation"]),
    ({**NO_TREATMENT, "gad7.items": gad7(5)}, ["psychotherapy"]),
    ({**NO_TREATMENT, "gad7.items": gad7(9)}, ["psychotherapy"]),
    ({**NO_TREATMENT, "gad7.items": gad7(10)}, ["medication_evaluation", "psychotherapy"]),
    ({**NO_TREATMENT, "phq9.items": phq9(10)}, ["medication_evaluation", "psychotherapy"]),
    (
        {**NO_TREATMENT, "phq9.items": phq9(10), "preferences.open_to_psychotherapy": "no"},
        ["medication_evaluation"],
    ),
    ({**NO_TREATMENT, "concerns.primary": "ptsd"}, ["medication_evaluation", "psychotherapy"]),
    (
        {**NO_TREATMENT, "concerns.primary": "bipolar"},
        ["bipolar_assessment", "medication_evaluation"],
    ),
    ({**NO_TREATMENT, "neuromodulation.tms": "partial_improvement"}, ["maintenance_therapy"]),
    ({**NO_TREATMENT, "neuromodulation.tms": "full_improvement"}, ["maintenance_therapy"]),
    ({**NO_TREATMENT, "neuromodulation.tms": "no_improvement"}, ["clinician_consultation"]),
    ({**NO_TREATMENT, "neuromodulation.tms": "stopped"}, ["clinician_consultation"]),
    ({"neuromodulation.tms": "full_improvement"}, [*TMS_DEPRESSION, "maintenance_therapy"]),
    (
        {**NO_TREATMENT, "asq.wished_dead": "yes", "asq.thoughts_right_now": "no"},
        ["crisis_support", "clinician_consultation"],
    ),
    (
        {
            "asq.wished_dead": "yes",
            "asq.thoughts_right_now": "yes",
            "safety_screen.fainting": "yes",
        },
        ["crisis_support", "tms_safety_review", *TMS_DEPRESSION],
    ),
    ({"phq9.items": phq9(17, item9=2)}, ["crisis_support", *TMS_DEPRESSION]),
]


@pytest.mark.parametrize(("changes", "expected"), PATHWAY_CASES)
def test_pathways(changes: dict[str, Any], expected: list[str]) -> None:
    evaluation = run(changes)
    assert codes(evaluation, "pathways") == expected
    for item in evaluation["pathways"]:
        assert item["because"]
        assert item["title"] == next(r.title for r in RULESET.pathways if r.code == item["code"])


@pytest.mark.parametrize(
    ("changes", "therapy"),
    [
        ({**OCD, "medication_trials": []}, "exposure and response prevention (ERP) for OCD"),
        ({**NO_TREATMENT, "concerns.primary": "ptsd"}, "trauma-focused therapy for PTSD"),
        ({**NO_TREATMENT, "phq9.items": phq9(6)}, "CBT or MBCT"),
    ],
)
def test_psychotherapy_names_the_fitting_modality(changes: dict[str, Any], therapy: str) -> None:
    [pathway] = [p for p in run(changes)["pathways"] if p["code"] == "psychotherapy"]
    assert f"Fitting therapy: {therapy}" in pathway["because"]


def criteria(evaluation: dict[str, Any]) -> dict[str, str]:
    return {c["code"]: c["status"] for c in evaluation["coverage"]["criteria"]}


ALL_MET = dict.fromkeys(
    [
        "covered_indication",
        "age",
        "severity",
        "medication_trials",
        "psychotherapy_trial",
        "no_psychosis",
        "no_contraindication",
    ],
    "met",
)
COVERAGE_CASES = [
    ({}, {}),
    ({"phq9.items": phq9(15)}, {}),
    ({"phq9.items": phq9(14)}, {"severity": "not_met"}),
    ({**MEDICARE, "phq9.items": phq9(20)}, {}),
    ({**MEDICARE, "phq9.items": phq9(19)}, {"severity": "not_met"}),
    ({"patient.date_of_birth": born_years_ago(17)}, {"age": "not_met"}),
    ({"patient.date_of_birth": born_years_ago(18)}, {}),
    ({"psychotherapy_trials[0].sessions": 8}, {}),
    ({"psychotherapy_trials[0].sessions": 7}, {"psychotherapy_trial": "not_met"}),
    ({"psychotherapy_trials[0].modality": "supportive"}, {"psychotherapy_trial": "not_met"}),
    ({"medication_trials[1].name": "citalopram"}, {"medication_trials": "not_met"}),
    ({**MEDICARE, "medication_trials[1].name": "citalopram", "phq9.items": phq9(21)}, {}),
    ({"concerns.psychotic_symptoms": "unsure"}, {"no_psychosis": "unknown"}),
    ({"safety_screen.metal_in_head": "yes"}, {"no_contraindication": "not_met"}),
    ({"safety_screen.implanted_neurostimulator": "unsure"}, {"no_contraindication": "unknown"}),
    ({"safety_screen.fainting": "unsure"}, {}),
    (OCD, {"covered_indication": "unknown", "severity": "not_met"}),
    ({**OCD, **MEDICARE}, {"covered_indication": "not_met", "severity": "not_met"}),
]


@pytest.mark.parametrize(("changes", "differences"), COVERAGE_CASES)
def test_coverage_criteria(changes: dict[str, Any], differences: dict[str, str]) -> None:
    evaluation = run(changes)
    assert criteria(evaluation) == {**ALL_MET, **differences}
    assert list(criteria(evaluation)) == list(ALL_MET)
    assert all(c["because"] for c in evaluation["coverage"]["criteria"])


@pytest.mark.parametrize("coverage_type", ["commercial", "medicaid", "tricare", "other"])
def test_coverage_profile_is_the_coverage_type(coverage_type: str) -> None:
    evaluation = run({"insurance.coverage_type": coverage_type})
    assert evaluation["coverage"]["profile"] == coverage_type


@pytest.mark.parametrize(
    "changes",
    [
        {"insurance.coverage_type": "self_pay"},
        {"phq9.items": phq9(9)},
        {"safety_screen.metal_in_head": "no", "medication_trials[1].weeks": 2},
        NO_TREATMENT,
    ],
)
def test_coverage_is_null_unless_tms_eligible_and_insured(changes: dict[str, Any]) -> None:
    assert run(changes)["coverage"] is None


def test_coverage_still_applies_when_an_absolute_finding_withholds_tms() -> None:
    evaluation = run({"safety_screen.metal_in_head": "yes"})
    assert evaluation["coverage"]["profile"] == "commercial"


def test_scores_and_treatment_history_sections() -> None:
    evaluation = run({"phq9.items": phq9(17, item9=1), "medication_trials[0].name": " Zeta pill "})
    assert evaluation["age"] == 41
    assert evaluation["scores"] == {
        "phq9": {
            "total": 17,
            "severity": "moderately_severe",
            "item9": 1,
            "difficulty": "very_difficult",
        },
        "gad7": {"total": 7, "severity": "mild"},
    }
    assert evaluation["treatment_history"] == {
        "failed_adequate_trials": 1,
        "failed_classes": ["snri"],
        "failed_sri_trials": 0,
        "augmentation_trials": 0,
        "currently_on_antidepressant": True,
        "adequate_psychotherapy_trial": True,
        "treatment_resistant": False,
        "unrecognized_medications": ["Zeta pill"],
    }


def test_evaluation_is_json_serialisable_and_deterministic() -> None:
    document = parse_answers(sample_answers(), AS_OF)
    first = json.dumps(evaluate(document, AS_OF), sort_keys=True)
    assert first == json.dumps(evaluate(document, AS_OF), sort_keys=True)


def test_evaluate_does_not_modify_the_answers() -> None:
    document = parse_answers(sample_answers(), AS_OF)
    before = json.dumps(document, sort_keys=True)
    evaluate(document, AS_OF)
    assert json.dumps(document, sort_keys=True) == before
