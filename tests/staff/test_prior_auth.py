"""Prior authorization a payer accepts (issue 14, item 2), through the pages as staff use them.

The expectations are written here: NPIs whose check digits were worked by hand (CMS's example
123456789 → 3), the official ICD-10-CM and CPT descriptions, and the CPT units of a 30 + 6
course (90867 × 1, 90868 × 35).
"""

from __future__ import annotations

import html as html_lib
import io
import re
from typing import Any

import pypdf
import pytest
import sqlalchemy as sa
from answer_documents import changed
from clinician_samples import rich_answers, store
from flask import Flask
from flask.testing import FlaskClient
from pdf_fonts import is_shipped, pdf_fonts
from werkzeug.datastructures import MultiDict

from intake import billing
from intake.extensions import db
from intake.models import (
    AuditEvent,
    ClinicianReview,
    InsuranceVerification,
    InsuranceVerificationHistory,
    Submission,
    User,
)
from tests.factories import csrf_token, make_user, post
from tests.patient.screen import Screen

#: (NPI, valid?) — the check digit is Luhn over "80840" + the first nine digits.
NPI_TABLE = [
    ("1234567893", True),  # CMS's worked example
    ("1245319599", True),  # sum 71 with the prefix: check digit 9
    ("1234567890", False),  # wrong check digit
    ("1234567894", False),  # one off
    ("1245319598", False),
    ("2234567891", True),  # an organisation's (starts with 2): sum 69, check digit 1
    ("2234567892", False),
    ("123456789", False),  # nine digits
    ("12345678931", False),  # eleven
    ("123456789X", False),
    ("3234567893", False),  # an NPI starts with 1 or 2
    ("١٢٣٤٥٦٧٨٩٣", False),  # Arabic-Indic digits are not ASCII digits
    ("", False),
]

ICD_F33_2 = "Major depressive disorder, recurrent severe without psychotic features"
ICD_F42_2 = "Mixed obsessional thoughts and acts"
CPT_90867 = (
    "Therapeutic repetitive transcranial magnetic stimulation (TMS) treatment; initial, "
    "including cortical mapping, motor threshold determination, delivery and management"
)
CPT_90868 = (
    "Therapeutic repetitive transcranial magnetic stimulation (TMS) treatment; subsequent "
    "delivery and management, per session"
)


