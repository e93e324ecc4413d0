"""Synthetic demo data: realistic intake documents spread over every pathway and flag.

``seed(count)`` stores ``count`` submissions with bulk inserts. Each one is a fresh synthetic
identity (Faker) on top of one of a pool of clinical "cores"; a core is a complete answers
document built from a scenario (treatment-resistant depression, acute suicide risk, metal in the
head, OCD, bipolar with seizures, ...) with random variation. Every core is validated and
evaluated once with the real rules (``evaluate_document``), so 100,000 submissions need only a
few hundred evaluations. Nothing here is a real person.
"""

from __future__ import annotations

import copy
import random
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from intake.answers import SAFETY_ITEMS
from intake.extensions import db
from intake.models import Acknowledgement, Submission, User
from intake.models.submission import pathway_codes_for
from intake.models.workflow import ACKNOWLEDGEMENT_ACTIONS
from intake.names import fold_name
from intake.services.codes import random_code

BATCH = 2000
POOL = 600
PAYERS = {
    "commercial": ["Aetna", "Cigna", "UnitedHealthcare", "Blue Cross Blue Shield", "Humana"],
    "medicare": ["Medicare"],
    "medicaid": ["State Medicaid", "Medi-Cal", "MassHealth"],
    "tricare": ["TRICARE East", "TRICARE West"],
    "other": ["Employer health plan", "Student health plan"],
}
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


def _mbi(rng: Rng) -> str:
    letters = "ACDEFGHJKMNPQRTUVWXY"
    alnum = letters + "0123456789"
    d = "0123456789"
    pick = rng.choice
    return "".join(
        [
            pick("123456789"),
            pick(letters),
            pick(alnum),
            pick(d),
            pick(letters),
            pick(alnum),
            pick(d),
            pick(letters),
            pick(letters),
            pick(d),
            pick(d),
        ]
    )


def dress(core: dict[str, Any], rng: Rng, fake: Any) -> dict[str, Any]:
    """A complete answers document: the core plus a fresh synthetic identity and insurance."""
    doc = copy.deepcopy(core)
    first, last = fake.first_name(), fake.last_name()
    contact = rng.choice(["phone", "email", "text"])
    doc["patient"] = {
        "first_name": first,
        "last_name": last,
        "date_of_birth": core["patient"]["date_of_birth"],
        "email": f"{first}.{last}{rng.randint(1, 999)}@example.org".lower()
        .replace(" ", "")
        .replace("'", ""),
        "phone": f"+1 {rng.randint(201, 989)} 555 {rng.randint(100, 199):04d}",
        "preferred_language": rng.choices(["en", "es"], weights=[85, 15])[0],
        "preferred_contact": contact,
    }
    coverage = core["insurance"]["coverage_type"]
    if coverage == "self_pay":
        doc["insurance"] = {
            "coverage_type": "self_pay",
            "payer_name": None,
            "member_id": None,
            "group_number": None,
            "subscriber_relationship": None,
            "subscriber_name": None,
            "subscriber_date_of_birth": None,
        }
    else:
        relationship = rng.choices(["self", "spouse", "parent"], weights=[80, 12, 8])[0]
        if coverage == "medicare":
            relationship = "self"
        doc["insurance"] = {
            "coverage_type": coverage,
            "payer_name": rng.choice(PAYERS[coverage]),
            "member_id": _mbi(rng)
            if coverage == "medicare"
            else f"{rng.choice('WXYZ')}{rng.randint(10**8, 10**9 - 1)}",
            "group_number": str(rng.randint(1000, 99999)) if coverage == "commercial" else None,
            "subscriber_relationship": relationship,
            "subscriber_name": None if relationship == "self" else f"{fake.first_name()} {last}",
            "subscriber_date_of_birth": None
            if relationship == "self"
            else fake.date_of_birth(minimum_age=30, maximum_age=75).isoformat(),
        }
    doc["consent"] = {
        "understands_educational_only": True,
        "agrees_to_contact": rng.random() < 0.95,
        "signature": f"{first} {last}",
    }
    return doc


