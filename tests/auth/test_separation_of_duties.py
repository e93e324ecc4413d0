"""Separation of duties: no account holds admin together with a role that sees patient data,
whoever asks (the admin pages, ``flask user create``), and nobody changes their own roles.

The role sets are written here from docs/staff.md, not read from ``intake.roles``.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from intake.extensions import db
from intake.models import AuditEvent, User
from tests.committed import committed, committed_count
from tests.factories import make_user, post

FRONT_DESK, CLINICIAN, ADMIN = "front_desk", "clinician", "admin"
#: Role sets no account may hold: admin with anything that sees patient data.
REFUSED = [(ADMIN, FRONT_DESK), (ADMIN, CLINICIAN), (ADMIN, CLINICIAN, FRONT_DESK)]
#: Role sets an account may hold.
ALLOWED = [(ADMIN,), (FRONT_DESK,), (CLINICIAN,), (CLINICIAN, FRONT_DESK)]
REFUSAL_WORDS = "cannot also be front desk or clinician"
PASSWORD = "trombone lantern 17 cobalt"


def _roles_of(user_id: int) -> str:
    return str(committed(db.select(User.roles_csv).where(User.id == user_id)))


@pytest.mark.parametrize("roles", REFUSED, ids=["+".join(r) for r in REFUSED])
def test_the_admin_page_refuses_admin_with_a_patient_data_role(
    client: FlaskClient, login_as, roles: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    login_as(ADMIN)
    response = post(
        client,
        "/admin/users",
        {"email": "both@example.org", "roles": list(roles), "password": PASSWORD},
    )
    assert response.status_code == 400
    assert REFUSAL_WORDS in response.get_data(as_text=True)
    assert committed_count(User, User.email == "both@example.org") == 0
    assert committed_count(AuditEvent, AuditEvent.action == "user_created") == 0


@pytest.mark.parametrize("roles", ALLOWED, ids=["+".join(r) for r in ALLOWED])
def test_the_admin_page_creates_accounts_with_allowed_roles(
    client: FlaskClient, login_as, roles: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    login_as(ADMIN)
    response = post(
        client,
        "/admin/users",
        {"email": "new@example.org", "roles": list(roles), "password": PASSWORD},
    )
    assert response.status_code == 302
    assert committed(db.select(User.roles_csv).where(User.email == "new@example.org")) == (
        ",".join(sorted(roles))
    )


@pytest.mark.parametrize("roles", REFUSED, ids=["+".join(r) for r in REFUSED])
def test_user_create_refuses_admin_with_a_patient_data_role(
    runner: FlaskCliRunner, roles: tuple[str, ...]
) -> None:
    args = ["user", "create", "both@example.org"]
    for role in roles:
        args += ["--role", role]
    result = runner.invoke(args=args, env={"INTAKE_USER_PASSWORD": PASSWORD})
    assert result.exit_code != 0
    assert REFUSAL_WORDS in result.output
    assert committed_count(User, User.email == "both@example.org") == 0


@pytest.mark.parametrize("roles", [(ADMIN, CLINICIAN), (ADMIN, FRONT_DESK), (CLINICIAN,), (ADMIN,)])
def test_an_admin_cannot_change_their_own_roles(
    client: FlaskClient, login_as, roles: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    me = login_as(ADMIN)
    page = client.get(f"/admin/users/{me.id}/roles").get_data(as_text=True)
    assert "You cannot change your own roles" in page
    assert 'type="checkbox"' not in page
    response = post(client, f"/admin/users/{me.id}/roles", {"roles": list(roles)})
    assert response.status_code == 400
    assert "You cannot change your own roles" in response.get_data(as_text=True)
    assert _roles_of(me.id) == ADMIN
    assert committed_count(AuditEvent, AuditEvent.action == "roles_changed") == 0


@pytest.mark.parametrize("added", [FRONT_DESK, CLINICIAN])
def test_a_patient_data_role_cannot_be_added_to_an_admin_account(
    client: FlaskClient, login_as, added: str
) -> None:  # type: ignore[no-untyped-def]
    login_as(ADMIN)
    other_admin = make_user(ADMIN)
    response = post(client, f"/admin/users/{other_admin.id}/roles", {"roles": [ADMIN, added]})
    assert response.status_code == 400
    assert REFUSAL_WORDS in response.get_data(as_text=True)
    assert _roles_of(other_admin.id) == ADMIN


def test_an_admin_changes_someone_elses_roles_and_it_is_audited(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as(ADMIN)
    desk = make_user(FRONT_DESK)
    page = client.get(f"/admin/users/{desk.id}/roles").get_data(as_text=True)
    assert re.findall(r'<input checked[^>]*value="([a-z_]+)"', page) == [FRONT_DESK]
    response = post(client, f"/admin/users/{desk.id}/roles", {"roles": [FRONT_DESK, CLINICIAN]})
    assert response.status_code == 302
    assert _roles_of(desk.id) == "clinician,front_desk"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "roles_changed"))
    assert event.detail == {
        "user_id": desk.id,
        "from": [FRONT_DESK],
        "to": [CLINICIAN, FRONT_DESK],
    }
    assert committed_count(AuditEvent, AuditEvent.action == "roles_changed") == 1


def test_an_admin_cannot_set_their_own_password_on_the_admin_page(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    # The admin page's password must be changed at the next sign-in and skips the current
    # password: one's own is changed under Account instead.
    me = login_as(ADMIN)
    response = post(client, f"/admin/users/{me.id}/password", {"password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/account/password")
    assert committed(db.select(User.must_change_password).where(User.id == me.id)) is False


def test_accounts_that_break_the_rule_from_before_are_flagged(
    client: FlaskClient, runner: FlaskCliRunner, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as(ADMIN)
    legacy = make_user(ADMIN, CLINICIAN, email="legacy@example.org")  # stored before the rule
    assert "admin and patient data on one account" in client.get("/admin/users").get_data(
        as_text=True
    )
    listed = runner.invoke(args=["user", "list"]).output
    line = next(row for row in listed.splitlines() if row.startswith("legacy@example.org"))
    assert "split it" in line
    # Another admin splits it: taking a role away is allowed.
    assert (
        post(client, f"/admin/users/{legacy.id}/roles", {"roles": [CLINICIAN]}).status_code == 302
    )
    assert _roles_of(legacy.id) == CLINICIAN