def _text(markup: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


@pytest.mark.parametrize(("npi", "valid"), NPI_TABLE)
def test_npi_check_digit_table(npi: str, valid: bool) -> None:
    assert billing.is_valid_npi(npi) is valid


@pytest.mark.parametrize(("npi", "valid"), [row for row in NPI_TABLE if row[0]])
def test_admin_sets_a_clinicians_npi_only_when_its_check_digit_holds(
    app: Flask, client: FlaskClient, login_as: Any, npi: str, valid: bool
) -> None:
    login_as("admin")
    clinician = make_user("clinician")
    url = f"/admin/users/{clinician.id}/clinician"
    response = post(client, url, {"full_name": "Dana Ortiz, MD", "npi": npi})
    db.session.expire_all()
    stored = db.session.get(User, clinician.id)
    if valid:
        assert response.status_code == 302
        assert (stored.npi, stored.full_name) == (npi, "Dana Ortiz, MD")
        [event] = _events("clinician_profile_changed")
        assert event.detail["user_id"] == clinician.id
    else:
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        field = page[page.index('id="npi-field"') :]
        assert "has-error" in page[page.rindex("<div", 0, page.index('id="npi-field"')) :][:80]
        assert "NPI" in _text(field[:600])
        assert stored.npi is None and stored.full_name == ""
        assert _events("clinician_profile_changed") == []


def _settings(client: FlaskClient, answers: dict[str, str]) -> Any:
    screen = Screen(client.get("/admin/settings").get_data(as_text=True)).fill(answers)
    # The token of this client's session (the page's may be another test client's: the test's
    # app context, and Flask-WTF's cached token on ``g``, outlive each request).
    body = [
        (k, csrf_token(client) if k == "csrf_token" else v) for k, v in screen.post_body("save")
    ]
    return client.post("/admin/settings", data=MultiDict(body))


def test_settings_hold_legal_name_tin_and_group_npi(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    login_as("admin")
    bad = _settings(client, {"tin": "12-345678", "group_npi": "1234567890"})
    assert bad.status_code == 400
    text = _text(bad.get_data(as_text=True))
    assert "A TIN is 9 digits" in text and "check digit does not match" in text
    assert _events("setting_changed") == []
    good = _settings(
        client,
        {"legal_name": "Cascade Mind Clinic LLC", "tin": "12-3456789", "group_npi": "1245319599"},
    )
    assert good.status_code == 302
    events = {e.detail["key"]: e.detail for e in _events("setting_changed")}
    assert events["clinic.tin"]["to"] == "123456789"
    assert events["clinic.group_npi"]["to"] == "1245319599"
    assert events["clinic.legal_name"]["to"] == "Cascade Mind Clinic LLC"
    page = Screen(client.get("/admin/settings").get_data(as_text=True))
    assert page.shown("tin") == "12-3456789"


def _review(client: FlaskClient, submission: Submission, **fields: Any) -> Any:
    data = MultiDict(
        [("csrf_token", csrf_token(client)), ("decision", "agree")]
        + [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]
    )
    return client.post(f"/clinician/submissions/{submission.id}/review", data=data)


def test_review_records_diagnosis_and_planned_course(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    login_as("clinician")
    submission = store(rich_answers())
    response = _review(
        client,
        submission,
        diagnoses=["F33.2", "F42.2"],
        course_sessions="30",
        course_taper_sessions="6",
        course_protocol="standard_10hz",
    )
    assert response.status_code == 302
    review = db.session.scalar(sa.select(ClinicianReview))
    assert review.diagnosis_codes == ["F33.2", "F42.2"]
    assert (review.course_sessions, review.course_taper_sessions, review.course_protocol) == (
        30,
        6,
        "standard_10hz",
    )
    [event] = _events("reviewed")
    assert event.detail["diagnoses"] == ["F33.2", "F42.2"]
    assert event.detail["course"] == [30, 6, "standard_10hz"]
    text = _text(client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True))
    assert f"F33.2 {ICD_F33_2}" in text and "30 sessions + 6 taper" in text


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"course_sessions": "30"}, "course_protocol", "Choose the protocol."),
        ({"course_protocol": "itbs"}, "course_sessions", "Give the number of sessions."),
        (
            {"course_sessions": "0", "course_protocol": "itbs"},
            "course_sessions",
            "Please enter a number from 1 to 60.",
        ),
        (
            {"course_sessions": "30", "course_taper_sessions": "13", "course_protocol": "itbs"},
            "course_taper_sessions",
            "Please enter a number from 0 to 12.",
        ),
    ],
)
def test_a_course_with_a_problem_is_refused_at_its_field(
    app: Flask,
    client: FlaskClient,
    login_as: Any,
    fields: dict[str, str],
    field_id: str,
    message: str,
) -> None:
    login_as("clinician")
    submission = store(rich_answers())
    response = _review(client, submission, **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    field = page[page.index(f'id="{field_id}-field"') :][:1500]
    assert message in _text(field)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClinicianReview)) == 0


def test_a_diagnosis_not_on_the_list_is_refused(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    login_as("clinician")
    submission = store(rich_answers())
    for code in ("F42.3", "F32.A", "F99"):  # hoarding, and codes the list does not hold
        response = _review(client, submission, diagnoses=[code])
        assert response.status_code == 422
        assert f"Not a diagnosis of the list: {code}." in _text(response.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClinicianReview)) == 0


SPOUSE = {
    "insurance.subscriber_relationship": "spouse",
    "insurance.subscriber_name": "Tomas Okafor-Lind",
    "insurance.subscriber_date_of_birth": "1981-02-03",
}


def _ready_packet(app: Flask, login_as: Any) -> tuple[Submission, User]:
    """A submission with a spouse as subscriber, reviewed by a clinician with a name and NPI,
    the clinic's billing settings filled in; returns the submission and the clinician."""
    clinician_client = app.test_client()
    clinician = login_as("clinician", on=clinician_client)
    clinician.full_name, clinician.npi = "Dana Ortiz, MD", "1234567893"
    db.session.commit()
    submission = store(changed(rich_answers(), SPOUSE))
    response = _review(
        clinician_client,
        submission,
        diagnoses=["F33.2", "F42.2"],
        course_sessions="30",
        course_taper_sessions="6",
        course_protocol="standard_10hz",
    )
    assert response.status_code == 302
    admin_client = app.test_client()
    login_as("admin", on=admin_client)
    saved = _settings(
        admin_client,
        {
            "legal_name": "Cascade Mind Clinic LLC",
            "clinic_address": "12 Alder Street\nPortland, OR 97205",
            "tin": "123456789",
            "group_npi": "1245319599",
        },
    )
    assert saved.status_code == 302, _text(saved.get_data(as_text=True))[:3000]
    return submission, clinician


