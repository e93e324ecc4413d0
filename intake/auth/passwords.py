"""Kept for ``auth/views.py``, which still imports from here: the code is ``intake.passwords``.

Switch that import and delete this module once the sign-in lockout work on auth/views.py is in.
"""

from intake.passwords import (  # noqa: F401 - re-exported
    burn_time,
    hash_password,
    needs_rehash,
    policy_problems,
    verify_password,
)
