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


#: The evaluation's sections, in the contract's order (intake-evaluation/1, section 2).
CONTRACT_KEYS = [
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
    assert list(evaluation) == CONTRACT_KEYS


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


# --- The evaluation contract (sections 2-3), case by case -------------------------------------
# Folded in from tests/review/test_review_rules.py (issue 10). Every case is written in code from
# sample_answers() and goes through parse_answers and evaluate; the titles, levels, order and
# safety items below are the contract's own words, so a ruleset.yaml that drifts from the
# contract fails here. They use the helpers above (run, codes, phq9, gad7, born_years_ago,
# criteria, OCD, NO_TREATMENT, MEDICARE, ALL_MET).


def treatment_history(changes: dict[str, Any]) -> dict[str, Any]:
    return run(changes)["treatment_history"]


def flags(evaluation: dict[str, Any]) -> list[str]:
    return codes(evaluation, "flags")


def pathways(evaluation: dict[str, Any]) -> list[str]:
    return codes(evaluation, "pathways")


TITLES = {
    "crisis_support": "Crisis support now",
    "tms_safety_review": "TMS safety review with a physician",
    "bipolar_assessment": "Bipolar assessment",
    "tms_plus_cbt": "TMS with cognitive behavioural therapy",
    "tms_plus_medication_review": "TMS with a medication review",
    "tms_plus_erp": "Deep TMS for OCD with exposure and response prevention",
    "medication_evaluation": "Psychiatric evaluation and medication management",
    "psychotherapy": "Evidence-based psychotherapy",
    "maintenance_therapy": "Keeping gains after TMS",
    "clinician_consultation": "Talk it through with a clinician",
}
PRIORITY = list(TITLES)
FLAG_LEVELS = {
    "suicide_risk_acute": "urgent",
    "suicide_risk": "urgent",
    "tms_contraindication": "warning",
    "tms_precaution": "warning",
    "tms_screen_incomplete": "warning",
    "seizure_threshold_medication": "warning",
    "psychotic_features": "warning",
    "mania_risk": "warning",
    "minor": "info",
    "hearing_protection": "info",
    "unrecognized_medication": "info",
    "schedule_barrier": "info",
}
ABSOLUTE = ["metal_in_head", "cochlear_implant", "implanted_neurostimulator"]
RELATIVE = [
    "seizure_history",
    "family_epilepsy",
    "fainting",
    "head_injury_loss_of_consciousness",
    "brain_condition",
    "cardiac_device",
    "medication_pump",
    "pregnant",
    "alcohol_or_drug_concern",
    "prior_tms_problem",
]


def trial(
    name: str,
    dose: float | None = None,
    weeks: int = 10,
    outcome: str = "no_improvement",
    current: bool = False,
) -> dict[str, Any]:
    return {
        "name": name,
        "daily_dose_mg": dose,
        "weeks": weeks,
        "outcome": outcome,
        "current": current,
    }


def therapy(
    modality: str = "cbt", sessions: int = 12, outcome: str = "partial_improvement"
) -> dict[str, Any]:
    return {"modality": modality, "sessions": sessions, "outcome": outcome, "current": False}


def meds(*trials: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"medication_trials": list(trials), **extra}


# --- evaluation shape (section 2) -----------------------------------------------------------


def test_evaluation_has_exactly_the_contract_keys() -> None:
    evaluation = run({})
    assert list(evaluation) == CONTRACT_KEYS
    assert evaluation["contract"] == "intake-evaluation/1"
    assert set(evaluation["ruleset"]) == {"version", "sha256"}
    assert evaluation["as_of"] == AS_OF_ISO
    assert evaluation["age"] == 41
    assert set(evaluation["scores"]) == {"phq9", "gad7"}
    assert set(evaluation["scores"]["phq9"]) == {"total", "severity", "item9", "difficulty"}
    assert set(evaluation["scores"]["gad7"]) == {"total", "severity"}
    assert set(evaluation["treatment_history"]) == {
        "failed_adequate_trials",
        "failed_classes",
        "failed_sri_trials",
        "augmentation_trials",
        "currently_on_antidepressant",
        "adequate_psychotherapy_trial",
        "treatment_resistant",
        "unrecognized_medications",
    }
    assert set(evaluation["coverage"]) == {"profile", "criteria"}
    json.dumps(evaluation)


def test_evaluation_is_deterministic_and_json_round_trips() -> None:
    changes = {"asq.ever_tried": "yes", "asq.thoughts_right_now": "no"}
    first, second = run(changes), run(changes)
    assert first == second
    assert json.loads(json.dumps(first)) == first


def test_difficulty_is_null_in_scores_when_not_answered() -> None:
    assert run({**NO_TREATMENT, "phq9.difficulty": None})["scores"]["phq9"]["difficulty"] is None


def test_every_flag_and_pathway_has_plain_because_lines_and_codes_are_unique() -> None:
    busy = {
        "asq.wished_dead": "yes",
        "asq.thoughts_right_now": "yes",
        "concerns.mania_history": "yes",
        "concerns.psychotic_symptoms": "unsure",
        "patient.date_of_birth": born_years_ago(16),
        "safety_screen.hearing_problems": "yes",
        "safety_screen.fainting": "yes",
        "safety_screen.cochlear_implant": "unsure",
        "other_medications": ["tramadol", "Adderall"],
        "medication_trials": [
            trial("sertraline", 100),
            trial("venlafaxine", 150, current=True),
            trial("mystery pill"),
        ],
        "preferences.can_attend_daily_sessions": "no",
        "neuromodulation.tms": "full_improvement",
    }
    evaluation = run(busy)
    for item in evaluation["flags"] + evaluation["pathways"]:
        assert item["because"], item["code"]
        assert all(isinstance(line, str) and line.strip() for line in item["because"])
    assert len(flags(evaluation)) == len(set(flags(evaluation)))
    assert len(pathways(evaluation)) == len(set(pathways(evaluation)))
    for item in evaluation["flags"]:
        assert item["level"] == FLAG_LEVELS[item["code"]]
    for item in evaluation["pathways"]:
        assert item["title"] == TITLES[item["code"]]
    assert pathways(evaluation) == sorted(pathways(evaluation), key=PRIORITY.index)
    assert pathways(evaluation)[0] == "crisis_support"


# --- age ------------------------------------------------------------------------------------


def test_age_is_whole_years_on_as_of_birthday_included() -> None:
    assert run({"patient.date_of_birth": "1985-11-01"})["age"] == 41
    assert run({"patient.date_of_birth": "1985-11-02"})["age"] == 40
    assert run({"patient.date_of_birth": AS_OF_ISO})["age"] == 0


def test_age_uses_the_as_of_date_passed_to_evaluate() -> None:
    as_of = date(2030, 4, 12)
    evaluation = run({"patient.date_of_birth": "1985-04-12"}, as_of=as_of)
    assert evaluation["age"] == 45
    assert evaluation["as_of"] == "2030-04-12"


def test_leap_day_birthday() -> None:
    assert run({"patient.date_of_birth": "2008-02-29"}, as_of=date(2028, 2, 29))["age"] == 20
    assert run({"patient.date_of_birth": "2008-02-29"}, as_of=date(2026, 3, 1))["age"] == 18


# --- derived facts: catalogue matching ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "generic_class"),
    [
        ("Zoloft", "ssri"),
        ("ZOLOFT", "ssri"),
        ("  zoloft  ", "ssri"),
        ("Zoloft.", "ssri"),
        ("Effexor XR", "snri"),
        ("effexor xr", "snri"),
        ("Effexor-XR", "snri"),
        ("Wellbutrin-XL", "atypical"),
        ("wellbutrin sr", "atypical"),
        ("Paxil CR", "ssri"),
        ("Seroquel", "augmentation"),
        ("Desvenlafaxine ER", "snri"),
        ("Sarafem", "ssri"),
        ("Brintellix", "atypical"),
        ("Oleptro", "atypical"),
        ("Emsam", "maoi"),
        ("Anafranil", "tca"),
        ("nefazodone", "atypical"),
        ("Eskalith", "augmentation"),
        ("Cytomel", "augmentation"),
    ],
)
def test_catalogue_matches_generic_and_brand_names(name: str, generic_class: str) -> None:
    result = treatment_history(meds(trial(name, outcome="stopped_side_effects")))
    assert result["unrecognized_medications"] == []
    if generic_class == "augmentation":
        assert result["augmentation_trials"] == 1
        assert result["failed_adequate_trials"] == 0
    else:
        assert result["failed_classes"] == [generic_class]


