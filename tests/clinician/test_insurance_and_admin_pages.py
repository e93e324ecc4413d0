"""The insurance panel, the prior-authorization packet, admin tokens and settings, over HTTP."""

from __future__ import annotations

import re

import sqlalchemy as sa
from clinician_samples import rich_answers, store
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from intake.extensions import db
from intake.models import ApiToken, AuditEvent, InsuranceVerification
from intake.services.settings import EXPORT_FREE_TEXT, get_setting
from tests.factories import post
from tests.patient.screen import Screen


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_insurance_panel_shows_entry_checklist_and_coverage(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    submission = store()
    response = client.get(f"/staff/submissions/{submission.id}/insurance")
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    assert "Aetna" in text and "W123456789" in text and "00123" in text
    assert "Rules' coverage checklist" in text and "Covered indication" in text
    assert "Eligibility confirmed with the plan" in text and "Not saved yet." in text
    [event] = _events("submission_viewed")
    assert event.detail == {"page": "insurance"}


def test_checklist_save_then_stale_save_is_refused(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    first = login_as("front_desk")
    submission = store()
    url = f"/staff/submissions/{submission.id}/insurance"
    response = post(
        client,
        url,
        {
            "version": "0",
            "eligibility_confirmed": "y",
            "prior_auth": "needed",
            "notes": "Called Aetna",
        },
    )
    assert response.status_code == 302
    record = db.session.scalar(sa.select(InsuranceVerification))
    assert record.eligibility_confirmed and record.prior_auth == "needed" and record.version == 1
    assert record.updated_by_id == first.id
    [event] = _events("insurance_updated")
    assert event.detail == {"eligibility_confirmed": True, "prior_auth": "needed", "version": 1}

    other = app.test_client()
    login_as("front_desk", on=other)
    # The second person loaded the page before the first save (version 0) and saves now.
    response = post(other, url, {"version": "0", "prior_auth": "denied", "notes": "Mine"})
    assert response.status_code == 409
    text = _text(response.get_data(as_text=True))
    assert f"Not saved: changed by {first.email} at" in text
    db.session.expire_all()
    record = db.session.scalar(sa.select(InsuranceVerification))
    assert record.prior_auth == "needed" and record.notes == "Called Aetna" and record.version == 1
    assert len(_events("insurance_updated")) == 1


def test_checklist_refuses_an_unknown_status(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    submission = store()
    response = post(
        client,
        f"/staff/submissions/{submission.id}/insurance",
        {"version": "0", "prior_auth": "maybe"},
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InsuranceVerification)) == 0


def test_prior_authorization_packet(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    submission = store(rich_answers())
    response = client.get(f"/staff/submissions/{submission.id}/prior-auth")
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    assert "Prior-authorization request" in text and "Okafor-Lind, Marisol" in text
    reported = f"self-reported on {submission.submitted_at:%Y-%m-%d}"
    assert f"PHQ-9 total 19 of 27 (moderately severe), {reported}" in text
    assert "Medication trials" in text and "Effexor XR (venlafaxine)" in text
    assert "SNRI" in text and "150 mg" in text and "partial improvement" in text
    assert "yes : 8 weeks at 150 mg" in text and "no : under 6 weeks" in text
    assert "Psychotherapy trials" in text and "CBT" in text and "Supportive" in text
    assert "Fainting spells YES" in text and "Seizure or convulsion ever UNSURE" in text
    assert "tramadol" in text
    [event] = _events("prior_auth_printed")
    assert event.submission_id == submission.id


def test_admin_creates_shows_once_and_revokes_a_token(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    response = post(client, "/admin/tokens", {"name": "kiosk 2", "scope_intakes_write": "y"})
    assert response.status_code == 200
    token = re.search(r'id="new-token">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert (
        client.post(
            "/api/v1/intakes", json={}, headers={"Authorization": f"Bearer {token}"}
        ).status_code
        != 401
    )
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert "kiosk 2" in listing and token not in listing and "active" in listing
    assert [e.detail for e in _events("token_created")] == [
        {"name": "kiosk 2", "scopes": "intakes:write"}
    ]

    response = post(client, "/admin/tokens/revoke", {"name": "kiosk 2"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is not None
    assert (
        client.post(
            "/api/v1/intakes", json={}, headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 401
    )
    assert [e.detail for e in _events("token_revoked")] == [{"name": "kiosk 2"}]


def test_duplicate_token_name_is_refused(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    post(client, "/admin/tokens", {"name": "kiosk", "scope_intakes_write": "y"})
    response = post(client, "/admin/tokens", {"name": "kiosk", "scope_intakes_write": "y"})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)
    assert len(_events("token_created")) == 1


def test_admin_changes_the_free_text_setting(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "Include free-text answers in CSV exports" in page

    def save(ticked: bool) -> int:
        screen = Screen(client.get("/admin/settings").get_data(as_text=True))
        body = screen.tick("export_free_text", ticked).post_body("save")
        return client.post("/admin/settings", data=MultiDict(body)).status_code

    assert save(True) == 302
    assert get_setting(EXPORT_FREE_TEXT) is True
    assert [e.detail for e in _events("setting_changed")] == [
        {"key": EXPORT_FREE_TEXT, "from": False, "to": True}
    ]
    assert save(False) == 302
    assert get_setting(EXPORT_FREE_TEXT) is False
    assert len(_events("setting_changed")) == 2