#: Every item a payer asks for, as the packet must show it (patient: rich_answers()).
PACKET_ITEMS = [
    "Okafor-Lind, Marisol",  # patient
    "Subscriber Tomas Okafor-Lind",
    "Subscriber's date of birth 1981-02-03",
    "Subscriber's relationship to the patient spouse",
    "Payer Aetna",
    "Member id W123456789",
    "Group number 00123",
    f"F33.2 {ICD_F33_2}",
    f"F42.2 {ICD_F42_2}",
    f"90867 {CPT_90867} 1",
    f"90868 {CPT_90868} 35",
    "30 treatment sessions and 6 taper sessions, standard 10 Hz rTMS (left DLPFC)",
    "Ordering psychiatrist Dana Ortiz, MD",
    "Psychiatrist's NPI 1234567893",
    "Clinic (legal name) Cascade Mind Clinic LLC",
    "12 Alder Street Portland, OR 97205",
    "TIN 12-3456789",
    "Group NPI 1245319599",
    # every medication trial with dose, weeks, outcome and why it counts (the rules' words)
    "Effexor XR (venlafaxine), current SNRI 150 mg 8 partial improvement yes : 8 weeks at 150 mg",
    "fluoxetine",
    "no : under 6 weeks",
    # psychotherapy trials
    "CBT 12 partial improvement",
    "Supportive",
    # the safety screen
    "Fainting spells YES",
    "Seizure or convulsion ever UNSURE",
    "tramadol",
    # the payer's criteria: the rules' coverage checklist
    "Failed medication trials",
    "Psychotherapy trial",
    "No psychosis",
]


