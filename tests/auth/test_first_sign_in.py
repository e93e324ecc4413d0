"""What sign-in asks before a session starts: a new password when someone else chose the
current one, and an authenticator when one of the account's roles requires two-factor; until
then no staff, clinician or admin page opens. The secret being set up never goes into the
session cookie.

Expectations are written here: which roles production requires two-factor for, which pages
exist (the role matrix's own table), not read from the code's settings.
"""

from __future__ import annotations

import json
import time

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from config import ConfigError, DevelopmentConfig, ProductionConfig, TestingConfig, config_from_env
from intake.extensions import db
from intake.models import AuditEvent, User
from tests.committed import committed, committed_count
from tests.factories import DEFAULT_PASSWORD, csrf_token, make_user, post
from tests.test_role_matrix import EXPECTED, PUBLIC, SCRIPT_URLS, _routes, _url_values

FRONT_DESK, CLINICIAN, ADMIN = "front_desk", "clinician", "admin"
#: Production's default: every role that sees patient data (docs/staff.md).
PRODUCTION_TWO_FACTOR = frozenset({FRONT_DESK, CLINICIAN})
GIVEN = "given by the admin 42 lantern"
OWN = "my own cobalt trombone 17"


def _login(client: FlaskClient, email: str, password: str):  # type: ignore[no-untyped-def]
    return post(client, "/staff/login", {"email": email, "password": password})


def _nothing_else_opens(app: Flask, client: FlaskClient) -> None:
    """Every staff, clinician and admin URL sends this browser to the sign-in page (a URL a
    page's script asks answers 401, so the script stops)."""
    for where, rule in sorted(_routes(app).items()):
        if EXPECTED[where] == PUBLIC:
            continue
        method = where.split(" ", 1)[0]
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **_url_values(rule))
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={"csrf_token": csrf_token(client)})
        if where in SCRIPT_URLS:
            assert response.status_code == 401, where
            continue
        assert response.status_code == 302, where
        assert "/staff/login" in response.headers["Location"], where


def _session_of(app: Flask, client: FlaskClient) -> tuple[str, str]:
    """The raw session cookie, and what it holds (decoded with the app's own serializer)."""
    raw = client.get_cookie("session").value
    data = app.session_interface.get_signing_serializer(app).loads(raw)  # type: ignore[attr-defined]
    return raw, json.dumps(data)


def _fresh(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


# --- a password someone else chose --------------------------------------------------------------


def test_a_password_set_by_an_admin_must_be_changed_at_the_next_sign_in(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    target = make_user(CLINICIAN, email="doc@example.org")
    admin = app.test_client()
    login_as(ADMIN, on=admin)
    assert post(admin, f"/admin/users/{target.id}/password", {"password": GIVEN}).status_code == 302
    assert committed(db.select(User.must_change_password).where(User.id == target.id)) is True

    response = _login(client, "doc@example.org", GIVEN)
    assert response.headers["Location"].endswith("/staff/login/new-password")
    _nothing_else_opens(app, client)
    assert client.get("/staff/login/new-password").status_code == 200
    # The other steps' pages do not open from here either.
    assert client.get("/staff/login/setup-2fa").headers["Location"].endswith("/staff/login")

    response = _login(client, "doc@example.org", GIVEN)
    same = post(
        client, "/staff/login/new-password", {"new_password": GIVEN, "confirm_password": GIVEN}
    )
    assert same.status_code == 400
    assert "different from your current one" in same.get_data(as_text=True)
    keyboard = "qwertyuiopasdf"
    weak = post(
        client,
        "/staff/login/new-password",
        {"new_password": keyboard, "confirm_password": keyboard},
    )
    assert weak.status_code == 400
    assert "rows of neighbouring keys" in weak.get_data(as_text=True)
    done = post(client, "/staff/login/new-password", {"new_password": OWN, "confirm_password": OWN})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/clinician/")  # a clinician's landing page
    assert client.get("/clinician/").status_code == 200
    assert committed(db.select(User.must_change_password).where(User.id == target.id)) is False
    changed = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "password_changed")
    )
    assert changed.detail == {"at_sign_in": True} and changed.actor_id == target.id

    post(client, "/staff/logout")
    assert _login(client, "doc@example.org", OWN).headers["Location"].endswith("/clinician/")


