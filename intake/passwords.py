"""Password hashing (argon2id) and the password policy for staff accounts.

Outside the ``auth`` blueprint because the account service (CLI and admin pages) needs the same
hashing and policy as sign-in, and services must not import a blueprint. No Flask, no database.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12

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
    """What is wrong with ``password`` as a new staff password (empty when it is fine)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    lowered = password.lower()
    if lowered in common_passwords() or lowered.rstrip("!1?.") in common_passwords():
        problems.append("That password is too common. Choose something harder to guess.")
    if email and lowered == email.strip().lower():
        problems.append("Do not use your email address as your password.")
    if (
        email
        and "@" in email
        and len(email.split("@")[0]) >= 4
        and email.split("@")[0].lower() in lowered
    ):
        problems.append("Do not build your password from your email address.")
    if len(set(password)) < 4:
        problems.append("Use more different characters.")
    return problems
