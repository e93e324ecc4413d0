"""Clinical "cores" for demo data: complete answers documents for realistic scenarios.

A core is everything the rules read (concerns, questionnaires, treatments, safety screen,
preferences, date of birth and coverage type), built from a weighted scenario (treatment-
resistant depression, acute suicide risk, metal in the head, OCD, bipolar with seizures, ...)
with random variation. Its ``patient`` and ``insurance`` sections hold only the date of birth
and coverage type; ``identities.dress`` adds the rest. Nothing here is a real person.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from intake.answers import SAFETY_ITEMS

SSRI = [("sertraline", 100), ("escitalopram", 20), ("fluoxetine", 40), ("citalopram", 40)]
SNRI = [("venlafaxine", 150), ("duloxetine", 60), ("desvenlafaxine", 50)]
OTHER_AD = [("bupropion", 300), ("mirtazapine", 30), ("vortioxetine", 10)]
Rng = random.Random


def _items(rng: Rng, n: int, low: int, high: int) -> list[int]:
    return [rng.randint(low, high) for _ in range(n)]


def _trial(
    rng: Rng, drug: tuple[str, int], outcome: str, *, current: bool = False
) -> dict[str, Any]:
    return {
        "name": drug[0],
        "daily_dose_mg": drug[1],
        "weeks": rng.randint(6, 20),
        "outcome": outcome,
        "current": current,
    }


def _base(rng: Rng) -> dict[str, Any]:
    """A calm, complete document; scenarios change what they need."""
    return {
        "contract": "intake-answers/1",
        "patient": {},  # filled per submission
        "concerns": {
            "primary": "depression",
            "other_description": None,
            "episode_months": rng.randint(2, 60),
            "psychotic_symptoms": "no",
            "mania_history": "no",
            "bipolar_diagnosis": "no",
        },
        "phq9": {"items": [*_items(rng, 8, 1, 2), 0], "difficulty": "somewhat_difficult"},
        "gad7": {"items": _items(rng, 7, 0, 2)},
        "asq": {
            "wished_dead": "no",
            "family_better_off": "no",
            "thoughts_of_killing_self": "no",
            "ever_tried": "no",
            "thoughts_right_now": None,
        },
        "medication_trials": [],
        "other_medications": [],
        "psychotherapy_trials": [],
        "neuromodulation": {"tms": "none", "ect": "none", "ketamine": "none"},
        "preferences": {
            "open_to_tms": rng.choice(["yes", "yes", "unsure"]),
            "open_to_psychotherapy": rng.choice(["yes", "yes", "unsure", "no"]),
            "open_to_medication_changes": rng.choice(["yes", "unsure", "no"]),
            "can_attend_daily_sessions": rng.choice(["yes", "yes", "unsure"]),
        },
        "safety_screen": {k: "no" for k in SAFETY_ITEMS} | {"pregnant": "not_applicable"},
        "insurance": {},  # filled per submission
        "consent": {"understands_educational_only": True, "agrees_to_contact": True},
    }


def _resistant(rng: Rng, doc: dict[str, Any]) -> None:
    doc["phq9"] = {"items": [*_items(rng, 8, 2, 3), 0], "difficulty": "very_difficult"}
    doc["medication_trials"] = [
        _trial(rng, rng.choice(SSRI), "no_improvement"),
        _trial(rng, rng.choice(SNRI), "partial_improvement", current=rng.random() < 0.6),
    ]
    if rng.random() < 0.3:
        doc["medication_trials"].append(_trial(rng, rng.choice(OTHER_AD), "no_improvement"))
    doc["psychotherapy_trials"] = [
        {
            "modality": "cbt",
            "sessions": rng.randint(8, 24),
            "outcome": "partial_improvement",
            "current": False,
        }
    ]


def s_tms_depression(rng: Rng, doc: dict[str, Any]) -> None:
    _resistant(rng, doc)
    doc["preferences"]["open_to_tms"] = "yes"


def s_suicide_acute(rng: Rng, doc: dict[str, Any]) -> None:
    doc["phq9"] = {
        "items": [*_items(rng, 8, 2, 3), rng.randint(1, 3)],
        "difficulty": "extremely_difficult",
    }
    doc["asq"] |= {
        "wished_dead": "yes",
        "thoughts_of_killing_self": "yes",
        "thoughts_right_now": "yes",
    }


def s_suicide_risk(rng: Rng, doc: dict[str, Any]) -> None:
    if rng.random() < 0.5:
        _resistant(rng, doc)
    doc["phq9"]["items"][8] = rng.randint(1, 2)
    doc["asq"] |= {"wished_dead": rng.choice(["yes", "no"]), "thoughts_right_now": None}
    if doc["asq"]["wished_dead"] == "yes":
        doc["asq"]["thoughts_right_now"] = "no"


def s_metal(rng: Rng, doc: dict[str, Any]) -> None:
    _resistant(rng, doc)
    doc["safety_screen"][
        rng.choice(["metal_in_head", "cochlear_implant", "implanted_neurostimulator"])
    ] = "yes"


def s_precaution(rng: Rng, doc: dict[str, Any]) -> None:
    _resistant(rng, doc)
    doc["safety_screen"][
        rng.choice(
            [
                "fainting",
                "head_injury_loss_of_consciousness",
                "cardiac_device",
                "alcohol_or_drug_concern",
            ]
        )
    ] = "yes"
    if rng.random() < 0.5:
        doc["safety_screen"][rng.choice(["family_epilepsy", "brain_condition"])] = "unsure"


def s_seizure_med(rng: Rng, doc: dict[str, Any]) -> None:
    _resistant(rng, doc)
    doc["other_medications"] = [rng.choice(["tramadol", "Adderall", "methylphenidate"])]


def s_ocd(rng: Rng, doc: dict[str, Any]) -> None:
    doc["concerns"]["primary"] = "ocd"
    doc["medication_trials"] = [
        _trial(rng, ("fluoxetine", 60), "no_improvement"),
        _trial(rng, ("sertraline", 200), "partial_improvement", current=True),
    ]
    if rng.random() < 0.5:
        doc["psychotherapy_trials"] = [
            {
                "modality": "erp",
                "sessions": rng.randint(8, 20),
                "outcome": "partial_improvement",
                "current": False,
            }
        ]


def s_bipolar(rng: Rng, doc: dict[str, Any]) -> None:
    doc["concerns"] |= {
        "primary": "bipolar",
        "mania_history": "yes",
        "bipolar_diagnosis": rng.choice(["yes", "unsure"]),
    }
    doc["phq9"] = {"items": [*_items(rng, 8, 1, 3), 0], "difficulty": "very_difficult"}
    if rng.random() < 0.5:
        doc["safety_screen"]["seizure_history"] = "yes"
    doc["medication_trials"] = [_trial(rng, ("lithium", 900), "partial_improvement", current=True)]


def s_minimal(rng: Rng, doc: dict[str, Any]) -> None:
    doc["phq9"] = {"items": [*_items(rng, 8, 0, 1), 0], "difficulty": "not_difficult"}
    doc["gad7"] = {"items": _items(rng, 7, 0, 1)}
    doc["preferences"]["open_to_psychotherapy"] = "no"
    doc["preferences"]["open_to_medication_changes"] = "no"
    if sum(doc["phq9"]["items"]) == 0:
        doc["phq9"]["difficulty"] = None


def s_anxiety(rng: Rng, doc: dict[str, Any]) -> None:
    doc["concerns"]["primary"] = "anxiety"
    doc["gad7"] = {"items": _items(rng, 7, 1, 3)}
    doc["psychotherapy_trials"] = [
        {
            "modality": "supportive",
            "sessions": rng.randint(2, 10),
            "outcome": "ongoing",
            "current": True,
        }
    ]


def s_ptsd(rng: Rng, doc: dict[str, Any]) -> None:
    doc["concerns"]["primary"] = "ptsd"
    doc["safety_screen"]["hearing_problems"] = rng.choice(["no", "yes"])
    doc["other_medications"] = ["prazosin"]


def s_psychosis(rng: Rng, doc: dict[str, Any]) -> None:
    doc["concerns"]["psychotic_symptoms"] = "yes"
    doc["phq9"] = {"items": [*_items(rng, 8, 1, 3), 0], "difficulty": "very_difficult"}


def s_maintenance(rng: Rng, doc: dict[str, Any]) -> None:
    doc["neuromodulation"]["tms"] = rng.choice(["partial_improvement", "full_improvement"])
    doc["phq9"] = {"items": [*_items(rng, 8, 0, 2), 0], "difficulty": "somewhat_difficult"}


def s_schedule_barrier(rng: Rng, doc: dict[str, Any]) -> None:
    _resistant(rng, doc)
    doc["preferences"] |= {"open_to_tms": "yes", "can_attend_daily_sessions": "no"}


def s_unrecognised(rng: Rng, doc: dict[str, Any]) -> None:
    doc["medication_trials"] = [
        {
            "name": rng.choice(["the blue pill", "herbal mix", "St John's wort"]),
            "daily_dose_mg": None,
            "weeks": rng.randint(1, 12),
            "outcome": "no_improvement",
            "current": False,
        }
    ]


def s_other(rng: Rng, doc: dict[str, Any]) -> None:
    doc["concerns"] |= {
        "primary": "other",
        "other_description": rng.choice(
            ["Trouble sleeping and low energy", "Grief after a loss", "Stress at work"]
        ),
    }


#: (scenario, weight, age range)
SCENARIOS: list[tuple[Callable[[Rng, dict[str, Any]], None], int, tuple[int, int]]] = [
    (s_tms_depression, 16, (22, 75)),
    (s_suicide_acute, 3, (18, 70)),
    (s_suicide_risk, 7, (16, 70)),
    (s_metal, 4, (25, 80)),
    (s_precaution, 6, (25, 80)),
    (s_seizure_med, 4, (20, 65)),
    (s_ocd, 7, (18, 60)),
    (s_bipolar, 6, (18, 65)),
    (s_minimal, 6, (18, 80)),
    (s_anxiety, 10, (15, 70)),
    (s_ptsd, 7, (19, 70)),
    (s_psychosis, 3, (18, 60)),
    (s_maintenance, 4, (25, 75)),
    (s_schedule_barrier, 5, (25, 75)),
    (s_unrecognised, 4, (16, 70)),
    (s_other, 4, (13, 80)),
]


def _dob(rng: Rng, ages: tuple[int, int], today: date) -> date:
    born = today - timedelta(days=int(rng.uniform(ages[0] + 0.01, ages[1] + 0.99) * 365.25))
    return born


def make_core(rng: Rng, today: date) -> dict[str, Any]:
    scenario, _w, ages = rng.choices(SCENARIOS, weights=[w for _s, w, _a in SCENARIOS])[0]
    doc = _base(rng)
    scenario(rng, doc)
    doc["patient"] = {"date_of_birth": _dob(rng, ages, today).isoformat()}
    coverage = rng.choices(
        ["commercial", "medicare", "medicaid", "tricare", "self_pay", "other"],
        weights=[45, 15, 18, 5, 12, 5],
    )[0]
    doc["insurance"] = {"coverage_type": coverage}
    return doc