def test_brand_and_generic_of_the_same_medicine_count_once() -> None:
    result = treatment_history(
        meds(trial("sertraline", 100), trial("Zoloft", 200), trial("ZOLOFT.", 150))
    )
    assert result["failed_adequate_trials"] == 1
    assert result["failed_sri_trials"] == 1
    assert result["treatment_resistant"] is False


def test_unrecognized_names_are_trimmed_listed_once_and_sorted() -> None:
    result = treatment_history(
        meds(trial("  zzz pill "), trial("Abc"), trial("zzz pill"), trial("sertraline", 100))
    )
    assert result["unrecognized_medications"] == ["Abc", "zzz pill"]
    assert result["failed_adequate_trials"] == 1


def test_unrecognized_medication_flag_is_info_and_names_them() -> None:
    evaluation = run(meds(trial("Mystery"), trial("sertraline", 100)))
    flag = next(f for f in evaluation["flags"] if f["code"] == "unrecognized_medication")
    assert flag["level"] == "info"
    assert any("Mystery" in line for line in flag["because"])
    assert "unrecognized_medication" not in flags(run({}))


# --- derived facts: failed adequate trials -------------------------------------------------


@pytest.mark.parametrize("weeks", [0, 1, 5, 6, 52])
def test_intolerance_counts_whatever_the_weeks_and_dose(weeks: int) -> None:
    result = treatment_history(
        meds(trial("sertraline", 25, weeks=weeks, outcome="stopped_side_effects"))
    )
    assert result["failed_adequate_trials"] == 1


@pytest.mark.parametrize(("weeks", "failed"), [(5, 0), (6, 1), (7, 1)])
@pytest.mark.parametrize("outcome", ["no_improvement", "partial_improvement"])
def test_non_response_needs_at_least_six_weeks(weeks: int, failed: int, outcome: str) -> None:
    result = treatment_history(meds(trial("sertraline", 100, weeks=weeks, outcome=outcome)))
    assert result["failed_adequate_trials"] == failed


