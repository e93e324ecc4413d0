"""Staff roles, and which of them see patient data. No Flask, no database: ``config.py`` reads
role codes from the environment with these, and the account rules are built on them.

Separation of duties (docs/staff.md): an account that holds ``admin`` never also holds a role of
``PATIENT_DATA_ROLES``; an admin who also works the queue has a second, separate account.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType
from typing import Final

#: Every role an account can hold, with the words people see.
ROLES: Final = MappingProxyType(
    {
        "front_desk": "Front desk",
        "clinician": "Clinician",
        "admin": "Admin",
    }
)

#: The roles whose pages show patient answers (the queue, submissions, summaries, exports).
PATIENT_DATA_ROLES: Final = frozenset({"front_desk", "clinician"})

#: Manages accounts, tokens and settings and reads the audit log; sees no patient data.
ADMIN_ROLE: Final = "admin"


def mixes_admin_and_patient_data(roles: Iterable[str]) -> bool:
    """Whether ``roles`` hold ``admin`` together with a role that sees patient data."""
    held = set(roles)
    return ADMIN_ROLE in held and bool(held & PATIENT_DATA_ROLES)


def parse_roles(text: str) -> frozenset[str]:
    """``"front_desk, clinician"`` → the codes; empty text → none. Unknown codes: ValueError."""
    codes = frozenset(part.strip() for part in text.replace(" ", ",").split(",") if part.strip())
    if codes - set(ROLES):
        raise ValueError(f"unknown role(s): {', '.join(sorted(codes - set(ROLES)))}")
    return codes
