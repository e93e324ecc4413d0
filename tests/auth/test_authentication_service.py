"""The sign-in rules in ``intake.services.authentication``, without the pages around them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask import Flask

from intake.extensions import db
from intake.models import AuditEvent, User
from intake.models.types import utcnow
from intake.services import authentication
from tests.factories import DEFAULT_PASSWORD, make_user

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _app_context(app: Flask) -> None:
    """Every test here needs the database (the ``app`` fixture holds its context open)."""


def _failures() -> list[tuple[str | None, str]]:
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "login_failed").order_by(AuditEvent.id)
    )
    return [(e.actor_email, e.detail["reason"]) for e in events]


def _actions() -> list[str]:
    return [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]


def _fresh(user: User) -> User:
    db.session.expire_all()
    found = db.session.get(User, user.id)
    assert found is not None
    return found


def _wrong_code() -> str:
    return f"{(int(pyotp.TOTP(SECRET).at(NOW)) + 1) % 1_000_000:06d}"


def test_the_right_password_signs_in_without_a_second_step() -> None:
    user = make_user("front_desk", email="desk@example.org")
    check = authentication.check_password(" Desk@Example.org ", DEFAULT_PASSWORD)
    assert check.user is not None and check.user.id == user.id
    assert check.step is None
    assert _failures() == []


def test_ten_wrong_passwords_lock_the_account_for_fifteen_minutes() -> None:
    user = make_user("front_desk", email="desk@example.org")
    for attempt in range(1, 10):
        assert authentication.check_password("desk@example.org", "wrong").user is None
        assert _fresh(user).failed_logins == attempt
    assert _fresh(user).locked_until is None
    before = utcnow()
    assert authentication.check_password("desk@example.org", "wrong").user is None
    locked = _fresh(user)
    assert locked.failed_logins == 0  # starts again once the lock has passed
    assert locked.locked_until is not None
    assert before + timedelta(minutes=15) <= locked.locked_until <= utcnow() + timedelta(minutes=15)
    assert _actions().count("account_locked") == 1
    # While locked even the right password fails, is logged as "locked" and is not counted.
    assert authentication.check_password("desk@example.org", DEFAULT_PASSWORD).user is None
    assert _fresh(user).failed_logins == 0
    assert _failures()[-1] == ("desk@example.org", "locked")
    assert len(_failures()) == 11


def test_unknown_and_disabled_accounts_are_logged_but_not_counted() -> None:
    user = make_user("front_desk", email="desk@example.org", disabled=True)
    assert authentication.check_password("nobody@example.org", DEFAULT_PASSWORD).user is None
    assert authentication.check_password("desk@example.org", DEFAULT_PASSWORD).user is None
    assert _failures() == [(None, "unknown_account"), ("desk@example.org", "disabled")]
    assert _fresh(user).failed_logins == 0


def test_the_right_password_does_not_reset_the_counter_before_the_code_step() -> None:
    user = make_user("clinician", email="doc@example.org", totp_secret=SECRET)
    for _ in range(4):
        authentication.check_password("doc@example.org", "wrong")
    check = authentication.check_password("doc@example.org", DEFAULT_PASSWORD)
    assert check.user is not None and check.step == "verify"
    assert _fresh(user).failed_logins == 4
    # Wrong codes add to the same counter: 4 + 5 = 9, the sixth code locks.
    for _ in range(5):
        assert authentication.check_code(_fresh(user), _wrong_code(), NOW) is False
    assert _fresh(user).failed_logins == 9
    assert _fresh(user).locked_until is None
    assert authentication.check_code(_fresh(user), _wrong_code(), NOW) is False
    assert _fresh(user).locked_until is not None
    assert _failures()[-6:] == [("doc@example.org", "wrong_code")] * 6
    assert authentication.check_password("doc@example.org", DEFAULT_PASSWORD).user is None


def test_a_wrong_code_counts_as_one_failed_sign_in() -> None:
    user = make_user("clinician", email="doc@example.org", totp_secret=SECRET)
    assert authentication.check_code(user, _wrong_code(), NOW) is False
    assert _fresh(user).failed_logins == 1
    assert _failures() == [("doc@example.org", "wrong_code")]


def test_a_code_is_accepted_once_and_completing_sign_in_resets_the_counter() -> None:
    user = make_user("clinician", email="doc@example.org", totp_secret=SECRET)
    user.failed_logins = 7
    code = pyotp.TOTP(SECRET).at(NOW)
    assert authentication.check_code(user, code[:3] + " " + code[3:], NOW) is True
    authentication.signed_in(user, two_factor=True)
    db.session.commit()
    signed_in = _fresh(user)
    assert signed_in.failed_logins == 0
    assert signed_in.last_login_at is not None
    assert signed_in.totp_last_step == pyotp.TOTP(SECRET).timecode(NOW)
    assert _actions() == ["login"]
    # The same code again, or the one before it, is refused (and counted).
    assert authentication.check_code(signed_in, code, NOW) is False
    earlier = pyotp.TOTP(SECRET).at(NOW - timedelta(seconds=30))
    assert authentication.check_code(_fresh(user), earlier, NOW) is False
    assert _fresh(user).failed_logins == 2


def test_a_role_that_requires_two_factor_sets_up_a_code_first() -> None:
    make_user("admin", email="boss@example.org")
    required = authentication.check_password(
        "boss@example.org", DEFAULT_PASSWORD, two_factor_roles={"admin"}
    )
    assert required.step == "enrol"
    other_role = authentication.check_password(
        "boss@example.org", DEFAULT_PASSWORD, two_factor_roles={"clinician"}
    )
    assert other_role.step is None
    optional = authentication.check_password("boss@example.org", DEFAULT_PASSWORD)
    assert optional.step is None


def test_enrolment_needs_a_code_from_the_new_secret_and_a_wrong_one_is_not_counted() -> None:
    user = make_user("clinician", email="doc@example.org")
    assert authentication.enrol_totp(user, pyotp.TOTP(SECRET).at(NOW), NOW) is False  # none yet
    user.totp_pending_secret = SECRET
    assert authentication.enrolment_secret(user) == SECRET  # the same until confirmed
    assert authentication.enrol_totp(user, _wrong_code(), NOW) is False
    assert user.totp_secret is None
    assert user.failed_logins == 0
    assert authentication.enrol_totp(user, pyotp.TOTP(SECRET).at(NOW), NOW) is True
    db.session.commit()
    assert _fresh(user).totp_secret == SECRET
    assert _fresh(user).totp_pending_secret is None
    assert _actions() == ["totp_enabled"]