def build_pool(
    size: int, rng: Rng, fake: Any, today: date
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``size`` distinct (core, evaluation) pairs, each validated and evaluated once."""
    from intake.services.submissions import evaluate_document

    pool = []
    for _ in range(size):
        core = make_core(rng, today)
        answers, evaluation = evaluate_document(dress(core, rng, fake), today)
        pool.append((answers, evaluation))
    return pool


def _status(rng: Rng, age_days: float) -> str:
    if age_days < 2:
        return rng.choices(["new", "in_review"], weights=[80, 20])[0]
    if age_days < 14:
        return rng.choices(
            ["new", "in_review", "needs_info", "insurance_verified", "scheduled"],
            weights=[20, 30, 15, 20, 15],
        )[0]
    return rng.choices(
        ["in_review", "needs_info", "insurance_verified", "scheduled", "closed", "withdrawn"],
        weights=[5, 5, 10, 25, 45, 10],
    )[0]


def _references(n: int) -> Iterator[str]:
    seen: set[str] = set()
    while len(seen) < n:
        code = random_code(8)
        ref = f"{code[:4]}-{code[4:]}"
        if ref not in seen:
            seen.add(ref)
            yield ref


def seed(
    count: int,
    *,
    seed_value: int | None = None,
    days: int = 180,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store ``count`` synthetic submissions; returns how many were stored."""
    from faker import Faker

    rng = random.Random(seed_value if seed_value is not None else secrets.randbits(32))  # noqa: S311 - demo data
    fake = Faker(["en_US", "es_MX"])
    fake.seed_instance(rng.randint(0, 2**31))
    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    pool = build_pool(min(POOL, max(count, 1)), rng, fake, today)
    acknowledger = db.session.scalar(
        sa.select(User)
        .where(User.roles_csv.like("%front_desk%"), User.disabled.is_(False))
        .order_by(User.id)
    )
    existing = set(db.session.scalars(sa.select(Submission.reference)))
    refs = (r for r in _references(count + len(existing)) if r not in existing)
    stored = 0
    while stored < count:
        rows = []
        for _ in range(min(BATCH, count - stored)):
            core, evaluation = pool[rng.randrange(len(pool))]
            answers = dress(core, rng, fake)
            # Newer submissions are more common: a skewed spread over ``days``.
            age_days = days * rng.random() ** 2
            submitted_at = now - timedelta(days=age_days)
            urgent = any(f["level"] == "urgent" for f in evaluation["flags"])
            acked = urgent and acknowledger is not None and age_days > 0.1
            rows.append(
                {
                    "reference": next(refs),
                    "status": _status(rng, age_days),
                    "urgent": urgent,
                    "answers": answers,
                    "evaluation": evaluation,
                    "ruleset_version": evaluation["ruleset"]["version"],
                    "ruleset_sha256": evaluation["ruleset"]["sha256"],
                    "created_at": submitted_at,
                    "submitted_at": submitted_at,
                    "last_name": answers["patient"]["last_name"],
                    "last_name_folded": fold_name(answers["patient"]["last_name"]),
                    "date_of_birth": date.fromisoformat(answers["patient"]["date_of_birth"]),
                    "primary_concern": answers["concerns"]["primary"],
                    "coverage_type": answers["insurance"]["coverage_type"],
                    "pathway_codes": pathway_codes_for(evaluation),
                    "source": "demo",
                    "version": 1,
                    "acknowledged_at": submitted_at + timedelta(minutes=rng.randint(5, 90))
                    if acked
                    else None,
                }
            )
        result = db.session.execute(
            sa.insert(Submission).returning(Submission.id, Submission.acknowledged_at), rows
        )
        acks = [
            {
                "submission_id": sid,
                "by_id": acknowledger.id,
                "at": at,
                "action": rng.choice(list(ACKNOWLEDGEMENT_ACTIONS)[:3]),
                "note": "Demo: spoke with the patient; safety plan reviewed.",
            }
            for sid, at in result.all()
            if at is not None and acknowledger is not None
        ]
        if acks:
            db.session.execute(sa.insert(Acknowledgement), acks)
        db.session.commit()
        stored += len(rows)
        if progress:
            progress(stored)
    return stored
