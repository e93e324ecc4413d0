"""Answers documents for tests and the benchmark, built in code (no files from ../shared).

``sample_answers()`` is an adult with depression, two failed adequate trials, a CBT course and
commercial insurance; ``changed(doc, {"path.to[0].field": value})`` returns a copy with answers
replaced (or removed, with ``DELETE``), so each test states only what it is about.
The named changes below (``ASQ_YES``, ``OCD_TWO_FAILED_SRIS``, ``insurance_for``) are answers
that produce a given evaluation, for tests that need an urgent submission or a pathway.
"""

from __future__ import annotations

import copy
import re
from typing import Any

DELETE = object()
AS_OF_ISO = "2026-11-01"

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def sample_answers() -> dict[str, Any]:
    """A fresh, valid intake-answers/1 document (age 41 on 2026-11-01)."""
    return {
        "contract": "intake-answers/1",
        "patient": {
            "first_name": "Ana",
            "last_name": "Reyes",
            "date_of_birth": "1985-04-12",
            "email": "ana@example.org",
            "phone": "+1 503 555 0100",
            "preferred_language": "en",
            "preferred_contact": "email",
        },
        "concerns": {
            "primary": "depression",
            "other_description": None,
            "episode_months": 14,
            "psychotic_symptoms": "no",
            "mania_history": "no",
            "bipolar_diagnosis": "no",
        },
        "phq9": {"items": [2, 3, 2, 2, 2, 2, 2, 2, 0], "difficulty": "very_difficult"},
        "gad7": {"items": [1, 1, 1, 1, 1, 1, 1]},
        "asq": {
            "wished_dead": "no",
            "family_better_off": "no",
            "thoughts_of_killing_self": "no",
            "ever_tried": "no",
            "thoughts_right_now": None,
        },
        "medication_trials": [
            {
                "name": "sertraline",
                "daily_dose_mg": 150,
                "weeks": 10,
                "outcome": "no_improvement",
                "current": False,
            },
            {
                "name": "venlafaxine",
                "daily_dose_mg": 150,
                "weeks": 8,
                "outcome": "partial_improvement",
                "current": True,
            },
        ],
        "other_medications": [],
        "psychotherapy_trials": [
            {"modality": "cbt", "sessions": 12, "outcome": "partial_improvement", "current": False}
        ],
        "neuromodulation": {"tms": "none", "ect": "none", "ketamine": "none"},
        "preferences": {
            "open_to_tms": "yes",
            "open_to_psychotherapy": "yes",
            "open_to_medication_changes": "unsure",
            "can_attend_daily_sessions": "yes",
        },
        "safety_screen": {
            "seizure_history": "no",
            "family_epilepsy": "no",
            "fainting": "no",
            "head_injury_loss_of_consciousness": "no",
            "brain_condition": "no",
            "metal_in_head": "no",
            "cochlear_implant": "no",
            "implanted_neurostimulator": "no",
            "cardiac_device": "no",
            "medication_pump": "no",
            "hearing_problems": "no",
            "frequent_headaches": "no",
            "alcohol_or_drug_concern": "no",
            "prior_tms_problem": "no",
            "pregnant": "not_applicable",
        },
        "insurance": {
            "coverage_type": "commercial",
            "payer_name": "Aetna",
            "member_id": "W123456789",
            "group_number": "00123",
            "subscriber_relationship": "self",
            "subscriber_name": None,
            "subscriber_date_of_birth": None,
        },
        "consent": {
            "understands_educational_only": True,
            "agrees_to_contact": True,
            "signature": "Ana Reyes",
        },
    }


def sample_answers_v2() -> dict[str, Any]:
    """The same adult as :func:`sample_answers`, as an intake-answers/2 document (the wizard's)."""
    document = sample_answers()
    document["contract"] = "intake-answers/2"
    document["consent"].update(guardian_name=None, guardian_relationship=None)
    return document


def changed(document: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``document`` with each dotted path set to its value (``DELETE`` removes)."""
    result = copy.deepcopy(document)
    for path, value in changes.items():
        steps = [int(index) if index else key for key, index in _STEP.findall(path)]
        target: Any = result
        for step in steps[:-1]:
            target = target[step]
        if value is DELETE:
            del target[steps[-1]]
        else:
            target[steps[-1]] = copy.deepcopy(value)
    return result


#: ASQ question 1 answered yes (not "right now"): the urgent ``suicide_risk`` flag and, under
#: rules v2, the ``safety_check`` pathway (v1: ``crisis_support``).
ASQ_YES: dict[str, Any] = {"asq.wished_dead": "yes", "asq.thoughts_right_now": "no"}

#: Thoughts of killing oneself right now: the ``suicide_risk_acute`` flag and ``crisis_support``.
ASQ_ACUTE: dict[str, Any] = {"asq.wished_dead": "yes", "asq.thoughts_right_now": "yes"}

#: OCD after two SRI trials that did not help enough: the ``tms_plus_erp`` pathway.
OCD_TWO_FAILED_SRIS: dict[str, Any] = {
    "concerns.primary": "ocd",
    "medication_trials": [
        {
            "name": "fluoxetine",
            "daily_dose_mg": 60,
            "weeks": 12,
            "outcome": "no_improvement",
            "current": False,
        },
        {
            "name": "sertraline",
            "daily_dose_mg": 200,
            "weeks": 12,
            "outcome": "partial_improvement",
            "current": True,
        },
    ],
}

_INSURED = {
    "payer_name": "Aetna",
    "member_id": "W123456789",
    "group_number": "00123",
    "subscriber_relationship": "self",
    "subscriber_name": None,
    "subscriber_date_of_birth": None,
}


def insurance_for(coverage_type: str) -> dict[str, Any]:
    """A valid ``insurance`` section for a coverage type (Medicare needs a Medicare number,
    self-pay no plan at all)."""
    if coverage_type == "self_pay":
        return {"coverage_type": "self_pay"} | dict.fromkeys(_INSURED)
    if coverage_type == "medicare":
        plan = {"payer_name": "Medicare", "member_id": "1EG4TE5MK73", "group_number": None}
        return {"coverage_type": "medicare"} | _INSURED | plan
    return {"coverage_type": coverage_type} | _INSURED