@pytest.mark.parametrize(
    ("name", "dose", "failed"),
    [
        ("sertraline", 50, 1),
        ("sertraline", 49.9, 0),
        ("sertraline", None, 1),
        ("citalopram", 20, 1),
        ("citalopram", 19, 0),
        ("escitalopram", 10, 1),
        ("escitalopram", 5, 0),
        ("fluoxetine", 20, 1),
        ("paroxetine", 19.5, 0),
        ("fluvoxamine", 100, 1),
        ("fluvoxamine", 99, 0),
        ("venlafaxine", 75, 1),
        ("venlafaxine", 37.5, 0),
        ("desvenlafaxine", 50, 1),
        ("duloxetine", 60, 1),
        ("duloxetine", 30, 0),
        ("levomilnacipran", 40, 1),
        ("levomilnacipran", 20, 0),
        ("amitriptyline", 100, 1),
        ("amitriptyline", 75, 0),
        ("nortriptyline", 50, 1),
        ("nortriptyline", 25, 0),
        ("clomipramine", 100, 1),
        ("doxepin", 99, 0),
        ("phenelzine", 45, 1),
        ("phenelzine", 30, 0),
        ("tranylcypromine", 30, 1),
        ("isocarboxazid", 20, 1),
        ("selegiline", 6, 1),
        ("selegiline", 5.9, 0),
        ("bupropion", 300, 1),
        ("bupropion", 150, 0),
        ("mirtazapine", 30, 1),
        ("mirtazapine", 15, 0),
        ("trazodone", 150, 1),
        ("trazodone", 100, 0),
        ("vilazodone", 20, 1),
        ("vortioxetine", 10, 1),
        ("vortioxetine", 5, 0),
        ("nefazodone", 300, 1),
        ("nefazodone", 200, 0),
    ],
)
def test_minimum_adequate_dose(name: str, dose: float | None, failed: int) -> None:
    assert treatment_history(meds(trial(name, dose)))["failed_adequate_trials"] == failed


def test_augmentation_is_not_a_failed_antidepressant_trial() -> None:
    result = treatment_history(
        meds(
            trial("aripiprazole", 5, outcome="stopped_side_effects"),
            trial("Abilify", 10, outcome="no_improvement"),
            trial("lithium", 900, outcome="partial_improvement"),
            trial("quetiapine", 300, outcome="full_improvement"),
            trial("olanzapine", 10, outcome="too_early"),
            trial("Rexulti", 2, outcome="too_early"),
            trial("brexpiprazole", 2, outcome="no_improvement"),
        )
    )
    assert result["failed_adequate_trials"] == 0
    assert result["failed_classes"] == []
    assert result["augmentation_trials"] == 4  # aripiprazole, lithium, quetiapine, brexpiprazole


def test_failed_classes_are_sorted_and_distinct() -> None:
    result = treatment_history(
        meds(
            trial("Parnate", 40),
            trial("sertraline", 100),
            trial("citalopram", 40),
            trial("imipramine", 150),
            trial("Cymbalta", 60),
            trial("Remeron", 45),
        )
    )
    assert result["failed_classes"] == ["atypical", "maoi", "snri", "ssri", "tca"]
    assert result["failed_adequate_trials"] == 6
    assert result["failed_sri_trials"] == 2


def test_failed_sri_trials_count_ssris_and_clomipramine_only() -> None:
    result = treatment_history(
        meds(
            trial("fluvoxamine", 200),
            trial("Anafranil", 150),
            trial("imipramine", 150),
            trial("venlafaxine", 225),
            trial("vilazodone", 40),
            trial("vortioxetine", 20),
        )
    )
    assert result["failed_sri_trials"] == 2
    assert result["failed_adequate_trials"] == 6


@pytest.mark.parametrize(("count", "resistant"), [(0, False), (1, False), (2, True), (3, True)])
def test_treatment_resistant_from_two_failed_trials(count: int, resistant: bool) -> None:
    names = ["sertraline", "citalopram", "fluoxetine"][:count]
    assert treatment_history(meds(*(trial(n) for n in names)))["treatment_resistant"] is resistant


@pytest.mark.parametrize(
    ("entry", "on"),
    [
        (trial("sertraline", current=True, outcome="too_early", weeks=1), True),
        (trial("Abilify", current=True, outcome="too_early", weeks=1), True),
        (trial("lithium", current=True), True),
        (trial("sertraline", current=False), False),
        (trial("mystery", current=True), False),
        (trial("Adderall", current=True), False),
    ],
)
def test_currently_on_antidepressant(entry: dict[str, Any], on: bool) -> None:
    result = treatment_history(meds(entry, other_medications=["sertraline"]))
    assert result["currently_on_antidepressant"] is on


