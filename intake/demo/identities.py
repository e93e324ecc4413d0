"""Synthetic identities for demo data (Faker): names, contact details, insurance, signature.

``dress`` puts a fresh identity on a clinical core. It changes only answers the rules do not
read (names, contact, plan details, consent), keeping the date of birth and coverage type, so
every dressed copy of a core has the core's evaluation; ``tests/demo`` checks that.
"""

from __future__ import annotations

from typing import Any

from intake.demo.scenarios import Rng

PAYERS = {
    "commercial": ["Aetna", "Cigna", "UnitedHealthcare", "Blue Cross Blue Shield", "Humana"],
    "medicare": ["Medicare"],
    "medicaid": ["State Medicaid", "Medi-Cal", "MassHealth"],
    "tricare": ["TRICARE East", "TRICARE West"],
    "other": ["Employer health plan", "Student health plan"],
}


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
    # A shallow copy is enough: parse_answers makes the stored copy, and the shared sections
    # of the core are never changed.
    doc = dict(core)
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
