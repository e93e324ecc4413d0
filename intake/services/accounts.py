"""Staff accounts: create, change roles, disable, enable and reset (shared by the CLI and the
admin pages).

Each function changes the account, flushes and audits it; the admin page or the ``user``
command commits, once, so the change and its audit event are stored together.

Separation of duties (docs/staff.md): no account holds ``admin`` together with a role that sees
patient data (``intake.roles.PATIENT_DATA_ROLES``), whoever asks, and nobody changes their own
roles. A password chosen by someone else (an admin's, ``user create``'s) must be changed by its
owner at the next sign-in (``must_change_password``).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from intake import billing
from intake.extensions import db
from intake.models.submission import Submission
from intake.models.types import utcnow
from intake.models.user import ROLES, User
from intake.passwords import hash_password, policy_problems
from intake.roles import mixes_admin_and_patient_data
from intake.services import audit

#: Why an account cannot hold admin and a patient-data role (shown on the page and the CLI).
MIXED_DUTIES = (
    "An admin account cannot also be front desk or clinician: admins manage accounts, and "
    "whoever grants access to patient data must not hold it. Give that work a separate account."
)
OWN_ROLES = "You cannot change your own roles: ask another admin."


class AccountError(ValueError):
    """A staff account could not be created or changed; the message says why."""


class WeakPassword(AccountError):
    """The password breaks the policy; ``problems`` are the sentences for its field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems))


def find_account(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == User.normalise_email(email)))


def _checked_roles(roles: Iterable[str]) -> set[str]:
    roles = set(roles)
    if not roles:
        raise AccountError("Give the account at least one role.")
    unknown = roles - set(ROLES)
    if unknown:
        raise AccountError(f"Unknown role: {', '.join(sorted(unknown))}.")
    if mixes_admin_and_patient_data(roles):
        raise AccountError(MIXED_DUTIES)
    return roles


def create_account(
    email: str,
    password: str,
    roles: Iterable[str],
    *,
    check_policy: bool = True,
    must_change_password: bool = True,
) -> User:
    """Create a staff account and audit it (the caller commits), or raise :class:`AccountError`.

    The password was chosen by whoever creates the account, so by default its owner must
    change it at the first sign-in (``must_change_password=False``: demo accounts only).
    """
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(f"That is not a valid email address: {exc}") from exc
    roles = _checked_roles(roles)
    if find_account(email) is not None:
        raise AccountError("An account with that email already exists.")
    if check_policy:
        problems = policy_problems(password, email)
        if problems:
            raise WeakPassword(problems)
    user = User(
        email=email,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
    )
    user.roles = roles
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", detail={"user_id": user.id, "roles": sorted(roles)})
    return user


def set_roles(user: User, roles: Iterable[str], *, by: User | None) -> User:
    """Give ``user`` exactly ``roles`` (the caller commits), or raise :class:`AccountError`.

    Refused: changing one's own roles (``by`` is the admin asking; None at the command line),
    and admin together with a patient-data role. Audited with the roles before and after.
    """
    if by is not None and by.id == user.id:
        raise AccountError(OWN_ROLES)
    new = _checked_roles(roles)
    old = set(user.roles)
    if new == old:
        return user
    user.roles = new
    db.session.flush()
    audit.record(
        "roles_changed",
        detail={"user_id": user.id, "from": sorted(old), "to": sorted(new)},
    )
    return user


FULL_NAME_MAX = 200


def set_clinician_profile(user: User, *, full_name: str, npi: str) -> bool:
    """Set the name payers know a clinician by and their NPI ("" clears it), checked with the
    NPI check digit (``billing.npi_problem``); the caller commits. Audited with which values
    changed (the NPI itself is no patient data: it is public, in the NPPES registry). Returns
    whether anything changed; raises :class:`AccountError` for a value it cannot take."""
    full_name = full_name.strip()
    npi = npi.strip()
    if len(full_name) > FULL_NAME_MAX:
        raise AccountError(f"The name is limited to {FULL_NAME_MAX} characters.")
    if npi and (problem := billing.npi_problem(npi)):
        raise AccountError(problem)
    changed = [
        name
        for name, value in (("full_name", full_name), ("npi", npi or None))
        if getattr(user, name) != value
    ]
    if not changed:
        return False
    user.full_name = full_name
    user.npi = npi or None
    db.session.flush()
    audit.record(
        "clinician_profile_changed", detail={"user_id": user.id, "changed": changed, "npi": npi}
    )
    return True


def set_disabled(email_or_user: str | User, disabled: bool) -> User:
    """Disable (ending every session) or enable an account (the caller commits)."""
    user = email_or_user if isinstance(email_or_user, User) else find_account(email_or_user)
    if user is None:
        raise AccountError("No account with that email.")
    user.disabled = disabled
    if disabled:
        user.session_generation += 1
        release_assignments(user)
    else:
        user.failed_logins = 0
        user.locked_until = None
    db.session.flush()
    audit.record("user_disabled" if disabled else "user_enabled", detail={"user_id": user.id})
    return user


def release_assignments(user: User) -> int:
    """Unassign every submission assigned to ``user`` (their account is being disabled).

    A disabled colleague cannot be chosen or work the queue, so their submissions go back to
    "assigned to nobody", where the worklist's filter finds them; each is audited as an
    assignment made by the admin, saying why. Returns how many.
    """
    held = db.session.scalars(
        sa.select(Submission).where(Submission.assigned_to_id == user.id).order_by(Submission.id)
    ).all()
    for submission in held:
        submission.assigned_to_id = None
        audit.record(
            "assigned",
            submission=submission,
            detail={"from": user.id, "to": None, "because": "account_disabled"},
        )
    db.session.flush()
    return len(held)


def reset_two_factor(user: User) -> User:
    """Turn two-factor sign-in off for someone who lost their authenticator (the caller commits).

    Their sessions end; on the next sign-in they set it up again (they must, when one of their
    roles requires it).
    """
    user.totp_secret = None
    user.totp_last_step = None
    user.totp_pending_secret = None
    user.session_generation += 1
    db.session.flush()
    audit.record("two_factor_reset", detail={"user_id": user.id})
    return user


def set_password(user: User, password: str) -> User:
    """An admin sets a new password for someone who lost theirs (the caller commits).

    The password policy applies; every session of the account ends and a lock from failed
    sign-ins is lifted, because the person now has a fresh way in. The admin knows this
    password, so its owner must change it at the next sign-in before anything else.
    """
    problems = policy_problems(password, user.email)
    if problems:
        raise WeakPassword(problems)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = True
    user.session_generation += 1
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()
    audit.record("password_reset", detail={"user_id": user.id})
    return user