@pytest.mark.parametrize(
    ("entry", "adequate"),
    [
        (therapy("cbt", 8), True),
        (therapy("cbt", 7), False),
        (therapy("dbt", 8, "no_improvement"), True),
        (therapy("act", 20, "stopped"), True),
        (therapy("ipt", 8, "ongoing"), True),
        (therapy("mbct", 8), True),
        (therapy("erp", 8), True),
        (therapy("psychodynamic", 50), True),
        (therapy("trauma_focused", 12), True),
        (therapy("supportive", 100), False),
        (therapy("other", 100), False),
        (therapy("cbt", 100, "full_improvement"), False),
    ],
)
def test_adequate_psychotherapy_trial(entry: dict[str, Any], adequate: bool) -> None:
    result = treatment_history({"psychotherapy_trials": [entry]})
    assert result["adequate_psychotherapy_trial"] is adequate


# --- derived facts: seizure threshold and safety findings ----------------------------------


SEIZURE_NAMES = [
    "clozapine",
    "Clozaril",
    "chlorpromazine",
    "Thorazine",
    "theophylline",
    "Theo-24",
    "aminophylline",
    "amphetamine",
    "Adderall",
    "Adderall XR",
    "dextroamphetamine",
    "Dexedrine",
    "lisdexamfetamine",
    "Vyvanse",
    "methylphenidate",
    "Ritalin",
    "Concerta",
    "dexmethylphenidate",
    "Focalin XR",
    "tramadol",
    "Ultram",
    "amitriptyline",
    "Elavil",
    "imipramine",
    "Tofranil",
    "desipramine",
    "Norpramin",
    "nortriptyline",
    "Pamelor",
    "clomipramine",
    "Anafranil",
    "doxepin",
    "Sinequan",
    "trimipramine",
    "Surmontil",
]


@pytest.mark.parametrize("name", SEIZURE_NAMES)
def test_seizure_threshold_medicine_in_other_medications(name: str) -> None:
    evaluation = run({"other_medications": [name]})
    assert "seizure_threshold_medication" in flags(evaluation)
    assert "tms_precaution" in flags(evaluation)
    assert "tms_safety_review" in pathways(evaluation)
    assert "tms_plus_medication_review" in pathways(evaluation)


@pytest.mark.parametrize("name", ["nortriptyline", "Anafranil", "Clozaril", "tramadol"])
def test_seizure_threshold_medicine_in_a_current_trial(name: str) -> None:
    evaluation = run(meds(trial("sertraline"), trial("venlafaxine"), trial(name, current=True)))
    assert "seizure_threshold_medication" in flags(evaluation)


def test_seizure_threshold_medicine_in_a_past_trial_does_not_count() -> None:
    evaluation = run(meds(trial("sertraline"), trial("venlafaxine"), trial("nortriptyline")))
    assert "seizure_threshold_medication" not in flags(evaluation)
    assert "tms_precaution" not in flags(evaluation)


@pytest.mark.parametrize("name", ["bupropion", "Wellbutrin", "Wellbutrin XL", "sertraline"])
def test_bupropion_is_not_a_seizure_threshold_medicine(name: str) -> None:
    evaluation = run(
        {
            "other_medications": [name],
            "medication_trials[1]": trial(name, 300, current=True),
        }
    )
    assert "seizure_threshold_medication" not in flags(evaluation)
    assert "tms_precaution" not in flags(evaluation)
    assert "tms_safety_review" not in pathways(evaluation)


@pytest.mark.parametrize("item", ABSOLUTE)
def test_absolute_finding(item: str) -> None:
    evaluation = run({f"safety_screen.{item}": "yes"})
    assert "tms_contraindication" in flags(evaluation)
    assert "tms_precaution" not in flags(evaluation)
    assert pathways(evaluation) == ["tms_safety_review", "medication_evaluation", "psychotherapy"]
    assert criteria(evaluation)["no_contraindication"] == "not_met"


@pytest.mark.parametrize("item", RELATIVE)
def test_relative_finding(item: str) -> None:
    evaluation = run({f"safety_screen.{item}": "yes"})
    assert "tms_precaution" in flags(evaluation)
    assert "tms_contraindication" not in flags(evaluation)
    assert pathways(evaluation) == ["tms_safety_review", *TMS_DEPRESSION]
    assert criteria(evaluation)["no_contraindication"] == "met"


@pytest.mark.parametrize("item", ABSOLUTE + RELATIVE)
def test_unsure_finding(item: str) -> None:
    evaluation = run({f"safety_screen.{item}": "unsure"})
    assert "tms_screen_incomplete" in flags(evaluation)
    assert "tms_precaution" not in flags(evaluation)
    assert "tms_contraindication" not in flags(evaluation)
    assert pathways(evaluation) == ["tms_safety_review", *TMS_DEPRESSION]
    expected = "unknown" if item in ABSOLUTE else "met"
    assert criteria(evaluation)["no_contraindication"] == expected


@pytest.mark.parametrize("item", ["hearing_problems", "frequent_headaches"])
@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_hearing_and_headaches_are_not_safety_findings(item: str, answer: str) -> None:
    evaluation = run({f"safety_screen.{item}": answer})
    assert not {"tms_precaution", "tms_screen_incomplete", "tms_contraindication"} & set(
        flags(evaluation)
    )
    assert pathways(evaluation) == TMS_DEPRESSION


def test_pregnant_not_applicable_or_no_is_no_finding() -> None:
    for answer in ["no", "not_applicable"]:
        assert pathways(run({"safety_screen.pregnant": answer})) == TMS_DEPRESSION


