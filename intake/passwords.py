"""Password hashing (argon2id) and the password policy for staff accounts.

Outside the ``auth`` blueprint because the account service (CLI and admin pages) needs the same
hashing and policy as sign-in, and services must not import a blueprint. No Flask, no database.

The policy: at least ``MIN_LENGTH`` characters, not in ``common_passwords.txt``, not built from
the email address, and hard enough to guess by zxcvbn's estimate (score ``MIN_SCORE`` or more,
about 10^8 guesses; zxcvbn knows dictionaries, names, dates, repeats, sequences and keyboard
patterns, so ``qwertyuiopasdf`` is refused however long it is). The estimate reads the first
``ESTIMATE_LENGTH`` characters (zxcvbn's own limit; it slows down on long input).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn
from zxcvbn.matching import spatial_match

MIN_LENGTH = 12
#: zxcvbn's score, 0-4: 3 is "safely unguessable" (10^8 guesses or more, with a slow hash).
MIN_SCORE = 3
ESTIMATE_LENGTH = 72

TOO_COMMON = "That password is too common. Choose something harder to guess."
KEYBOARD_RUN = (
    "That password would be guessed quickly: rows of neighbouring keys, like qwerty or asdf, are "
    "among the first things tried. Use a few unrelated words instead."
)
GUESSED_QUICKLY = "That password would be guessed quickly"
ADD_WORDS = "Add another word or two; uncommon words are better."

#: argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong password or a damaged hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password-only-for-timing")


def burn_time(password: str) -> None:
    """Spend as long as a real check, so an unknown account answers as slowly as a known one."""
    verify_password(_dummy_hash(), password)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("intake").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def policy_problems(password: str, email: str | None = None) -> list[str]:
    """What is wrong with ``password`` as a new staff password (empty when it is fine).

    Each problem is a sentence for the password field.
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    lowered = password.lower()
    common = lowered in common_passwords() or lowered.rstrip("!1?.") in common_passwords()
    if common:
        problems.append(TOO_COMMON)
    if email and lowered == email.strip().lower():
        problems.append("Do not use your email address as your password.")
    local_part = email.split("@")[0].lower() if email and "@" in email else ""
    if len(local_part) >= 4 and local_part in lowered:
        problems.append("Do not build your password from your email address.")
    if not common and len(password) >= MIN_LENGTH:
        weakness = strength_problem(password, email)
        if weakness:
            problems.append(weakness)
    return problems


def strength_problem(password: str, email: str | None = None) -> str | None:
    """zxcvbn's verdict on ``password`` as one sentence, or None when it is hard enough."""
    user_inputs = [part for part in (email, (email or "").split("@")[0]) if part]
    result = zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=user_inputs)
    if result["score"] >= MIN_SCORE:
        return None
    if any(_is_keyboard_run(match) for match in result["sequence"]):
        return KEYBOARD_RUN
    feedback = result["feedback"]
    warning = (feedback["warning"] or "").strip()
    hints = " ".join(hint.strip() for hint in feedback["suggestions"]) or ADD_WORDS
    sentence = (
        f"{GUESSED_QUICKLY}: {warning[0].lower()}{warning[1:]}" if warning else GUESSED_QUICKLY
    )
    return f"{sentence.rstrip('.')}. {hints}"


def _is_keyboard_run(match: Mapping[str, object]) -> bool:
    """A keyboard pattern, also when zxcvbn found it as a word of its password lists
    ("qwertyuiop" is both)."""
    if match.get("pattern") == "spatial":
        return True
    token = str(match.get("token") or "").lower()
    return (
        match.get("pattern") == "dictionary"
        and len(token) >= 4
        and any(run["token"] == token for run in spatial_match(token))
    )
