"""Random human-friendly codes: resume codes and submission references.

The alphabet leaves out the characters people confuse when reading or typing: the digits 0 and 1
and the letters B, I, L, O, S and Z (read as 8, 1, 1, 0, 5 and 2), so a code read over the phone
or copied from paper is typed right the first time.
"""

from __future__ import annotations

import secrets

UNAMBIGUOUS_ALPHABET = "23456789ACDEFGHJKMNPQRTUVWXY"


def random_code(length: int) -> str:
    """``length`` characters from the unambiguous alphabet, from a cryptographic source."""
    return "".join(secrets.choice(UNAMBIGUOUS_ALPHABET) for _ in range(length))


def normalise_code(typed: str) -> str:
    """Upper-case and drop spaces and dashes, so ``ab3d-ef7g`` matches ``AB3DEF7G``."""
    return "".join(ch for ch in typed.upper() if ch not in " -")


def submission_reference() -> str:
    """A short reference for a submission, e.g. ``K7M4-QP9X`` (28^8 ≈ 3.8e11 possibilities)."""
    code = random_code(8)
    return f"{code[:4]}-{code[4:]}"
