"""Shared devices (issue 12): a clinic tablet must not show one patient's answers to the next.

"Finish" ends the patient's browser session; the confirmation shows briefly to the browser that
sent the form and then only with the resume code; a resume code stops opening a sent form after
a short, configured time; on a device staff marked as a clinic device the browser is asked not to
remember identity answers and the resume code leaves the screen after a minute.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, Draft, Submission
from intake.patient.device import COOKIE
from intake.services import drafts
from tests.factories import post
from tests.patient.helpers import VALID, WizardWalker, csrf_token, get_page, step_url

DOB = VALID["about"]["date_of_birth"]


def _code() -> str:
    draft = db.session.scalars(sa.select(Draft)).one()
    return drafts.display_code(draft.resume_code)


def _finish(client: FlaskClient) -> None:
    token = csrf_token(get_page(client, "/").get_data(as_text=True))
    assert client.post("/intake/finish", data={"csrf_token": token}).status_code == 302


def _resume(client: FlaskClient, code: str) -> object:
    token = csrf_token(get_page(client, "/resume").get_data(as_text=True))
    return client.post("/resume", data={"csrf_token": token, "code": code, "date_of_birth": DOB})


def test_finish_is_a_post_that_ends_the_patient_session(walker: WizardWalker, client) -> None:
    walker.complete()
    done = client.get("/intake/done").get_data(as_text=True)
    assert 'action="/intake/finish"' in done and 'method="post"' in done
    assert client.get("/intake/finish").status_code == 405
    _finish(client)
    with client.session_transaction() as session:
        assert "draft_id" not in session
    after = client.get("/intake/done")
    assert after.status_code == 302 and after.location.endswith("/")
    assert "this device no longer shows them" in client.get("/").get_data(as_text=True)


def test_the_confirmation_shows_briefly_then_only_with_the_resume_code(
    walker: WizardWalker, client: FlaskClient
) -> None:
    walker.complete()
    code = _code()
    first = client.get("/intake/done").get_data(as_text=True)
    assert 'id="reference"' in first
    again = client.get("/intake/done").get_data(as_text=True)  # a reload within the grace
    assert 'id="reference"' in again
    with client.session_transaction() as session:  # the next person, three minutes later
        session["done_shown_at"] = int(time.time()) - 180
    later = client.get("/intake/done").get_data(as_text=True)
    assert "shown only for a short time" in later
    assert 'id="reference"' not in later
    assert not re.search(r"Evidence-based|TMS with|What happens next", later)
    # The resume code and date of birth show it again (soon after sending).
    response = _resume(client, code)
    assert response.status_code == 302 and response.location.endswith("/intake/done")
    assert 'id="reference"' in client.get("/intake/done").get_data(as_text=True)


def test_a_resume_code_stops_opening_a_sent_form_after_the_window(
    app: Flask, walker: WizardWalker, client: FlaskClient
) -> None:
    walker.complete()
    code = _code()
    submission = db.session.scalars(sa.select(Submission)).one()
    window = app.config["SUBMITTED_RESUME_WINDOW"]
    assert window == timedelta(minutes=30)  # the documented default
    submission.submitted_at = submission.submitted_at - window - timedelta(minutes=1)
    db.session.commit()
    _finish(client)
    response = _resume(client, code)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This form was already sent" in html
    assert client.get("/intake/done").status_code == 302  # not reopened


def _mark_device(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    assert post(client, "/staff/device", {"action": "mark"}).status_code == 302
    assert client.get_cookie(COOKIE) is not None
    token = csrf_token(client.get("/staff/device").get_data(as_text=True))
    client.post("/staff/logout", data={"csrf_token": token})


def test_staff_mark_a_clinic_device_and_it_is_audited(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    _mark_device(client, login_as)
    cookie = client.get_cookie(COOKIE)
    assert (
        cookie is not None and cookie.http_only and cookie.max_age and cookie.max_age > 300 * 86400
    )
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "device_marked" in actions


def test_identity_answers_are_not_remembered_on_a_clinic_device(
    walker: WizardWalker, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    walker.start()
    plain = client.get(step_url("about")).get_data(as_text=True)
    assert 'autocomplete="given-name"' in plain and 'autocomplete="bday"' in plain
    _mark_device(client, login_as)
    walker.start()
    about = client.get(step_url("about")).get_data(as_text=True)
    for name in ("first_name", "last_name", "date_of_birth", "email", "phone"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', about)
        assert tag and 'autocomplete="off"' in tag.group(0), name
    resume = client.get("/resume").get_data(as_text=True)
    assert re.search(
        r'<input[^>]*name="date_of_birth"[^>]*autocomplete="off"', resume
    ) or re.search(r'<input[^>]*autocomplete="off"[^>]*name="date_of_birth"', resume)
    # Another patient's page on an unmarked browser still gets the usual hints (no leak).
    other = WizardWalker(client.application.test_client())
    other.start()
    assert 'autocomplete="given-name"' in other.client.get(step_url("about")).get_data(as_text=True)


def test_the_resume_code_leaves_the_screen_on_a_clinic_device(
    walker: WizardWalker, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    _mark_device(client, login_as)
    walker.start()
    code = _code()
    assert code not in client.get(step_url("about")).get_data(as_text=True)
    walker.post("about", action="save")
    saved = client.get("/intake/saved").get_data(as_text=True)
    assert code in saved
    assert '<meta http-equiv="refresh" content="60;url=/intake/saved/hidden">' in saved
    hidden = client.get("/intake/saved/hidden").get_data(as_text=True)
    assert code not in hidden and "Show my code again" in hidden


def test_a_forged_device_cookie_changes_nothing(walker: WizardWalker, client: FlaskClient) -> None:
    client.set_cookie(COOKIE, "clinic")
    walker.start()
    assert _code() in client.get(step_url("about")).get_data(as_text=True)