def test_accounts_made_by_an_admin_or_user_create_start_with_a_password_to_change(
    client: FlaskClient, runner: FlaskCliRunner, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as(ADMIN)
    form = {"email": "page@example.org", "roles": [FRONT_DESK], "password": GIVEN}
    assert post(client, "/admin/users", form).status_code == 302
    env = {"INTAKE_USER_PASSWORD": GIVEN}
    created = runner.invoke(args=["user", "create", "cli@example.org", "--role", ADMIN], env=env)
    assert created.exit_code == 0, created.output
    assert "must choose a new password" in created.output
    for email in ("page@example.org", "cli@example.org"):
        assert committed(db.select(User.must_change_password).where(User.email == email)) is True
    fresh = client.application.test_client()
    assert _login(fresh, "cli@example.org", GIVEN).headers["Location"].endswith("/new-password")


def test_a_running_session_ends_when_a_new_password_becomes_due(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    user = login_as(FRONT_DESK)
    assert client.get("/staff/").status_code == 200
    user.must_change_password = True
    db.session.commit()
    assert client.get("/staff/").headers["Location"].startswith("/staff/login")


# --- two-factor per role ------------------------------------------------------------------------


def test_production_requires_two_factor_for_the_patient_data_roles_by_default() -> None:
    assert set(ProductionConfig.REQUIRE_2FA_ROLES) == PRODUCTION_TWO_FACTOR
    assert not TestingConfig.REQUIRE_2FA_ROLES
    assert not DevelopmentConfig.REQUIRE_2FA_ROLES
    read = config_from_env({"INTAKE_REQUIRE_2FA_ROLES": "clinician, admin"})
    assert set(read.REQUIRE_2FA_ROLES) == {CLINICIAN, ADMIN}
    empty = config_from_env({"INTAKE_REQUIRE_2FA_ROLES": ""})
    assert not empty.REQUIRE_2FA_ROLES
    bad = config_from_env({"INTAKE_REQUIRE_2FA_ROLES": "nurse"})
    with pytest.raises(ConfigError, match="INTAKE_REQUIRE_2FA_ROLES must be role codes"):
        bad.check()


def test_production_refuses_patient_data_roles_without_two_factor_unless_allowed() -> None:
    base = {
        "INTAKE_ENV": "production",
        "INTAKE_SECRET_KEY": "k" * 40,
        "INTAKE_DATABASE_URL": "postgresql+psycopg://intake@db.invalid/intake",
        "INTAKE_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/15",
    }
    assert config_from_env(base).problems() == []
    problems = config_from_env({**base, "INTAKE_REQUIRE_2FA_ROLES": "admin"}).problems()
    assert len(problems) == 1
    assert problems[0].startswith("INTAKE_REQUIRE_2FA_ROLES leaves out clinician, front_desk")
    allowed = {**base, "INTAKE_REQUIRE_2FA_ROLES": "admin", "INTAKE_ALLOW_NO_2FA": "1"}
    assert config_from_env(allowed).problems() == []


@pytest.mark.parametrize("role", sorted(PRODUCTION_TWO_FACTOR))
def test_a_role_that_requires_two_factor_sets_it_up_at_first_sign_in(
    app: Flask, client: FlaskClient, role: str
) -> None:
    app.config["REQUIRE_2FA_ROLES"] = PRODUCTION_TWO_FACTOR
    user = make_user(role, email="new@example.org")
    response = _login(client, "new@example.org", DEFAULT_PASSWORD)
    assert response.headers["Location"].endswith("/staff/login/setup-2fa")
    _nothing_else_opens(app, client)

    response = _login(client, "new@example.org", DEFAULT_PASSWORD)
    page = client.get("/staff/login/setup-2fa")
    assert page.status_code == 200
    secret = committed(db.select(User.totp_pending_secret).where(User.id == user.id))
    assert secret and secret in page.get_data(as_text=True)
    assert client.get("/staff/login/setup-2fa").get_data(as_text=True).count(secret) == 1  # same
    done = post(client, "/staff/login/setup-2fa", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert committed(db.select(User.totp_secret).where(User.id == user.id)) == secret
    assert committed(db.select(User.totp_pending_secret).where(User.id == user.id)) is None
    login = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "login"))
    assert login.detail == {"two_factor": True}


def test_a_role_that_does_not_require_it_signs_in_with_the_password(
    app: Flask, client: FlaskClient
) -> None:
    app.config["REQUIRE_2FA_ROLES"] = PRODUCTION_TWO_FACTOR
    make_user(ADMIN, email="boss@example.org")
    assert (
        _login(client, "boss@example.org", DEFAULT_PASSWORD).headers["Location"].endswith("/admin/")
    )


def test_a_new_password_comes_before_setting_up_two_factor(app: Flask, client: FlaskClient) -> None:
    app.config["REQUIRE_2FA_ROLES"] = PRODUCTION_TWO_FACTOR
    user = make_user(CLINICIAN, email="doc@example.org", password=GIVEN)
    user.must_change_password = True
    db.session.commit()
    assert _login(client, "doc@example.org", GIVEN).headers["Location"].endswith("/new-password")
    form = {"new_password": OWN, "confirm_password": OWN}
    response = post(client, "/staff/login/new-password", form)
    assert response.headers["Location"].endswith("/staff/login/setup-2fa")
    assert client.get("/staff/").headers["Location"].startswith("/staff/login")  # not yet
    client.get("/staff/login/setup-2fa")
    secret = _fresh(user.id).totp_pending_secret
    assert (
        post(client, "/staff/login/setup-2fa", {"code": pyotp.TOTP(secret).now()}).status_code
        == 302
    )
    assert client.get("/staff/").status_code == 200


def test_with_an_authenticator_the_code_comes_before_the_new_password(
    app: Flask, client: FlaskClient
) -> None:
    secret = pyotp.random_base32()
    user = make_user(CLINICIAN, email="doc@example.org", password=GIVEN, totp_secret=secret)
    user.must_change_password = True
    db.session.commit()
    assert _login(client, "doc@example.org", GIVEN).headers["Location"].endswith("/login/verify")
    # The new-password page is not open to someone who has only the password.
    assert client.get("/staff/login/new-password").headers["Location"].endswith("/staff/login")
    assert _login(client, "doc@example.org", GIVEN).headers["Location"].endswith("/login/verify")
    verified = post(client, "/staff/login/verify", {"code": pyotp.TOTP(secret).now()})
    assert verified.headers["Location"].endswith("/staff/login/new-password")
    done = post(client, "/staff/login/new-password", {"new_password": OWN, "confirm_password": OWN})
    assert done.headers["Location"].endswith("/clinician/")
    assert client.get("/clinician/").status_code == 200


def test_a_running_session_ends_when_its_role_starts_requiring_two_factor(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as(CLINICIAN)
    assert client.get("/staff/").status_code == 200
    app.config["REQUIRE_2FA_ROLES"] = frozenset({CLINICIAN})
    assert client.get("/staff/").headers["Location"].startswith("/staff/login")
    ended = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "session_expired"))
    assert ended.detail == {"reason": "sign_in_step_due"}
    assert committed_count(AuditEvent, AuditEvent.action == "session_expired") == 1


