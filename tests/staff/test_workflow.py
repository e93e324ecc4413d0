"""Workflow transitions, the concurrent-edit conflict, contact attempts and notes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from answer_documents import ASQ_YES
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, ContactAttempt, Note, StatusChange, Submission
from intake.models.types import utcnow
from intake.services.workflow import STATUSES, TRANSITIONS
from tests.factories import make_submission, post

ALL_PAIRS = [(a, b) for a in STATUSES for b in STATUSES if a != b]


def _actions(submission_id: int) -> list[str]:
    return list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.submission_id == submission_id)
            .order_by(AuditEvent.id)
        )
    )


def test_transition_table_is_closed() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    for targets in TRANSITIONS.values():
        assert set(targets) <= set(STATUSES)
    # Every status can be reached from "new".
    seen, todo = {"new"}, ["new"]
    while todo:
        for nxt in TRANSITIONS[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(STATUSES)


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS)
def test_transitions(client: FlaskClient, login_as, from_status: str, to_status: str) -> None:  # type: ignore[no-untyped-def]
    user = login_as("front_desk")
    s = make_submission(status=from_status)
    response = post(
        client,
        f"/staff/submissions/{s.id}/status",
        {"to_status": to_status, "version": s.version},
    )
    db.session.expire_all()
    s = db.session.get(Submission, s.id)
    changes = db.session.scalars(db.select(StatusChange)).all()
    if to_status in TRANSITIONS[from_status]:
        assert response.status_code == 302
        assert s.status == to_status
        assert [(c.from_status, c.to_status, c.changed_by_id) for c in changes] == [
            (from_status, to_status, user.id)
        ]
        assert _actions(s.id) == ["status_changed"]
        assert s.updated_by_id == user.id
    else:
        assert response.status_code == 400
        assert "cannot move to" in response.get_data(as_text=True)
        assert s.status == from_status
        assert changes == []


def test_concurrent_edit_is_refused(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    first = login_as("front_desk")
    other_client = app.test_client()
    login_as("front_desk", on=other_client)
    s = make_submission(status="new")
    version = s.version
    # Both load the page (same version), the first saves.
    assert client.get(f"/staff/submissions/{s.id}").status_code == 200
    assert other_client.get(f"/staff/submissions/{s.id}").status_code == 200
    ok = post(
        client, f"/staff/submissions/{s.id}/status", {"to_status": "in_review", "version": version}
    )
    assert ok.status_code == 302
    refused = post(
        other_client,
        f"/staff/submissions/{s.id}/status",
        {"to_status": "withdrawn", "version": version},
    )
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert f"changed by {first.email} at" in html
    assert "Nothing was overwritten" in html
    db.session.expire_all()
    s = db.session.get(Submission, s.id)
    assert s.status == "in_review"
    assert db.session.scalar(db.select(db.func.count()).select_from(StatusChange)) == 1


def test_a_contact_attempt_acknowledges_an_urgent_submission(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    """What the acknowledgement did (off the pinned list, the header count down), a recorded
    call now does; the submission page shows who called, when and what came of it."""
    user = login_as("front_desk")
    s = make_submission(changes=ASQ_YES)
    page = client.get("/staff/").get_data(as_text=True)
    assert "1 urgent not acknowledged" in page
    bad = post(
        client, f"/staff/submissions/{s.id}/contact-attempts", {"outcome": "reached", "note": ""}
    )
    assert bad.status_code == 400
    refused = bad.get_data(as_text=True)
    assert "Say in the note what the patient said" in refused
    # Every form of the page posts to its problems, so a refused one opens on them.
    for form in ("contact-attempts", "status", "notes", "assign"):
        assert f'action="/staff/submissions/{s.id}/{form}#problems"' in refused, form
    assert 'id="problems"' in refused and 'href="#note"' in refused
    response = post(
        client,
        f"/staff/submissions/{s.id}/contact-attempts",
        {"outcome": "reached", "note": "Stayed on the line; mobile team sent."},
    )
    assert response.status_code == 302
    attempt = db.session.scalar(db.select(ContactAttempt))
    assert (attempt.by_id, attempt.outcome) == (user.id, "reached")
    db.session.expire_all()
    assert db.session.get(Submission, s.id).acknowledged_at is not None
    assert "0 urgent not acknowledged" in client.get("/staff/").get_data(as_text=True)
    assert "contact_attempt_recorded" in _actions(s.id)
    html = client.get(f"/staff/submissions/{s.id}").get_data(as_text=True)
    assert "Reached the patient" in html and "Stayed on the line; mobile team sent." in html
    assert user.email in html


def test_a_contact_attempt_on_a_submission_that_is_not_urgent_is_refused(client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    s = make_submission()
    response = post(
        client, f"/staff/submissions/{s.id}/contact-attempts", {"outcome": "no_answer", "note": ""}
    )
    assert response.status_code == 400
    assert "Only urgent submissions" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ContactAttempt)) == 0


def test_a_contact_attempt_that_keeps_clashing_is_refused_not_a_crash(
    client, login_as, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.orm.exc import StaleDataError

    from intake.services import risk

    def always_stale(*args: object, **kwargs: object) -> None:
        raise StaleDataError("changed meanwhile")

    login_as("front_desk")
    s = make_submission(changes=ASQ_YES)
    monkeypatch.setattr(risk, "record_contact_attempt", always_stale)
    response = post(
        client, f"/staff/submissions/{s.id}/contact-attempts", {"outcome": "no_answer", "note": ""}
    )
    assert response.status_code == 409
    assert "others kept changing" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(ContactAttempt)) == 0


def test_notes_and_edit_window(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    author = login_as("front_desk")
    s = make_submission()
    assert (
        post(client, f"/staff/submissions/{s.id}/notes", {"body": "Left a voicemail"}).status_code
        == 302
    )
    note = db.session.scalar(db.select(Note))
    assert note.author_id == author.id
    url = f"/staff/submissions/{s.id}/notes/{note.id}"
    assert post(client, url, {"body": "Left a voicemail at 10:05"}).status_code == 302
    db.session.expire_all()
    note = db.session.get(Note, note.id)
    assert note.body == "Left a voicemail at 10:05"
    assert note.edited_at is not None

    # Someone else cannot edit it.
    other = app.test_client()
    login_as("clinician", on=other)
    assert post(other, url, {"body": "changed"}).status_code == 400

    # After 10 minutes the author cannot either.
    note.created_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    response = post(client, url, {"body": "too late"})
    assert response.status_code == 400
    assert "Add a new note" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Note, note.id).body == "Left a voicemail at 10:05"
    assert _actions(s.id) == ["note_added", "note_edited"]


def test_viewing_is_audited_without_patient_data(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    user = login_as("clinician")
    s = make_submission(last_name="Quintero")
    client.get(f"/staff/submissions/{s.id}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "submission_viewed"))
    assert (event.actor_id, event.submission_id, event.ip_address) == (user.id, s.id, "10.1.2.3")
    assert "Quintero" not in str(event.detail)


def test_audit_log_is_append_only(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    from intake.models.audit import AuditLogIsAppendOnly

    login_as("clinician")
    s = make_submission()
    client.get(f"/staff/submissions/{s.id}")
    event = db.session.scalar(db.select(AuditEvent))
    event.action = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(db.select(AuditEvent)))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("roles", "insurance_links"),
    [(("front_desk",), True), (("clinician", "admin"), False), (("clinician",), False)],
)
def test_submission_page_links_only_to_pages_the_account_may_open(
    client: FlaskClient, login_as, roles: tuple[str, ...], insurance_links: bool
) -> None:  # type: ignore[no-untyped-def]
    login_as(*roles)
    s = make_submission()
    html = client.get(f"/staff/submissions/{s.id}").get_data(as_text=True)
    for url in (f"/staff/submissions/{s.id}/insurance", f"/staff/submissions/{s.id}/prior-auth"):
        assert (url in html) is insurance_links
        if url in html:
            assert client.get(url).status_code == 200
