"""Admin: staff accounts page and audit log search."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, User
from intake.models.types import utcnow
from intake.services import audit
from tests.committed import committed, committed_count
from tests.factories import make_submission, make_user, post


def test_create_account_with_roles(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    response = post(
        client,
        "/admin/users",
        {
            "email": "New.Person@Example.org",
            "roles": ["front_desk", "clinician"],
            "password": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "new.person@example.org"))
    assert user.roles == {"front_desk", "clinician"}
    assert "new.person@example.org" in client.get("/admin/users").get_data(as_text=True)
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "user_created"))
    assert [e.detail["user_id"] for e in events] == [user.id]
    # The page committed the account and its audit event together.
    assert committed_count(User, User.id == user.id) == 1
    assert committed_count(AuditEvent, AuditEvent.action == "user_created") == 1


def test_create_account_refuses_weak_password_and_no_role(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    weak = post(
        client,
        "/admin/users",
        {"email": "a@example.org", "roles": ["admin"], "password": "password1234"},
    )
    assert weak.status_code == 400
    assert "too common" in weak.get_data(as_text=True)
    none = post(
        client, "/admin/users", {"email": "a@example.org", "password": "a-long-enough-passphrase"}
    )
    assert none.status_code == 400
    assert db.session.scalar(db.select(User).where(User.email == "a@example.org")) is None


def test_disable_and_enable(app, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    me = login_as("admin")
    target = make_user("front_desk")
    their_client = app.test_client()
    login_as(user=target, on=their_client)
    assert their_client.get("/staff/").status_code == 200
    assert post(client, f"/admin/users/{target.id}/disable").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, target.id).disabled
    assert committed(db.select(User.disabled).where(User.id == target.id)) is True
    assert committed_count(AuditEvent, AuditEvent.action == "user_disabled") == 1
    assert their_client.get("/staff/").status_code == 302
    assert post(client, f"/admin/users/{target.id}/enable").status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, target.id).disabled
    assert committed(db.select(User.disabled).where(User.id == target.id)) is False
    assert committed_count(AuditEvent, AuditEvent.action == "user_enabled") == 1
    # An admin cannot lock themselves out.
    post(client, f"/admin/users/{me.id}/disable")
    db.session.expire_all()
    assert not db.session.get(User, me.id).disabled


def test_admin_sets_a_new_password_for_a_locked_out_person(
    app, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    from intake.passwords import verify_password

    login_as("admin")
    target = make_user("front_desk")
    target.failed_logins = 10
    target.locked_until = utcnow() + timedelta(minutes=15)
    db.session.commit()
    their_client = app.test_client()
    login_as(user=target, on=their_client)
    assert client.get(f"/admin/users/{target.id}/password").status_code == 200

    weak = post(client, f"/admin/users/{target.id}/password", {"password": "password"})
    assert weak.status_code == 400
    assert "New password" in weak.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, target.id).locked_until is not None  # nothing changed

    new = "a fresh long passphrase 42"
    assert post(client, f"/admin/users/{target.id}/password", {"password": new}).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, target.id)
    assert verify_password(user.password_hash, new)
    assert user.locked_until is None and user.failed_logins == 0
    assert committed(db.select(User.password_hash).where(User.id == target.id)) == (
        user.password_hash
    )
    assert committed_count(AuditEvent, AuditEvent.action == "password_reset") == 1
    assert their_client.get("/staff/").status_code == 302  # their old session ended
    assert db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "password_reset")
    ).detail == {"user_id": target.id}


def test_admin_resets_a_lost_authenticator(app, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    target = make_user("clinician", totp_secret="JBSWY3DPEHPK3PXP")
    users_page = client.get("/admin/users").get_data(as_text=True)
    assert "Reset two-factor" in users_page
    assert post(client, f"/admin/users/{target.id}/reset-2fa").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, target.id).totp_secret is None
    assert committed(db.select(User.totp_secret).where(User.id == target.id)) is None
    assert committed_count(AuditEvent, AuditEvent.action == "two_factor_reset") == 1
    assert db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "two_factor_reset")
    ).detail == {"user_id": target.id}


def test_audit_search(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    admin = login_as("admin")
    desk = make_user("front_desk", email="desk@example.org")
    s1 = make_submission(reference="AB12-CD34")
    s2 = make_submission()
    audit.record("submission_viewed", submission=s1, actor=desk)
    audit.record(
        "status_changed", submission=s2, actor=desk, detail={"from": "new", "to": "in_review"}
    )
    old = audit.record("note_added", submission=s2, actor=admin)
    # The log is append-only (in the database too): the event is written back-dated.
    old.created_at = utcnow() - timedelta(days=10)
    db.session.commit()

    def rows(**params: str) -> str:
        html = client.get("/admin/audit", query_string=params).get_data(as_text=True)
        return html.split("<tbody>", 1)[1]

    assert "Submission viewed" in rows(actor="desk@")
    assert "Note added" not in rows(actor="desk@")
    assert "Status changed" in rows(action="status_changed")
    assert "Submission viewed" not in rows(action="status_changed")
    by_ref = rows(submission="ab12-cd34")
    assert "Submission viewed" in by_ref
    assert "Status changed" not in by_ref
    assert "to: in_review" in rows(submission=str(s2.id))
    recent = rows(date_from=(utcnow() - timedelta(days=1)).date().isoformat())
    assert "Note added" not in recent
    assert "Note added" in rows(date_to=(utcnow() - timedelta(days=5)).date().isoformat())


def test_audit_pagination(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    for _ in range(55):
        audit.record("logout")
    db.session.commit()
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in client.get("/admin/audit?page=2").get_data(as_text=True)


def test_audit_search_up_to_the_last_possible_day_is_not_a_500(client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    response = client.get("/admin/audit?date_from=0001-01-01&date_to=9999-12-31")
    assert response.status_code == 200
