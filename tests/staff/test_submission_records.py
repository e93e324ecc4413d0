"""The submission's workflow records as the staff page reads them: newest first, read-only."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import Acknowledgement, Submission
from intake.models.types import utcnow
from intake.services import risk, workflow
from tests.answer_documents import ASQ_YES
from tests.factories import make_submission, make_user


def test_records_are_newest_first_and_the_last_editor_is_known(app: Flask) -> None:
    desk = make_user("front_desk", email="desk@example.org")
    s = make_submission(changes=ASQ_YES)
    first = workflow.add_note(s, by=desk, body="first")
    second = workflow.add_note(s, by=desk, body="second")
    # Acknowledgements are no longer written (the risk workflow replaced them); the ones an
    # earlier version stored are still read.
    db.session.add_all(
        Acknowledgement(submission_id=s.id, by_id=desk.id, action=action, note=note)
        for action, note in (("contacted_patient", ""), ("other", "called back"))
    )
    risk.record_contact_attempt(s, by=desk, outcome="no_answer", note="")
    risk.record_contact_attempt(s, by=desk, outcome="reached", note="spoke to her")
    workflow.change_status(s, "in_review", by=desk, expected_version=s.version)
    db.session.commit()
    # A later change with an earlier timestamp still sorts by when it happened, then by id.
    later = workflow.change_status(s, "needs_info", by=desk, expected_version=s.version)
    later.changed_at = utcnow() - timedelta(days=1)
    db.session.commit()

    db.session.expire_all()
    fresh = db.session.get(Submission, s.id)
    assert [n.id for n in fresh.notes] == [second.id, first.id]
    assert [a.note for a in fresh.acknowledgements] == ["called back", ""]
    assert [c.outcome for c in fresh.contact_attempts] == ["reached", "no_answer"]
    assert [(h.from_status, h.to_status) for h in fresh.status_history] == [
        ("new", "in_review"),
        ("in_review", "needs_info"),
    ]
    assert fresh.updated_by is not None and fresh.updated_by.email == "desk@example.org"


def test_a_new_note_shows_on_the_page_after_it_is_added(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    me = login_as("front_desk")
    s = make_submission()
    assert "No notes yet." in client.get(f"/staff/submissions/{s.id}").get_data(as_text=True)
    workflow.add_note(s, by=me, body="Rang the patient back")
    db.session.commit()
    html = client.get(f"/staff/submissions/{s.id}").get_data(as_text=True)
    assert "Rang the patient back" in html
    assert "Last changed by" not in html  # a note does not change the submission itself