def test_absolute_and_relative_and_unsure_together() -> None:
    evaluation = run(
        {
            "safety_screen.metal_in_head": "yes",
            "safety_screen.fainting": "yes",
            "safety_screen.cardiac_device": "unsure",
        }
    )
    assert {"tms_contraindication", "tms_precaution", "tms_screen_incomplete"} <= set(
        flags(evaluation)
    )
    assert criteria(evaluation)["no_contraindication"] == "not_met"


def test_absolute_yes_beats_absolute_unsure_for_no_contraindication() -> None:
    evaluation = run(
        {"safety_screen.metal_in_head": "yes", "safety_screen.cochlear_implant": "unsure"}
    )
    assert criteria(evaluation)["no_contraindication"] == "not_met"


def test_safety_findings_without_tms_eligibility_do_not_offer_a_safety_review() -> None:
    evaluation = run({"safety_screen.metal_in_head": "yes", "medication_trials": []})
    assert "tms_contraindication" in flags(evaluation)
    assert "tms_safety_review" not in pathways(evaluation)
    assert evaluation["coverage"] is None


# --- flags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried"]
)
def test_any_asq_yes_without_acute_thoughts_is_suicide_risk(question: str) -> None:
    evaluation = run({f"asq.{question}": "yes", "asq.thoughts_right_now": "no"})
    assert "suicide_risk" in flags(evaluation)
    assert "suicide_risk_acute" not in flags(evaluation)
    assert pathways(evaluation)[0] == "crisis_support"
    flag = next(f for f in evaluation["flags"] if f["code"] == "suicide_risk")
    assert flag["level"] == "urgent"


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_above_zero_is_suicide_risk_even_with_a_negative_asq(item9: int) -> None:
    evaluation = run({"phq9.items": phq9(17, item9=item9)})
    assert "suicide_risk" in flags(evaluation)
    assert pathways(evaluation)[0] == "crisis_support"


def test_phq9_item9_alone_with_low_total_still_gives_crisis_support() -> None:
    evaluation = run(
        {
            **NO_TREATMENT,
            "phq9.items": [0, 0, 0, 0, 0, 0, 0, 0, 1],
            "phq9.difficulty": "not_difficult",
        }
    )
    assert flags(evaluation) == ["suicide_risk"]
    assert pathways(evaluation)[0] == "crisis_support"


@pytest.mark.parametrize(
    "question", ["wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried"]
)
def test_thoughts_right_now_is_acute_and_replaces_suicide_risk(question: str) -> None:
    evaluation = run(
        {
            f"asq.{question}": "yes",
            "asq.thoughts_right_now": "yes",
            "phq9.items": phq9(20, item9=3),
        }
    )
    assert "suicide_risk_acute" in flags(evaluation)
    assert "suicide_risk" not in flags(evaluation)
    assert flags(evaluation)[0] == "suicide_risk_acute"
    assert pathways(evaluation)[0] == "crisis_support"
    flag = next(f for f in evaluation["flags"] if f["code"] == "suicide_risk_acute")
    assert flag["level"] == "urgent"


@pytest.mark.parametrize(
    ("changes", "fires"),
    [
        ({"concerns.mania_history": "yes"}, True),
        ({"concerns.bipolar_diagnosis": "yes"}, True),
        ({"concerns.mania_history": "unsure", "concerns.bipolar_diagnosis": "unsure"}, False),
        ({"concerns.primary": "bipolar"}, False),
    ],
)
def test_mania_risk_flag(changes: dict[str, Any], fires: bool) -> None:
    assert ("mania_risk" in flags(run(changes))) is fires


@pytest.mark.parametrize(("years", "minor"), [(14, True), (17, True), (18, False), (19, False)])
def test_minor_flag_under_18(years: int, minor: bool) -> None:
    evaluation = run({"patient.date_of_birth": born_years_ago(years)})
    assert ("minor" in flags(evaluation)) is minor


def test_minor_flag_turns_off_on_the_18th_birthday() -> None:
    assert "minor" in flags(run({"patient.date_of_birth": "2008-11-02"}))
    assert "minor" not in flags(run({"patient.date_of_birth": "2008-11-01"}))


@pytest.mark.parametrize("answer", ["no"])
def test_schedule_barrier_with_a_tms_depression_pathway(answer: str) -> None:
    evaluation = run({"preferences.can_attend_daily_sessions": answer})
    assert "schedule_barrier" in flags(evaluation)
    assert (
        next(f for f in evaluation["flags"] if f["code"] == "schedule_barrier")["level"] == "info"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"medication_trials": []},
        {"safety_screen.metal_in_head": "yes"},
        {"preferences.open_to_tms": "no"},
    ],
)
def test_no_schedule_barrier_without_a_tms_pathway(changes: dict[str, Any]) -> None:
    evaluation = run({**changes, "preferences.can_attend_daily_sessions": "no"})
    assert not set(pathways(evaluation)) & {
        "tms_plus_cbt",
        "tms_plus_medication_review",
        "tms_plus_erp",
    }
    assert "schedule_barrier" not in flags(evaluation)


