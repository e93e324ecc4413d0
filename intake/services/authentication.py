"""Signing staff in: the password step, the authenticator-code step and the lockout they share.

These are security rules, so they live here once, whichever page asks: both steps feed one
failure counter, ten failures in a row lock the account for 15 minutes, the counter is reset
only by a completed sign-in (so someone who knows the password cannot reset it between batches
of guessed codes), and an authenticator code is accepted once. The views only turn the outcomes
into pages, redirects and session cookies.

After the password, sign-in goes through the steps the account still needs, in this order
(``next_step``): the authenticator code when it has one; a new password when its password was
set by someone else (``must_change_password``); setting up an authenticator when one of its
roles requires two-factor (``REQUIRE_2FA_ROLES``) and it has none. The session starts only
after the last one, so nothing else can be used before.

Like every service this flushes and audits but never commits. The sign-in page commits a failed
attempt (its count, a lock, its audit events) before it shows the error, because the failure
must count although the sign-in is refused; a completed sign-in is committed with the session
it starts.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import pyotp

from intake.extensions import db
from intake.models import User
from intake.models.types import utcnow
from intake.passwords import (
    burn_time,
    hash_password,
    needs_rehash,
    policy_problems,
    verify_password,
)
from intake.services import audit

MAX_FAILED_LOGINS = 10
LOCK_DURATION = timedelta(minutes=15)
#: Failures that count towards the lockout. An unknown account, a locked or a disabled one is
#: only logged: counting those would let anyone keep a colleague's account locked.
COUNTED_FAILURES = frozenset({"wrong_password", "wrong_code"})

Step = Literal["verify", "password", "enrol"]
SAME_AS_CURRENT = "Choose a password different from your current one."


@dataclass(frozen=True)
class PasswordCheck:
    """What the password step decided.

    ``user`` is None when sign-in failed, for whatever reason (the page shows one message for
    all of them). ``step`` is what comes before the session starts (``next_step``), None when
    sign-in can complete.
    """

    user: User | None
    step: Step | None = None


def requires_two_factor(user: User, roles: Collection[str]) -> bool:
    """Whether ``user`` holds one of ``roles``, the roles that must sign in with two-factor."""
    return user.has_role(*roles)


def next_step(user: User, *, code_checked: bool, two_factor_roles: Collection[str]) -> Step | None:
    """The step sign-in still needs for ``user``: ``"verify"`` (the authenticator code, unless
    ``code_checked``), ``"password"`` (a new password, when it was set by someone else),
    ``"enrol"`` (set up an authenticator, when a role requires it), or None: done."""
    if user.totp_secret and not code_checked:
        return "verify"
    if user.must_change_password:
        return "password"
    if not user.totp_secret and requires_two_factor(user, two_factor_roles):
        return "enrol"
    return None


def record_failure(user: User | None, reason: str) -> None:
    """Log a failed attempt, count it when it counts, lock the account at the limit.

    Flushed, not committed: the caller commits it although it then refuses the sign-in.
    """
    if user is not None and reason in COUNTED_FAILURES:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = utcnow() + LOCK_DURATION
            user.failed_logins = 0
            audit.record("account_locked", actor=user)
    audit.record("login_failed", actor=user, detail={"reason": reason})
    db.session.flush()


def check_password(
    email: str, password: str, *, two_factor_roles: Collection[str] = ()
) -> PasswordCheck:
    """The first step: is this the account's password, and may the account sign in now?

    An unknown or locked account takes as long to answer as a wrong password, so timing does
    not tell which it was. The failure counter is *not* reset by a right password. A failure,
    or a rehashed password, is flushed; the caller commits it whatever the outcome. An
    authenticator set-up left unfinished by an earlier sign-in starts again with a new secret.
    """
    user = db.session.scalar(db.select(User).where(User.email == User.normalise_email(email)))
    if user is None:
        burn_time(password)
        record_failure(None, "unknown_account")
        return PasswordCheck(None)
    if user.is_locked():
        burn_time(password)
        record_failure(user, "locked")
        return PasswordCheck(None)
    if not verify_password(user.password_hash, password):
        record_failure(user, "wrong_password")
        return PasswordCheck(None)
    if user.disabled:
        record_failure(user, "disabled")
        return PasswordCheck(None)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.totp_pending_secret is not None:
        user.totp_pending_secret = None
    db.session.flush()
    return PasswordCheck(
        user, next_step(user, code_checked=False, two_factor_roles=two_factor_roles)
    )


def accept_code(user: User, secret: str, code: str, now: datetime | None = None) -> bool:
    """Accept a TOTP code once: from the current 30-second step or one either side (clock
    drift), and only from a step later than the last code this account used, so an overheard
    or reused code cannot sign in a second time. Remembers the step (the caller commits)."""
    totp = pyotp.TOTP(secret)
    typed = code.replace(" ", "").strip()
    now_step = totp.timecode(now or datetime.now(UTC))
    for step in (now_step - 1, now_step, now_step + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), typed):
            user.totp_last_step = step
            return True
    return False


def check_code(user: User, code: str, now: datetime | None = None) -> bool:
    """The second step: a code from the account's authenticator. A wrong one counts as a
    failed sign-in, on the same counter as wrong passwords (flushed; the caller commits it)."""
    if user.totp_secret and accept_code(user, user.totp_secret, code, now):
        return True
    record_failure(user, "wrong_code")
    return False


def enrolment_secret(user: User) -> str:
    """The authenticator secret ``user`` is setting up: kept on the account (never in the
    session cookie, which is signed but readable), made the first time (flushed; the caller
    commits), the same on every visit until a code confirms it."""
    if user.totp_pending_secret is None:
        user.totp_pending_secret = pyotp.random_base32()
        db.session.flush()
    return user.totp_pending_secret


def enrol_totp(user: User, code: str, now: datetime | None = None) -> bool:
    """Turn two-factor sign-in on with the secret being set up (``enrolment_secret``) once a
    code from it proves the app has it (the caller commits). A wrong code here is not a
    sign-in failure: the password step, or the signed-in session, already proved who this is."""
    secret = user.totp_pending_secret
    if not secret:
        return False
    user.totp_last_step = None  # a new secret starts a new sequence of steps
    if not accept_code(user, secret, code, now):
        return False
    user.totp_secret = secret
    user.totp_pending_secret = None
    audit.record("totp_enabled", actor=user)
    return True


def change_own_password(user: User, new_password: str, *, at_sign_in: bool = False) -> list[str]:
    """Someone sets their own new password: the policy's problems (nothing changed), or none
    once it is changed (flushed and audited; the caller commits). It must differ from the
    current one, ends every other session of the account (the generation goes up) and
    clears ``must_change_password``."""
    problems = policy_problems(new_password, user.email)
    if not problems and verify_password(user.password_hash, new_password):
        problems = [SAME_AS_CURRENT]
    if problems:
        return problems
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    user.session_generation += 1
    db.session.flush()
    audit.record("password_changed", actor=user, detail={"at_sign_in": at_sign_in})
    return []


def signed_in(user: User, *, two_factor: bool) -> None:
    """Sign-in completed: the failure counter starts again and it is logged (the caller
    commits, with the session record it opens)."""
    user.failed_logins = 0
    user.last_login_at = utcnow()
    audit.record("login", actor=user, detail={"two_factor": two_factor})
