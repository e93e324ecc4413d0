"""Signing in and out, lockout, rate limit, session limits, password change, two-factor."""

from __future__ import annotations

import time

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from intake.auth.sessions import LOGIN_AT, SEEN_AT
from intake.auth.views import GENERIC_FAILURE
from intake.extensions import db
from intake.models import AuditEvent, User
from tests.committed import committed, committed_count
from tests.factories import DEFAULT_PASSWORD, make_user, post

GENERIC_HTML = GENERIC_FAILURE.replace("'", "&#39;")


def _login(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD):  # type: ignore[no-untyped-def]
    return post(client, "/staff/login", {"email": email, "password": password})


def _actions() -> list[str]:
    return [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]


def test_login_page_has_named_fields(client: FlaskClient) -> None:
    html = client.get("/staff/login").get_data(as_text=True)
    assert 'name="email"' in html
    assert 'name="password"' in html


def test_login_success_and_logout(client: FlaskClient) -> None:
    user = make_user("front_desk", email="desk@example.org")
    response = _login(client, "  DESK@example.org ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/")
    assert client.get("/staff/").status_code == 200
    assert post(client, "/staff/logout").status_code == 302
    assert client.get("/staff/").status_code == 302
    assert _actions() == ["login", "queue_viewed", "logout"]
    assert db.session.get(User, user.id).last_login_at is not None


def test_login_follows_only_local_next(client: FlaskClient) -> None:
    make_user("front_desk", email="desk@example.org")
    client.get("/staff/login?next=/staff/account")
    assert _login(client, "desk@example.org").headers["Location"].endswith("/staff/account")
    post(client, "/staff/logout")
    client.get("/staff/login?next=https://evil.example/")
    assert _login(client, "desk@example.org").headers["Location"].endswith("/staff/")


@pytest.mark.parametrize(
    "target", ["/\\evil.example/", "/\\/evil.example/", "/\t/evil.example/", "/\n/evil.example/"]
)
def test_login_refuses_next_that_browsers_read_as_another_site(
    client: FlaskClient, target: str
) -> None:
    # Browsers treat a backslash like a slash and drop tabs, so "/\\evil.example" is
    # "//evil.example": another site.
    make_user("front_desk", email="desk@example.org")
    client.get("/staff/login", query_string={"next": target})
    assert _login(client, "desk@example.org").headers["Location"].endswith("/staff/")