# --- TMS eligibility ------------------------------------------------------------------------


@pytest.mark.parametrize(("years", "eligible"), [(14, False), (15, True), (17, True), (18, True)])
def test_tms_for_depression_from_age_15(years: int, eligible: bool) -> None:
    evaluation = run({"patient.date_of_birth": born_years_ago(years)})
    assert (pathways(evaluation) == TMS_DEPRESSION) is eligible
    assert (evaluation["coverage"] is not None) is eligible


def test_tms_for_depression_age_15_turns_on_at_the_birthday() -> None:
    assert "tms_plus_cbt" not in pathways(run({"patient.date_of_birth": "2011-11-02"}))
    assert "tms_plus_cbt" in pathways(run({"patient.date_of_birth": "2011-11-01"}))


@pytest.mark.parametrize(("years", "eligible"), [(17, False), (18, True)])
def test_tms_for_ocd_from_age_18(years: int, eligible: bool) -> None:
    evaluation = run({**OCD, "patient.date_of_birth": born_years_ago(years)})
    assert ("tms_plus_erp" in pathways(evaluation)) is eligible
    assert (evaluation["coverage"] is not None) is eligible


@pytest.mark.parametrize(("total", "eligible"), [(9, False), (10, True), (17, True)])
def test_anxiety_is_a_depressive_presentation_with_phq9_at_least_10(
    total: int, eligible: bool
) -> None:
    evaluation = run({"concerns.primary": "anxiety", "phq9.items": phq9(total)})
    assert ("tms_plus_cbt" in pathways(evaluation)) is eligible


@pytest.mark.parametrize("primary", ["ptsd", "other", "ocd"])
def test_other_primary_concerns_are_not_tms_for_depression(primary: str) -> None:
    changes: dict[str, Any] = {"concerns.primary": primary}
    if primary == "other":
        changes["concerns.other_description"] = "low mood after a stroke"
    evaluation = run(changes)
    assert not set(pathways(evaluation)) & set(TMS_DEPRESSION)
    assert evaluation["coverage"] is None


def test_not_open_to_tms_is_not_eligible() -> None:
    evaluation = run({"preferences.open_to_tms": "no"})
    assert pathways(evaluation) == ["medication_evaluation", "psychotherapy"]
    assert evaluation["coverage"] is None


def test_psychotic_symptoms_yes_rules_out_tms() -> None:
    evaluation = run(
        {"concerns.psychotic_symptoms": "yes", "preferences.open_to_medication_changes": "no"}
    )
    assert pathways(evaluation) == ["medication_evaluation", "psychotherapy"]
    assert evaluation["coverage"] is None


def test_ocd_needs_two_failed_sri_trials() -> None:
    one_sri = {**OCD, "medication_trials": [trial("Prozac", 60), trial("venlafaxine", 150)]}
    evaluation = run(one_sri)
    assert "tms_plus_erp" not in pathways(evaluation)
    assert evaluation["coverage"] is None
    assert "tms_plus_erp" in pathways(run(OCD))


def test_ocd_with_two_failed_ssris_is_eligible_whatever_the_phq9() -> None:
    evaluation = run({**OCD, "phq9.items": [0] * 9, "phq9.difficulty": None})
    assert "tms_plus_erp" in pathways(evaluation)


def test_ocd_is_never_tms_for_depression() -> None:
    evaluation = run(
        {
            **OCD,
            "phq9.items": phq9(22),
            "medication_trials": [trial("Prozac", 60), trial("Zoloft", 100)],
        }
    )
    assert "tms_plus_erp" in pathways(evaluation)
    assert not set(pathways(evaluation)) & set(TMS_DEPRESSION)
    assert criteria(evaluation)["covered_indication"] == "unknown"


# --- pathways ------------------------------------------------------------------------------


def test_sample_pathways() -> None:
    evaluation = run({})
    assert pathways(evaluation) == TMS_DEPRESSION
    assert [p["title"] for p in evaluation["pathways"]] == [TITLES[c] for c in TMS_DEPRESSION]


def test_open_to_psychotherapy_unsure_still_offers_tms_plus_cbt() -> None:
    assert "tms_plus_cbt" in pathways(run({"preferences.open_to_psychotherapy": "unsure"}))


NOT_ON_MEDS = {
    "medication_trials[1].current": False,
    "preferences.open_to_medication_changes": "no",
}


@pytest.mark.parametrize(
    ("changes", "review"),
    [
        ({}, False),
        ({"preferences.open_to_medication_changes": "unsure"}, False),
        ({"preferences.open_to_medication_changes": "yes"}, True),
        ({"preferences.open_to_psychotherapy": "no"}, True),
        ({"other_medications": ["tramadol"]}, True),
        ({"other_medications": ["Abilify", "sertraline"]}, False),
        ({"medication_trials[0].current": True}, True),
        ({"medication_trials[2]": trial("lithium", outcome="too_early", current=True)}, True),
        ({"medication_trials[2]": trial("mystery", current=True)}, False),
    ],
)
def test_tms_plus_medication_review_triggers(changes: dict[str, Any], review: bool) -> None:
    document = changed(sample_answers(), NOT_ON_MEDS)
    extra = changes.pop("medication_trials[2]", None)
    if extra is not None:
        document["medication_trials"].append(extra)
    document = changed(document, changes)
    evaluation = evaluate(parse_answers(document, AS_OF), AS_OF)
    assert (
        "tms_plus_cbt" in pathways(evaluation)
        or changes.get("preferences.open_to_psychotherapy") == "no"
    )
    assert ("tms_plus_medication_review" in pathways(evaluation)) is review