def test_the_packet_shows_every_item_a_payer_asks_for(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    submission, _clinician = _ready_packet(app, login_as)
    login_as("front_desk")
    response = client.get(f"/staff/submissions/{submission.id}/prior-auth")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = _text(page)
    for item in PACKET_ITEMS:
        assert item in text, item
    reported = f"self-reported on {submission.submitted_at:%Y-%m-%d}"
    assert f"PHQ-9 total 19 of 27 (moderately severe), {reported}" in text
    assert "Not complete yet" not in text
    assert '<th scope="row">90869</th>' not in page  # not requested in advance (docs/staff.md)
    assert '<th scope="row">90868</th>' in page
    # No heading twice: each h2 once, and the trial tables carry no caption repeating it.
    headings = [_text(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)]
    assert len(headings) == len(set(headings)), headings
    assert "<caption>Psychotherapy trials</caption>" not in page
    assert "<caption>Medication trials</caption>" not in page
    [event] = _events("prior_auth_printed")
    assert event.submission_id == submission.id


def test_the_packet_lists_what_is_missing(app: Flask, client: FlaskClient, login_as: Any) -> None:
    login_as("front_desk")
    submission = store(rich_answers())
    text = _text(
        client.get(f"/staff/submissions/{submission.id}/prior-auth").get_data(as_text=True)
    )
    assert "Not complete yet" in text
    assert "a clinician review (diagnosis, planned course)" in text
    assert "the clinic's TIN (Settings)" in text and "the clinic's group NPI (Settings)" in text


def test_the_packet_pdf_is_letter_with_the_apps_own_fonts(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    submission, _clinician = _ready_packet(app, login_as)
    login_as("front_desk")
    response = client.get(f"/staff/submissions/{submission.id}/prior-auth.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    fonts = pdf_fonts(reader)
    assert fonts
    assert [font for font in fonts if not font.embedded] == []
    assert [font.name for font in fonts if not is_shipped(font)] == []
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    for item in ("Okafor-Lind", "F33.2", "90868", "1234567893", "12-3456789", "Tomas"):
        assert item in text, item
    assert f"Page 1 of {len(reader.pages)}" in text
    [event] = _events("prior_auth_pdf_downloaded")
    assert event.submission_id == submission.id and event.detail["bytes"] == len(response.data)


def _checklist(client: FlaskClient, submission: Submission, version: int, **values: str) -> Any:
    return post(
        client,
        f"/staff/submissions/{submission.id}/insurance",
        {"version": str(version), **values},
    )


def test_tracking_a_request_keeps_every_change_with_who_and_when(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    a = login_as("front_desk")
    submission = store(rich_answers())
    first = _checklist(
        client,
        submission,
        0,
        prior_auth="submitted",
        prior_auth_reference="AET-55120",
        prior_auth_requested_on="2026-12-01",
    )
    assert first.status_code == 302
    b_client = app.test_client()
    b = login_as("front_desk", on=b_client)
    second = _checklist(
        b_client,
        submission,
        1,
        prior_auth="approved",
        prior_auth_reference="AET-55120",
        prior_auth_requested_on="2026-12-01",
        prior_auth_units="36",
        prior_auth_start="2026-12-07",
        prior_auth_end="2027-03-06",
    )
    assert second.status_code == 302
    db.session.expire_all()
    live = db.session.scalar(sa.select(InsuranceVerification))
    assert (live.prior_auth, live.prior_auth_units, live.version) == ("approved", 36, 2)
    assert (str(live.prior_auth_start), str(live.prior_auth_end)) == ("2026-12-07", "2027-03-06")
    [old] = db.session.scalars(sa.select(InsuranceVerificationHistory)).all()
    assert (old.version, old.prior_auth, old.saved_by_id, old.replaced_by_id) == (
        1,
        "submitted",
        a.id,
        b.id,
    )
    assert str(old.prior_auth_requested_on) == "2026-12-01" and old.prior_auth_units is None
    # A denial and its appeal, then the history on the submission page shows all three.
    third = _checklist(
        b_client,
        submission,
        2,
        prior_auth="denied",
        prior_auth_reference="AET-55120",
        prior_auth_denial_reason="Only one failed antidepressant class documented.",
        appeal_on="2026-12-10",
        appeal_outcome="pending",
    )
    assert third.status_code == 302
    page = client.get(f"/staff/submissions/{submission.id}").get_data(as_text=True)
    history = _text(page[page.index('id="insurance-history"') : page.index('id="notes"')])
    assert (
        "3 (current)" in history and "Only one failed antidepressant class documented." in history
    )
    assert "Pending" in history and "2026-12-10" in history
    events = _events("insurance_updated")
    assert [e.detail["prior_auth"] for e in events] == ["submitted", "approved", "denied"]
    assert events[-1].detail["appeal_outcome"] == "pending"


def test_two_people_editing_the_tracking_at_once_the_second_gets_409(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    login_as("front_desk")
    submission = store(rich_answers())
    assert _checklist(client, submission, 0, prior_auth="submitted").status_code == 302
    b_client = app.test_client()
    login_as("front_desk", on=b_client)
    assert _checklist(client, submission, 1, prior_auth="approved").status_code == 302
    stale = _checklist(b_client, submission, 1, prior_auth="denied", prior_auth_denial_reason="x")
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.scalar(sa.select(InsuranceVerification)).prior_auth == "approved"
    assert len(_events("insurance_conflict")) == 1


@pytest.mark.parametrize(
    ("values", "field_id", "message"),
    [
        (
            {"prior_auth_start": "2026-12-07", "prior_auth_end": "2026-12-01"},
            "prior_auth_end",
            "The approval cannot end before it starts.",
        ),
        ({"appeal_outcome": "pending"}, "appeal_on", "Give the date the appeal was sent."),
        ({"prior_auth_units": "0"}, "prior_auth_units", "Please enter a number from 1 to 200."),
        ({"prior_auth_requested_on": "2026-13-01"}, "prior_auth_requested_on", "real date"),
    ],
)
def test_tracking_with_a_problem_is_refused_at_its_field(
    app: Flask,
    client: FlaskClient,
    login_as: Any,
    values: dict[str, str],
    field_id: str,
    message: str,
) -> None:
    login_as("front_desk")
    submission = store(rich_answers())
    response = _checklist(client, submission, 0, prior_auth="approved", **values)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in _text(page[page.index(f'id="{field_id}-field"') :][:1200])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InsuranceVerification)) == 0


def test_clinicians_and_admins_cannot_open_the_packet_or_its_pdf(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    submission = store(rich_answers())
    for role in ("clinician", "admin"):
        other = app.test_client()
        login_as(role, on=other)
        for suffix in ("prior-auth", "prior-auth.pdf"):
            assert other.get(f"/staff/submissions/{submission.id}/{suffix}").status_code == 403
    assert _events("prior_auth_pdf_downloaded") == []
    assert len(_events("access_refused")) == 4


def test_every_packet_page_names_its_patient(
    app: Flask, client: FlaskClient, login_as: Any
) -> None:
    submission, _clinician = _ready_packet(app, login_as)
    login_as("front_desk")
    response = client.get(f"/staff/submissions/{submission.id}/prior-auth.pdf")
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 2, "a one-page packet would not test the footer"
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join((page.extract_text() or "").split())
        assert "Okafor-Lind, Marisol" in text, number
        assert submission.reference in text, number
        assert f"Page {number} of {total}" in text, number