def test_wrong_password_and_unknown_account_get_the_same_message(client: FlaskClient) -> None:
    make_user("front_desk", email="desk@example.org")
    wrong = _login(client, "desk@example.org", "not-the-password-at-all")
    unknown = _login(client, "nobody@example.org", "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC_HTML in wrong.get_data(as_text=True)
    assert GENERIC_HTML in unknown.get_data(as_text=True)
    assert client.get("/staff/").status_code == 302


def test_lockout_after_ten_failures(client: FlaskClient) -> None:
    user = make_user("front_desk", email="desk@example.org")
    for _ in range(10):
        assert _login(client, "desk@example.org", "wrong-password-xyz").status_code == 401
    assert db.session.get(User, user.id).locked_until is not None
    response = _login(client, "desk@example.org")  # right password, but locked
    assert response.status_code == 401
    assert GENERIC_HTML in response.get_data(as_text=True)
    assert "account_locked" in _actions()


def test_lock_expires_after_fifteen_minutes(client: FlaskClient) -> None:
    from datetime import timedelta

    from intake.models.types import utcnow

    user = make_user("front_desk", email="desk@example.org")
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _login(client, "desk@example.org").status_code == 302


def test_login_is_rate_limited(app: Flask, client: FlaskClient) -> None:
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert _login(client, "x@example.org", "wrong-password-xyz").status_code == 401
    assert _login(client, "x@example.org", "wrong-password-xyz").status_code == 429


def test_disabled_account_cannot_sign_in(client: FlaskClient) -> None:
    make_user("front_desk", email="desk@example.org", disabled=True)
    response = _login(client, "desk@example.org")
    assert response.status_code == 401
    assert GENERIC_HTML in response.get_data(as_text=True)


def test_disabling_ends_a_running_session(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    from intake.services.accounts import set_disabled

    user = login_as("front_desk")
    assert client.get("/staff/").status_code == 200
    set_disabled(user, True)
    db.session.commit()  # the service leaves the commit to its caller
    assert client.get("/staff/").status_code == 302


def _age_session(client: FlaskClient, *, idle: int = 0, total: int = 0) -> None:
    with client.session_transaction() as sess:
        sess[SEEN_AT] = int(time.time()) - idle
        sess[LOGIN_AT] = int(time.time()) - total


def test_idle_timeout(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    _age_session(client, idle=14 * 60, total=14 * 60)
    assert client.get("/staff/").status_code == 200
    _age_session(client, idle=16 * 60, total=16 * 60)
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]
    assert "session_expired" in _actions()


def test_absolute_timeout(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    _age_session(client, idle=60, total=12 * 3600 + 60)
    assert client.get("/staff/").status_code == 302


def test_password_change_ends_other_sessions(app: Flask, client: FlaskClient) -> None:
    make_user("front_desk", email="desk@example.org")
    other = app.test_client()
    assert _login(client, "desk@example.org").status_code == 302
    assert _login(other, "desk@example.org").status_code == 302
    new = "a-much-better-passphrase-77"
    response = post(
        client,
        "/staff/account/password",
        {"current_password": DEFAULT_PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert other.get("/staff/").status_code == 302
    post(client, "/staff/logout")
    assert _login(client, "desk@example.org", new).status_code == 302
    assert "password_changed" in _actions()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw", "at least 12"),
        ("password1234", "too common"),
        ("qwertyuiop12", "too common"),
    ],
)
def test_password_policy(client: FlaskClient, login_as, password: str, message: str) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    response = post(
        client,
        "/staff/account/password",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password": password,
            "confirm_password": password,
        },
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_totp_enrolment_and_login(client: FlaskClient) -> None:
    user = make_user("clinician", email="doc@example.org")
    assert _login(client, "doc@example.org").status_code == 302
    page = client.get("/staff/account/two-factor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html
    secret = db.session.get(User, user.id).totp_pending_secret  # kept on the server
    assert secret and secret in html
    assert post(client, "/staff/account/two-factor", {"code": "000000"}).status_code == 400
    code = pyotp.TOTP(secret).now()
    assert post(client, "/staff/account/two-factor", {"code": code}).status_code == 302
    assert db.session.get(User, user.id).totp_secret == secret
    post(client, "/staff/logout")

    response = _login(client, "doc@example.org")
    assert response.headers["Location"].endswith("/staff/login/verify")
    assert client.get("/staff/").status_code == 302  # not signed in yet
    assert post(client, "/staff/login/verify", {"code": "123456"}).status_code == 401
    # The code used to enrol was spent; the next 30-second code (clock drift allowed) works.
    spent = code
    assert post(client, "/staff/login/verify", {"code": spent}).status_code == 401
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    response = post(client, "/staff/login/verify", {"code": next_code})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_a_totp_code_signs_in_only_once(client: FlaskClient) -> None:
    secret = pyotp.random_base32()
    make_user("clinician", email="doc@example.org", totp_secret=secret)
    code = pyotp.TOTP(secret).now()
    assert _login(client, "doc@example.org").headers["Location"].endswith("/login/verify")
    assert post(client, "/staff/login/verify", {"code": code}).status_code == 302
    post(client, "/staff/logout")
    other = client.application.test_client()
    assert _login(other, "doc@example.org").headers["Location"].endswith("/login/verify")
    assert post(other, "/staff/login/verify", {"code": code}).status_code == 401


def test_admin_must_enrol_when_required(app: Flask, client: FlaskClient) -> None:
    app.config["REQUIRE_2FA_ADMIN"] = True
    user = make_user("admin", email="boss@example.org")
    response = _login(client, "boss@example.org")
    assert response.headers["Location"].endswith("/staff/login/setup-2fa")
    assert client.get("/admin/").status_code == 302
    assert client.get("/staff/login/setup-2fa").status_code == 200
    secret = db.session.get(User, user.id).totp_pending_secret
    response = post(client, "/staff/login/setup-2fa", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_admin_without_requirement_signs_in_directly(client: FlaskClient) -> None:
    make_user("admin", email="boss@example.org")
    assert _login(client, "boss@example.org").headers["Location"].endswith("/admin/")


def test_wrong_totp_codes_lock_even_when_the_password_is_entered_again(
    client: FlaskClient,
) -> None:
    # Someone who knows the password must not reset the failure counter by entering it again
    # between batches of guessed codes: the counter resets only on a completed sign-in.
    secret = pyotp.random_base32()
    user = make_user("clinician", email="doc@example.org", totp_secret=secret)
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    for _ in range(2):
        assert _login(client, "doc@example.org").headers["Location"].endswith("/login/verify")
        for _ in range(5):
            assert post(client, "/staff/login/verify", {"code": wrong}).status_code == 401
    assert db.session.get(User, user.id).locked_until is not None
    assert "account_locked" in _actions()
    assert _login(client, "doc@example.org").status_code == 401


def test_current_password_guesses_on_password_change_are_rate_limited(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    # A hijacked session must not be able to guess the current password without limit and
    # then take the account over with a new one.
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    login_as("front_desk")
    new = "a-much-better-passphrase-77"
    guess = {"current_password": "not-the-password-1", "new_password": new, "confirm_password": new}
    for _ in range(3):
        assert post(client, "/staff/account/password", guess).status_code == 200
    assert post(client, "/staff/account/password", guess).status_code == 429


def test_signing_out_ends_every_copy_of_the_session_cookie(client: FlaskClient) -> None:
    make_user("front_desk", email="desk@example.org")
    assert _login(client, "desk@example.org").status_code == 302
    assert client.get("/staff/").status_code == 200
    copied = client.get_cookie("session").value
    thief = client.application.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/staff/").status_code == 200  # a copy works while the session is open
    post(client, "/staff/logout")
    assert thief.get("/staff/").status_code == 302  # and stops when its owner signs out


# The page commits a refused sign-in before it shows the error, so the failure counts ----------


def test_a_refused_sign_in_is_committed_so_it_counts(client: FlaskClient) -> None:
    user = make_user("front_desk", email="desk@example.org")
    assert _login(client, "desk@example.org", "wrong-password-xyz").status_code == 401
    assert committed(db.select(User.failed_logins).where(User.id == user.id)) == 1
    assert committed_count(AuditEvent, AuditEvent.action == "login_failed") == 1
    assert _login(client, "nobody@example.org").status_code == 401  # logged, not counted
    assert committed_count(AuditEvent, AuditEvent.action == "login_failed") == 2


def test_the_lock_is_committed_with_the_tenth_failure(client: FlaskClient) -> None:
    user = make_user("front_desk", email="desk@example.org")
    for _ in range(10):
        assert _login(client, "desk@example.org", "wrong-password-xyz").status_code == 401
    assert committed(db.select(User.locked_until).where(User.id == user.id)) is not None
    assert committed_count(AuditEvent, AuditEvent.action == "account_locked") == 1
    assert _login(client, "desk@example.org").status_code == 401  # locked: logged too
    assert committed_count(AuditEvent, AuditEvent.action == "login_failed") == 11


def test_a_wrong_code_is_committed_so_it_counts(client: FlaskClient) -> None:
    secret = pyotp.random_base32()
    user = make_user("clinician", email="doc@example.org", totp_secret=secret)
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    assert _login(client, "doc@example.org").headers["Location"].endswith("/login/verify")
    assert post(client, "/staff/login/verify", {"code": wrong}).status_code == 401
    assert committed(db.select(User.failed_logins).where(User.id == user.id)) == 1
    assert committed_count(AuditEvent, AuditEvent.action == "login_failed") == 1


def test_a_rehashed_password_is_kept_while_the_code_step_runs(client: FlaskClient) -> None:
    from argon2 import PasswordHasher

    from intake.passwords import needs_rehash, verify_password

    secret = pyotp.random_base32()
    user = make_user("clinician", email="doc@example.org", totp_secret=secret)
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(DEFAULT_PASSWORD)
    user.password_hash = weak
    db.session.commit()
    assert _login(client, "doc@example.org").headers["Location"].endswith("/login/verify")
    stored = committed(db.select(User.password_hash).where(User.id == user.id))
    assert stored != weak
    assert verify_password(stored, DEFAULT_PASSWORD) and not needs_rehash(stored)