# --- the secret being set up stays on the server -------------------------------------------------


def test_the_enrolment_secret_is_not_in_the_session_cookie_at_sign_in(
    app: Flask, client: FlaskClient
) -> None:
    app.config["REQUIRE_2FA_ROLES"] = frozenset({CLINICIAN})
    user = make_user(CLINICIAN, email="doc@example.org")
    _login(client, "doc@example.org", DEFAULT_PASSWORD)
    html = client.get("/staff/login/setup-2fa").get_data(as_text=True)
    secret = _fresh(user.id).totp_pending_secret
    assert secret and secret in html  # shown on the page, to type into the app
    post(client, "/staff/login/setup-2fa", {"code": "000000"})  # a wrong code: still pending
    raw, held = _session_of(app, client)
    assert secret not in raw
    assert secret not in held
    assert '"step": "enrol"' in held  # the cookie says where sign-in is, nothing more


def test_the_enrolment_secret_is_not_in_the_session_cookie_on_the_account_page(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    user = login_as(FRONT_DESK)
    html = client.get("/staff/account/two-factor").get_data(as_text=True)
    secret = _fresh(user.id).totp_pending_secret
    assert secret and secret in html
    raw, held = _session_of(app, client)
    assert secret not in raw and secret not in held
    code = pyotp.TOTP(secret).at(time.time())
    assert post(client, "/staff/account/two-factor", {"code": code}).status_code == 302
    assert _fresh(user.id).totp_secret == secret


def test_an_admin_reset_of_two_factor_drops_a_half_done_set_up(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as(ADMIN)
    target = make_user(CLINICIAN, totp_secret=pyotp.random_base32())
    target.totp_pending_secret = pyotp.random_base32()
    db.session.commit()
    assert post(client, f"/admin/users/{target.id}/reset-2fa").status_code == 302
    assert committed(db.select(User.totp_pending_secret).where(User.id == target.id)) is None
