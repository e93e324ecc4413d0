"""Properties that must hold for every valid document, and rejection of every mutated one."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from answer_documents import AS_OF_ISO, DELETE, changed, sample_answers
from hypothesis import given, settings
from hypothesis import strategies as st

from intake import answers as a
from intake.answers import InvalidAnswers, parse_answers
from intake.rules.education import patient_summary
from tests.rules.v1 import evaluate

AS_OF = date.fromisoformat(AS_OF_ISO)
SUICIDE_FLAGS = {"suicide_risk_acute", "suicide_risk"}
SPECIFIC_PATHWAYS = {
    "tms_safety_review",
    "bipolar_assessment",
    "tms_plus_cbt",
    "tms_plus_medication_review",
    "tms_plus_erp",
    "medication_evaluation",
    "psychotherapy",
    "maintenance_therapy",
}
MEDICINE_NAMES = [
    "sertraline",
    "Zoloft",
    "Effexor XR",
    "venlafaxine",
    "wellbutrin-xl",
    "Lexapro",
    "citalopram",
    "clomipramine",
    "Pamelor",
    "phenelzine",
    "mirtazapine",
    "Abilify",
    "lithium",
    " SEROQUEL ",
    "tramadol",
    "Adderall",
    "Vyvanse",
    "Zeta pill",
    "st john's wort",
]
PROFILE = dict(max_examples=200, deadline=None)

yn = st.sampled_from(a.YN)


@st.composite
def valid_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = sample_answers()
    born = draw(
        st.dates(min_value=date(AS_OF.year - 119, 1, 1), max_value=AS_OF - timedelta(days=1))
    )
    primary = draw(st.sampled_from(a.PRIMARY_CONCERNS))
    asq = {key: draw(st.sampled_from(a.YES_NO)) for key in a.ASQ_ITEMS}
    asq["thoughts_right_now"] = draw(st.sampled_from(a.YES_NO)) if "yes" in asq.values() else None
    coverage = draw(st.sampled_from(a.COVERAGE_TYPES))
    trials = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.sampled_from(MEDICINE_NAMES),
                    "daily_dose_mg": st.none() | st.integers(1, 600) | st.floats(0.5, 600),
                    "weeks": st.integers(0, 30),
                    "outcome": st.sampled_from(a.MED_OUTCOMES),
                    "current": st.booleans(),
                }
            ),
            max_size=6,
        )
    )
    therapy = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "modality": st.sampled_from(a.THERAPY_MODALITIES),
                    "sessions": st.integers(0, 30),
                    "outcome": st.sampled_from(a.THERAPY_OUTCOMES),
                    "current": st.booleans(),
                }
            ),
            max_size=3,
        )
    )
    return changed(
        document,
        {
            "patient.date_of_birth": born.isoformat(),
            "concerns.primary": primary,
            "concerns.other_description": "Something else" if primary == "other" else None,
            "concerns.psychotic_symptoms": draw(yn),
            "concerns.mania_history": draw(yn),
            "concerns.bipolar_diagnosis": draw(yn),
            "phq9.items": draw(st.lists(st.integers(0, 3), min_size=9, max_size=9)),
            "phq9.difficulty": draw(st.sampled_from(a.PHQ9_DIFFICULTY)),
            "gad7.items": draw(st.lists(st.integers(0, 3), min_size=7, max_size=7)),
            "asq": asq,
            "medication_trials": trials,
            "other_medications": draw(st.lists(st.sampled_from(MEDICINE_NAMES), max_size=3)),
            "psychotherapy_trials": therapy,
            "neuromodulation": {
                k: draw(st.sampled_from(a.NEUROMOD_OUTCOMES)) for k in a.NEUROMOD_TREATMENTS
            },
            "preferences": {k: draw(yn) for k in a.PREFERENCE_ITEMS},
            "safety_screen": {
                **{k: draw(yn) for k in a.SAFETY_ITEMS},
                "pregnant": draw(st.sampled_from(a.PREGNANT_CHOICES)),
            },
            "insurance.coverage_type": coverage,
            "insurance.member_id": "1EG4-TE5-MK73" if coverage == "medicare" else "W123456789",
        },
    )


@settings(**PROFILE)
@given(valid_documents())
def test_evaluation_invariants_hold_for_every_valid_document(document: dict[str, Any]) -> None:
    answers = parse_answers(document, AS_OF)
    evaluation = evaluate(answers, AS_OF)
    flags = [f["code"] for f in evaluation["flags"]]
    pathways = [p["code"] for p in evaluation["pathways"]]

    assert json.loads(json.dumps(evaluation)) == evaluation
    assert evaluate(answers, AS_OF) == evaluation
    assert len(set(flags)) == len(flags)
    assert len(set(pathways)) == len(pathways)
    assert all(item["because"] and all(item["because"]) for item in evaluation["flags"])
    assert all(item["because"] and all(item["because"]) for item in evaluation["pathways"])
    assert ("clinician_consultation" in pathways) == (not SPECIFIC_PATHWAYS & set(pathways))
    if SUICIDE_FLAGS & set(flags):
        assert pathways[0] == "crisis_support"
    levels = [f["level"] for f in evaluation["flags"]]
    assert levels == sorted(levels, key=["urgent", "warning", "info"].index)
    th = evaluation["treatment_history"]
    assert th["failed_classes"] == sorted(set(th["failed_classes"]))
    assert th["unrecognized_medications"] == sorted(set(th["unrecognized_medications"]))
    assert th["treatment_resistant"] == (th["failed_adequate_trials"] >= 2)

    summary = patient_summary(evaluation)
    if SUICIDE_FLAGS & set(flags):
        assert summary[0]["code"] == "crisis_support"
        assert "988" in summary[0]["crisis"]
    assert [item["code"] for item in summary if "crisis" not in item] == [
        p for p in pathways if p != "crisis_support"
    ]


# Fields that may be missing from a document that sample_answers() produces.
OPTIONAL_FIELDS = {
    "patient.phone",
    "concerns.other_description",
    "asq.thoughts_right_now",
    "insurance.group_number",
    "insurance.subscriber_name",
    "insurance.subscriber_date_of_birth",
    "medication_trials[0].daily_dose_mg",
    "medication_trials[1].daily_dose_mg",
}


def leaf_paths(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [
            p for k, v in value.items() for p in leaf_paths(v, f"{prefix}.{k}" if prefix else k)
        ]
    if isinstance(value, list) and value and not isinstance(value[0], int):
        return [p for i, v in enumerate(value) for p in leaf_paths(v, f"{prefix}[{i}]")]
    return [prefix]


def object_paths(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        here = [prefix]
        return here + [
            p for k, v in value.items() for p in object_paths(v, f"{prefix}.{k}" if prefix else k)
        ]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in object_paths(v, f"{prefix}[{i}]")]
    return []


SAMPLE = sample_answers()
LEAVES = leaf_paths(SAMPLE)
OBJECTS = object_paths(SAMPLE)


def rejected_paths(document: Any) -> list[str]:
    try:
        parse_answers(document, AS_OF)
    except InvalidAnswers as exc:
        assert all(problem.message for problem in exc.problems)
        return [problem.path for problem in exc.problems]
    raise AssertionError("the mutated document was accepted")


@settings(**PROFILE)
@given(st.sampled_from(LEAVES), st.sampled_from([{"nested": 1}, [1, 2], 12345.5, True, "", -1]))
def test_a_wrong_value_anywhere_is_rejected_at_its_path(path: str, value: Any) -> None:
    document = changed(SAMPLE, {path: value})
    if value == "" and path in OPTIONAL_FIELDS | {"concerns.other_description"}:
        return  # a blank optional answer is simply not given
    if value is True and path in {
        "consent.understands_educational_only",
        "consent.agrees_to_contact",
    }:
        return
    if value is True and path.endswith(".current"):
        return
    paths = rejected_paths(document)
    assert any(p == path or p.startswith(path + "[") or p.startswith(path + ".") for p in paths)


@settings(**PROFILE)
@given(
    st.sampled_from(OBJECTS),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12),
)
def test_an_unknown_key_anywhere_is_rejected_at_its_path(path: str, key: str) -> None:
    target = f"{path}.{key}" if path else key
    if target in set(LEAVES) | set(OBJECTS):
        return
    document = changed(SAMPLE, {target: "surprise"})
    assert target in rejected_paths(document)


@settings(**PROFILE)
@given(st.sampled_from([p for p in LEAVES if p not in OPTIONAL_FIELDS]))
def test_a_missing_required_answer_is_rejected_at_its_path(path: str) -> None:
    assert path in rejected_paths(changed(SAMPLE, {path: DELETE}))