def test_tms_pathways_are_withheld_with_an_absolute_finding() -> None:
    evaluation = run({**OCD, "safety_screen.implanted_neurostimulator": "yes"})
    assert "tms_plus_erp" not in pathways(evaluation)
    assert pathways(evaluation) == ["tms_safety_review", "medication_evaluation", "psychotherapy"]


@pytest.mark.parametrize(
    ("changes", "offered"),
    [
        (
            {"concerns.psychotic_symptoms": "yes", "preferences.open_to_medication_changes": "no"},
            True,
        ),
        ({"phq9.items": phq9(10), "gad7.items": gad7(0)}, True),
        ({"phq9.items": phq9(9), "gad7.items": gad7(10)}, True),
        ({"phq9.items": phq9(9), "gad7.items": gad7(9)}, False),
        ({"phq9.items": phq9(9), "gad7.items": gad7(9), "concerns.primary": "ptsd"}, True),
        ({"phq9.items": phq9(0), "gad7.items": gad7(0), "concerns.primary": "bipolar"}, True),
        ({"phq9.items": phq9(0), "gad7.items": gad7(0), "concerns.primary": "ocd"}, True),
        ({"phq9.items": phq9(0), "gad7.items": gad7(0), "concerns.primary": "anxiety"}, False),
        ({"phq9.items": phq9(20), "preferences.open_to_medication_changes": "no"}, False),
        ({"phq9.items": phq9(20), "preferences.open_to_medication_changes": "unsure"}, True),
    ],
)
def test_medication_evaluation_when_tms_is_not_offered(
    changes: dict[str, Any], offered: bool
) -> None:
    base = {"medication_trials": [], **changes}
    if base.get("phq9.items") == [0] * 9:
        base["phq9.difficulty"] = None
    evaluation = run(base)
    assert ("medication_evaluation" in pathways(evaluation)) is offered


@pytest.mark.parametrize(
    ("changes", "offered"),
    [
        ({"phq9.items": phq9(5), "gad7.items": gad7(0)}, True),
        ({"phq9.items": phq9(4), "gad7.items": gad7(5)}, True),
        ({"phq9.items": phq9(4), "gad7.items": gad7(4)}, False),
        ({"phq9.items": phq9(0), "gad7.items": gad7(0), "concerns.primary": "ocd"}, True),
        ({"phq9.items": phq9(0), "gad7.items": gad7(0), "concerns.primary": "ptsd"}, True),
        ({"phq9.items": phq9(0), "gad7.items": gad7(0), "concerns.primary": "bipolar"}, False),
        ({"phq9.items": phq9(20), "preferences.open_to_psychotherapy": "no"}, False),
        ({"phq9.items": phq9(20), "preferences.open_to_psychotherapy": "unsure"}, True),
    ],
)
def test_psychotherapy_when_tms_is_not_offered(changes: dict[str, Any], offered: bool) -> None:
    base = {"medication_trials": [], **changes}
    if base.get("phq9.items") == [0] * 9:
        base["phq9.difficulty"] = None
    evaluation = run(base)
    assert ("psychotherapy" in pathways(evaluation)) is offered


@pytest.mark.parametrize(
    ("primary", "words"),
    [
        ("ocd", "exposure and response prevention"),
        ("ptsd", "trauma-focused"),
        ("depression", "CBT or MBCT"),
        ("anxiety", "CBT or MBCT"),
        ("bipolar", "CBT or MBCT"),
        ("other", "CBT or MBCT"),
    ],
)
def test_psychotherapy_names_one_fitting_modality_for_each_concern(
    primary: str, words: str
) -> None:
    changes: dict[str, Any] = {"concerns.primary": primary, "medication_trials": []}
    if primary == "other":
        changes["concerns.other_description"] = "grief"
    evaluation = run(changes)
    item = next(p for p in evaluation["pathways"] if p["code"] == "psychotherapy")
    text = " ".join(item["because"])
    assert words in text
    others = {"exposure and response prevention", "trauma-focused", "CBT or MBCT"} - {words}
    assert not any(other in text for other in others)


@pytest.mark.parametrize(
    ("tms", "offered"),
    [
        ("partial_improvement", True),
        ("full_improvement", True),
        ("no_improvement", False),
        ("stopped", False),
        ("none", False),
    ],
)
def test_maintenance_therapy_after_tms_that_helped(tms: str, offered: bool) -> None:
    evaluation = run({**NO_TREATMENT, "neuromodulation.tms": tms})
    assert ("maintenance_therapy" in pathways(evaluation)) is offered
    expected = ["maintenance_therapy"] if offered else ["clinician_consultation"]
    assert pathways(evaluation) == expected


