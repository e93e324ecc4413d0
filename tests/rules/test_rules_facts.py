"""Derived facts, one function at a time, and medicine-name matching over the whole catalogue."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import yaml
from answer_documents import AS_OF_ISO, changed, sample_answers
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.rules import facts as f
from intake.rules.catalogue import normalise
from tests.rules.v1 import DEFAULT_PATH, RULESET

AS_OF = date.fromisoformat(AS_OF_ISO)
CATALOGUE = RULESET.catalogue
CATALOGUE_DATA = yaml.safe_load(DEFAULT_PATH.with_name("catalogue.yaml").read_text())
ANTIDEPRESSANTS = [m for m in CATALOGUE_DATA["medicines"] if m["class"] != "augmentation"]


def trial(
    name: str = "sertraline",
    dose: Any = 100,
    weeks: int = 8,
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


def history(
    *trials: dict[str, Any], therapy: list[dict[str, Any]] | None = None
) -> f.TreatmentHistory:
    answers = {"medication_trials": list(trials), "psychotherapy_trials": therapy or []}
    return f.treatment_history(answers, CATALOGUE)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_severity_bands(score: int, band: str) -> None:
    assert f.severity(score, f.PHQ9_SEVERITY) == band


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_severity_bands(score: int, band: str) -> None:
    assert f.severity(score, f.GAD7_SEVERITY) == band


def test_severity_refuses_an_impossible_score() -> None:
    with pytest.raises(ValueError, match="above every band"):
        f.severity(28, f.PHQ9_SEVERITY)


def test_total_and_age() -> None:
    assert f.total([2, 3, 2, 2, 2, 2, 2, 2, 0]) == 17
    assert f.age(sample_answers(), AS_OF) == 41
    assert f.age(sample_answers(), date(2026, 4, 11)) == 40


@pytest.mark.parametrize(
    "typed",
    [
        "sertraline",
        "Zoloft",
        " ZOLOFT ",
        "zoloft.",
        "Sertraline ER",
        "sertraline-xr",
        "SERTRALINE (CR)",
    ],
)
def test_names_match_by_generic_or_brand_ignoring_case_suffixes_and_punctuation(typed: str) -> None:
    medicine = CATALOGUE.find(typed)
    assert medicine is not None
    assert medicine.generic == "sertraline"


def _key_as_specified(name: str, suffixes: frozenset[str]) -> str:
    """The catalogue key as the catalogue defines it: lower case, every run of characters that
    are not letters or digits (and each underscore) a break between words, suffix words out."""
    words = re.sub(r"[^\w]+|_", " ", name.lower()).split()
    return "".join(word for word in words if word not in suffixes)


_NAME_PIECES = [*"aZ09 -._/()'\t", "XR", "xl", "é", "İ", "\u212a", "\u00a0", "ß"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_NAME_PIECES), max_size=8).map("".join))
def test_a_typed_name_gets_the_catalogue_key_its_definition_gives(typed: str) -> None:
    suffixes = frozenset({"xr", "xl", "sr", "er", "cr"})
    assert normalise(typed, suffixes) == _key_as_specified(typed, suffixes)


@pytest.mark.parametrize(
    ("typed", "generic"),
    [
        ("Effexor XR", "venlafaxine"),
        ("wellbutrin-xl", "bupropion"),
        ("Wellbutrin SR", "bupropion"),
        ("Theo-24", None),
        ("Lexapro", "escitalopram"),
        ("Brintellix", "vortioxetine"),
        ("Lithobid", "lithium"),
        ("Eskalith CR", "lithium"),
    ],
)
def test_brand_names_and_release_suffixes(typed: str, generic: str | None) -> None:
    medicine = CATALOGUE.find(typed)
    assert (medicine.generic if medicine else None) == generic


@pytest.mark.parametrize("typed", ["sertralin", "zoloft 50mg", "st johns wort", "xr"])
def test_unknown_names_do_not_match(typed: str) -> None:
    assert CATALOGUE.find(typed) is None


@pytest.mark.parametrize(
    ("typed", "generic"),
    [
        ("Theo-24", "theophylline"),
        ("theo 24", "theophylline"),
        ("Adderall XR", "amphetamine"),
        ("Concerta", "methylphenidate"),
        ("Ultram", "tramadol"),
        ("Anafranil", "clomipramine"),
        ("Pamelor", "nortriptyline"),
        ("aminophylline", "aminophylline"),
        ("Wellbutrin XL", None),
        ("bupropion", None),
        ("sertraline", None),
    ],
)
def test_seizure_threshold_list_includes_every_tca_and_not_bupropion(
    typed: str, generic: str | None
) -> None:
    assert CATALOGUE.seizure_threshold_generic(typed) == generic


@pytest.mark.parametrize("entry", ANTIDEPRESSANTS, ids=lambda e: e["generic"])
def test_trial_at_the_minimum_dose_is_adequate_and_just_below_is_not(entry: dict[str, Any]) -> None:
    minimum = entry["min_daily_dose_mg"]
    for name in [entry["generic"], *entry["brands"]]:
        assert len(history(trial(name, dose=minimum)).failed) == 1, name
        assert len(history(trial(name, dose=minimum - 0.5)).failed) == 0, name


@pytest.mark.parametrize(
    ("changes", "failed"),
    [
        ({"weeks": 6}, 1),
        ({"weeks": 5}, 0),
        ({"dose": None}, 1),
        ({"dose": None, "weeks": 5}, 0),
        ({"outcome": "partial_improvement"}, 1),
        ({"outcome": "full_improvement"}, 0),
        ({"outcome": "too_early"}, 0),
        ({"outcome": "stopped_side_effects", "weeks": 0, "dose": 5}, 1),
        ({"name": "aripiprazole"}, 0),
        ({"name": "tramadol"}, 0),
    ],
)
def test_failed_adequate_trial_rules(changes: dict[str, Any], failed: int) -> None:
    assert len(history(trial(**changes)).failed) == failed


def test_the_same_medicine_listed_twice_counts_once() -> None:
    result = history(
        trial("sertraline"), trial("Zoloft", dose=200, weeks=12), trial("Effexor XR", dose=150)
    )
    assert result.as_output()["failed_adequate_trials"] == 2
    assert result.as_output()["failed_classes"] == ["snri", "ssri"]


def test_sri_trials_are_ssris_and_clomipramine() -> None:
    result = history(
        trial("Prozac", dose=60), trial("clomipramine", dose=150), trial("amitriptyline", dose=150)
    )
    out = result.as_output()
    assert out["failed_adequate_trials"] == 3
    assert out["failed_sri_trials"] == 2
    assert out["failed_classes"] == ["ssri", "tca"]


def test_augmentation_trials_count_distinct_medicines_except_too_early() -> None:
    result = history(
        trial("Abilify", outcome="partial_improvement"),
        trial("aripiprazole", outcome="no_improvement"),
        trial("lithium", outcome="too_early"),
        trial("Seroquel XR", outcome="stopped_side_effects"),
    )
    assert result.as_output()["augmentation_trials"] == 2


@pytest.mark.parametrize(
    ("trials", "current"),
    [
        ([trial("venlafaxine", current=True)], True),
        ([trial("quetiapine", current=True)], True),
        ([trial("venlafaxine", current=False)], False),
        ([trial("tramadol", current=True)], False),
        ([trial("made-up pill", current=True)], False),
    ],
)
def test_currently_on_antidepressant(trials: list[dict[str, Any]], current: bool) -> None:
    assert history(*trials).as_output()["currently_on_antidepressant"] is current


def test_unrecognized_medications_are_kept_as_typed_sorted_and_once() -> None:
    result = history(
        trial("Zeta pill"), trial("alpha drops"), trial("Zeta pill"), trial("sertraline")
    )
    assert result.as_output()["unrecognized_medications"] == ["Zeta pill", "alpha drops"]


@pytest.mark.parametrize(
    ("therapy", "adequate"),
    [
        ({"modality": "cbt", "sessions": 8, "outcome": "no_improvement"}, True),
        ({"modality": "cbt", "sessions": 7, "outcome": "no_improvement"}, False),
        ({"modality": "erp", "sessions": 20, "outcome": "ongoing"}, True),
        ({"modality": "ipt", "sessions": 12, "outcome": "stopped"}, True),
        ({"modality": "cbt", "sessions": 30, "outcome": "full_improvement"}, False),
        ({"modality": "supportive", "sessions": 30, "outcome": "no_improvement"}, False),
        ({"modality": "other", "sessions": 30, "outcome": "no_improvement"}, False),
    ],
)
def test_adequate_psychotherapy_trial(therapy: dict[str, Any], adequate: bool) -> None:
    assert f.is_adequate_psychotherapy({**therapy, "current": False}) is adequate


def test_current_medicines_are_current_trials_plus_other_medications() -> None:
    answers = {
        "medication_trials": [trial("sertraline", current=True), trial("Pamelor", current=False)],
        "other_medications": ["Ultram", "ibuprofen"],
    }
    assert f.current_medicines(answers) == ["sertraline", "Ultram", "ibuprofen"]
    assert f.seizure_threshold_medicines(answers, CATALOGUE) == ["tramadol"]


def test_a_past_tca_does_not_count_as_a_current_seizure_threshold_medicine() -> None:
    answers = {"medication_trials": [trial("Pamelor", current=False)], "other_medications": []}
    assert f.seizure_threshold_medicines(answers, CATALOGUE) == []


def screen(**answers: str) -> dict[str, str]:
    return {**sample_answers()["safety_screen"], **answers}


@pytest.mark.parametrize("item", f.ABSOLUTE_ITEMS)
def test_absolute_findings(item: str) -> None:
    findings = f.safety_findings(screen(**{item: "yes"}), [])
    assert findings.absolute == (item,)
    assert not findings.relative
    unsure = f.safety_findings(screen(**{item: "unsure"}), [])
    assert unsure.unsure == (item,)
    assert unsure.absolute_unsure


@pytest.mark.parametrize("item", f.RELATIVE_ITEMS)
def test_relative_findings(item: str) -> None:
    findings = f.safety_findings(screen(**{item: "yes"}), [])
    assert findings.relative == (item,)
    assert not findings.absolute
    unsure = f.safety_findings(screen(**{item: "unsure"}), [])
    assert unsure.unsure == (item,)
    assert not unsure.absolute_unsure


@pytest.mark.parametrize("item", ["hearing_problems", "frequent_headaches"])
def test_hearing_and_headaches_are_not_safety_findings(item: str) -> None:
    for answer in ("yes", "unsure"):
        findings = f.safety_findings(screen(**{item: answer}), [])
        assert findings == f.SafetyFindings((), (), ())


def test_seizure_threshold_medicine_is_a_relative_finding() -> None:
    assert f.safety_findings(screen(), ["tramadol"]).relative == ("seizure_threshold_medication",)


def test_pregnancy_not_applicable_is_no_finding() -> None:
    assert f.safety_findings(screen(pregnant="not_applicable"), []) == f.SafetyFindings((), (), ())


@pytest.mark.parametrize(
    ("primary", "phq9", "expected"),
    [
        ("depression", 0, True),
        ("bipolar", 3, True),
        ("anxiety", 10, True),
        ("anxiety", 9, False),
        ("ocd", 27, False),
        ("ptsd", 27, False),
        ("other", 27, False),
    ],
)
def test_depressive_presentation(primary: str, phq9: int, expected: bool) -> None:
    assert f.depressive_presentation(primary, phq9) is expected


DEPRESSION = {
    "depressive": True,
    "phq9_total": 10,
    "treatment_resistant": True,
    "age_years": 15,
    "psychotic_symptoms": "unsure",
    "open_to_tms": "unsure",
}


@pytest.mark.parametrize(
    ("change", "eligible"),
    [
        ({}, True),
        ({"depressive": False}, False),
        ({"phq9_total": 9}, False),
        ({"treatment_resistant": False}, False),
        ({"age_years": 14}, False),
        ({"psychotic_symptoms": "yes"}, False),
        ({"open_to_tms": "no"}, False),
    ],
)
def test_tms_eligible_depression(change: dict[str, Any], eligible: bool) -> None:
    assert f.tms_eligible_depression(**{**DEPRESSION, **change}) is eligible


OCD = {
    "primary": "ocd",
    "failed_sri_trials": 2,
    "age_years": 18,
    "psychotic_symptoms": "no",
    "open_to_tms": "yes",
}


@pytest.mark.parametrize(
    ("change", "eligible"),
    [
        ({}, True),
        ({"primary": "anxiety"}, False),
        ({"failed_sri_trials": 1}, False),
        ({"age_years": 17}, False),
        ({"psychotic_symptoms": "yes"}, False),
        ({"open_to_tms": "no"}, False),
    ],
)
def test_tms_eligible_ocd(change: dict[str, Any], eligible: bool) -> None:
    assert f.tms_eligible_ocd(**{**OCD, **change}) is eligible


def test_derive_declares_every_fact_it_computes() -> None:
    derived = f.derive(
        changed(sample_answers(), {"other_medications": ["tramadol"]}), AS_OF, CATALOGUE
    )
    assert set(derived.facts) == set(f.FACT_TYPES)
    for name, fact_type in f.FACT_TYPES.items():
        value = derived.facts[name]
        if fact_type.kind == "enum":
            assert value in fact_type.choices, name
        else:
            expected = {"int": int, "bool": bool, "text": str}[fact_type.kind]
            assert type(value) is expected, name


@pytest.mark.parametrize(
    ("typed", "generic"),
    [("EffexorXR", "venlafaxine"), ("WellbutrinXL", "bupropion"), ("Effexor X.R.", "venlafaxine")],
)
def test_release_suffix_glued_on_or_dotted_still_matches(typed: str, generic: str) -> None:
    """Folded in from tests/review/test_review_rules.py (issue 10)."""
    medicine = CATALOGUE.find(typed)
    assert medicine is not None and medicine.generic == generic
