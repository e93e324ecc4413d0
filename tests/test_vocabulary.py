"""The wizard offers exactly the choices the contract accepts, each with patient wording.

The expected code lists are the contract's (intake-contract-v1.md), written out here; the test
reads what the forms actually offer and what the contract actually accepts.
"""

from __future__ import annotations

from datetime import date

import pytest
from answer_documents import AS_OF_ISO, changed, sample_answers
from flask import Flask

from intake import vocabulary as vocab
from intake.answers import InvalidAnswers, parse_answers
from intake.forms.patient import STEP_FORMS

YN = ["yes", "no", "unsure"]
CONTRACT = {
    # (step, form field): (contract path, codes in the contract)
    ("about", "preferred_language"): ("patient.preferred_language", ["en", "es"]),
    ("about", "preferred_contact"): ("patient.preferred_contact", ["phone", "email", "text"]),
    ("concerns", "primary"): (
        "concerns.primary",
        ["depression", "anxiety", "ocd", "bipolar", "ptsd", "other"],
    ),
    ("concerns", "mania_history"): ("concerns.mania_history", YN),
    ("phq9", "difficulty"): (
        "phq9.difficulty",
        ["not_difficult", "somewhat_difficult", "very_difficult", "extremely_difficult"],
    ),
    ("asq", "wished_dead"): ("asq.wished_dead", ["yes", "no"]),
    ("medications", "medication_trials-0-outcome"): (
        "medication_trials[0].outcome",
        [
            "no_improvement",
            "partial_improvement",
            "full_improvement",
            "stopped_side_effects",
            "too_early",
        ],
    ),
    ("treatments", "psychotherapy_trials-0-modality"): (
        "psychotherapy_trials[0].modality",
        [
            "cbt",
            "dbt",
            "act",
            "ipt",
            "mbct",
            "erp",
            "psychodynamic",
            "trauma_focused",
            "supportive",
            "other",
        ],
    ),
    ("treatments", "psychotherapy_trials-0-outcome"): (
        "psychotherapy_trials[0].outcome",
        ["no_improvement", "partial_improvement", "full_improvement", "stopped", "ongoing"],
    ),
    ("treatments", "tms"): (
        "neuromodulation.tms",
        ["none", "no_improvement", "partial_improvement", "full_improvement", "stopped"],
    ),
    ("safety", "pregnant"): ("safety_screen.pregnant", [*YN, "not_applicable"]),
    ("preferences", "open_to_tms"): ("preferences.open_to_tms", YN),
    ("insurance", "coverage_type"): (
        "insurance.coverage_type",
        ["commercial", "medicare", "medicaid", "tricare", "self_pay", "other"],
    ),
    ("insurance", "subscriber_relationship"): (
        "insurance.subscriber_relationship",
        ["self", "spouse", "parent", "other"],
    ),
}


def _field(app: Flask, step: str, name: str):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        form = STEP_FORMS[step](meta={"csrf": False})
        from intake.forms.base import leaf_fields

        return next(f for f in leaf_fields(form) if f.name == name)


@pytest.mark.parametrize(("step", "name"), sorted(CONTRACT))
def test_the_form_offers_exactly_the_contract_codes(app: Flask, step: str, name: str) -> None:
    field = _field(app, step, name)
    offered = [c.value for c in field.choices if c.value != ""]
    assert offered == CONTRACT[(step, name)][1]
    assert all(c.label.strip() for c in field.choices)


@pytest.mark.parametrize(("step", "name"), sorted(CONTRACT))
def test_the_contract_accepts_each_code_and_nothing_else(step: str, name: str) -> None:
    path, expected = CONTRACT[(step, name)]
    as_of = date.fromisoformat(AS_OF_ISO)
    document = sample_answers()
    if path.startswith("insurance.subscriber_relationship"):
        document = changed(
            document,
            {
                "insurance.subscriber_name": "Sam Reyes",
                "insurance.subscriber_date_of_birth": "1980-01-01",
            },
        )
    for code in expected:
        doc = changed(document, {path: code})
        if path == "concerns.primary" and code == "other":
            doc = changed(doc, {"concerns.other_description": "sleep"})
        if path == "patient.preferred_contact":
            doc = changed(doc, {"patient.email": "a@example.org", "patient.phone": "5035550100"})
        if path == "asq.wished_dead" and code == "yes":
            doc = changed(doc, {"asq.thoughts_right_now": "no"})
        if path == "insurance.coverage_type" and code == "medicare":
            doc = changed(doc, {"insurance.member_id": "1EG4-TE5-MK73"})
        parse_answers(doc, as_of)
    with pytest.raises(InvalidAnswers):
        parse_answers(changed(document, {path: "not-a-code"}), as_of)


def test_every_choice_has_patient_wording() -> None:
    lists = [
        v
        for v in vars(vocab).values()
        if isinstance(v, tuple) and v and isinstance(v[0], vocab.Choice)
    ]
    assert len(lists) >= 15
    for choices in lists:
        assert len({c.code for c in choices}) == len(choices)
        assert all(c.patient.strip() for c in choices)