def test_clinician_consultation_when_nothing_else_fits() -> None:
    evaluation = run(NO_TREATMENT)
    assert pathways(evaluation) == ["clinician_consultation"]
    assert evaluation["pathways"][0]["title"] == "Talk it through with a clinician"
    assert flags(evaluation) == []
    assert evaluation["coverage"] is None


def test_bipolar_assessment_pathway() -> None:
    for changes in [
        {"concerns.mania_history": "yes"},
        {"concerns.bipolar_diagnosis": "yes"},
        {"concerns.primary": "bipolar"},
    ]:
        evaluation = run(changes)
        assert pathways(evaluation) == ["bipolar_assessment", *TMS_DEPRESSION]
    assert "bipolar_assessment" not in pathways(run({"concerns.mania_history": "unsure"}))


def test_bipolar_assessment_replaces_clinician_consultation() -> None:
    evaluation = run(
        {
            **NO_TREATMENT,
            "concerns.primary": "bipolar",
            "preferences.open_to_medication_changes": "no",
        }
    )
    assert pathways(evaluation) == ["bipolar_assessment"]


def test_full_priority_order_with_many_pathways() -> None:
    evaluation = run(
        {
            "asq.wished_dead": "yes",
            "asq.thoughts_right_now": "no",
            "safety_screen.fainting": "yes",
            "concerns.primary": "bipolar",
            "preferences.open_to_psychotherapy": "no",
            "neuromodulation.tms": "full_improvement",
        }
    )
    assert pathways(evaluation) == [
        "crisis_support",
        "tms_safety_review",
        "bipolar_assessment",
        "tms_plus_medication_review",
        "maintenance_therapy",
    ]


def test_order_when_tms_is_withheld() -> None:
    evaluation = run(
        {
            "safety_screen.metal_in_head": "yes",
            "concerns.mania_history": "yes",
            "neuromodulation.tms": "partial_improvement",
        }
    )
    assert pathways(evaluation) == [
        "tms_safety_review",
        "bipolar_assessment",
        "medication_evaluation",
        "psychotherapy",
        "maintenance_therapy",
    ]


# --- coverage -------------------------------------------------------------------------------


@pytest.mark.parametrize("coverage", ["commercial", "medicaid", "tricare", "other"])
def test_coverage_profile_and_criteria_order(coverage: str) -> None:
    evaluation = run({"insurance.coverage_type": coverage})
    assert evaluation["coverage"]["profile"] == coverage
    assert [c["code"] for c in evaluation["coverage"]["criteria"]] == list(ALL_MET)
    for criterion in evaluation["coverage"]["criteria"]:
        assert criterion["status"] in {"met", "not_met", "unknown"}
        assert isinstance(criterion["because"], str) and criterion["because"].strip()
    assert set(criteria(evaluation).values()) == {"met"}


def test_medicare_profile() -> None:
    evaluation = run({**MEDICARE, "phq9.items": phq9(20)})
    assert evaluation["coverage"]["profile"] == "medicare"
    assert [c["code"] for c in evaluation["coverage"]["criteria"]] == list(ALL_MET)
    assert set(criteria(evaluation).values()) == {"met"}


@pytest.mark.parametrize("coverage", ["commercial", "medicare"])
@pytest.mark.parametrize(("years", "status"), [(15, "not_met"), (17, "not_met"), (18, "met")])
def test_coverage_age_18(coverage: str, years: int, status: str) -> None:
    changes = {"patient.date_of_birth": born_years_ago(years), "insurance.coverage_type": coverage}
    if coverage == "medicare":
        changes.update(MEDICARE)
    assert criteria(run(changes))["age"] == status


def test_augmentation_does_not_count_as_a_class_for_coverage() -> None:
    evaluation = run(meds(trial("sertraline", 100), trial("citalopram", 40), trial("Abilify", 5)))
    assert criteria(evaluation)["medication_trials"] == "not_met"


def test_psychotherapy_trial_criterion() -> None:
    assert criteria(run({"psychotherapy_trials": []}))["psychotherapy_trial"] == "not_met"
    supportive = {"psychotherapy_trials": [therapy("supportive", 30)]}
    assert criteria(run(supportive))["psychotherapy_trial"] == "not_met"
    medicare = {**MEDICARE, "psychotherapy_trials": []}
    assert criteria(run(medicare))["psychotherapy_trial"] == "not_met"


@pytest.mark.parametrize("coverage", ["commercial", "medicaid", "tricare", "other"])
def test_ocd_covered_indication_unknown_outside_medicare(coverage: str) -> None:
    evaluation = run({**OCD, "insurance.coverage_type": coverage})
    assert evaluation["coverage"]["profile"] == coverage
    assert criteria(evaluation)["covered_indication"] == "unknown"


def test_ocd_coverage_present_with_an_absolute_contraindication() -> None:
    evaluation = run({**OCD, "safety_screen.metal_in_head": "yes"})
    assert "tms_plus_erp" not in pathways(evaluation)
    assert criteria(evaluation)["no_contraindication"] == "not_met"


def test_adolescent_depression_gets_coverage_with_age_not_met() -> None:
    evaluation = run({"patient.date_of_birth": born_years_ago(16)})
    assert "minor" in flags(evaluation)
    assert pathways(evaluation) == TMS_DEPRESSION
    assert criteria(evaluation)["age"] == "not_met"
