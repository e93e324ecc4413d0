"""Signing staff in: the password step, the authenticator-code step and the lockout they share.

These are security rules, so they live here once, whichever page asks: both steps feed one
failure counter, ten failures in a row lock the account for 15 minutes, the counter is reset
only by a completed sign-in (so someone who knows the password cannot reset it between batches
of guessed codes), and an authenticator code is accepted once. The views only turn the outcomes
into pages, redirects and session cookies.

Like every service this flushes and audits but never commits. The sign-in page commits a failed
attempt (its count, a lock, its audit events) before it shows the error, because the failure
must count although the sign-in is refused; a completed sign-in is committed with the session
it starts.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import pyotp

from intake.extensions import db
from intake.models import User
from intake.models.types import utcnow
from intake.passwords import burn_time, hash_password, needs_rehash, verify_password
from intake.services import audit

MAX_FAILED_LOGINS = 10
LOCK_DURATION = timedelta(minutes=15)
#: Failures that count towards the lockout. An unknown account, a locked or a disabled one is
#: only logged: counting those would let anyone keep a colleague's account locked.
COUNTED_FAILURES = frozenset({"wrong_password", "wrong_code"})

SecondStep = Literal["verify", "enrol"]


@dataclass(frozen=True)
class PasswordCheck:
    """What the password step decided.

    ``user`` is None when sign-in failed, for whatever reason (the page shows one message for
    all of them). ``second_step`` is ``"verify"`` when a code from the authenticator app comes
    next, ``"enrol"`` when the account must set one up first, None when sign-in can complete.
    """

    user: User | None
    second_step: SecondStep | None = None


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


def check_password(email: str, password: str, *, require_admin_totp: bool = False) -> PasswordCheck:
    """The first step: is this the account's password, and may the account sign in now?

    An unknown or locked account takes as long to answer as a wrong password, so timing does
    not tell which it was. The failure counter is *not* reset by a right password. A failure,
    or a rehashed password, is flushed; the caller commits it whatever the outcome.
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
        db.session.flush()
    step: SecondStep | None = None
    if user.totp_secret:
        step = "verify"
    elif require_admin_totp and user.has_role("admin"):
        step = "enrol"
    return PasswordCheck(user, step)


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


def enrol_totp(user: User, secret: str, code: str, now: datetime | None = None) -> bool:
    """Turn two-factor sign-in on with ``secret`` once a code from it proves the app has it
    (the caller commits). A wrong code here is not a sign-in failure: the password step, or
    the signed-in session, already proved who this is."""
    user.totp_last_step = None  # a new secret starts a new sequence of steps
    if not accept_code(user, secret, code, now):
        return False
    user.totp_secret = secret
    audit.record("totp_enabled", actor=user)
    return True


def signed_in(user: User, *, two_factor: bool) -> None:
    """Sign-in completed: the failure counter starts again and it is logged (the caller
    commits, with the session record it opens)."""
    user.failed_logins = 0
    user.last_login_at = utcnow()
    audit.record("login", actor=user, detail={"two_factor": two_factor})
