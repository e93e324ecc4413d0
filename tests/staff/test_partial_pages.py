"""A partial submission (sent from the support page before the form was finished) on every
staff page that reads its answers: marked PARTIAL, the steps missing listed, each missing part
"not answered yet", no page failing (docs/staff.md, "Partial submissions").

The partial is stored through the real support page (``press_send``), in the patient's own
browser; staff read it in another.
"""

from __future__ import annotations

import csv
import io

import pypdf
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intake.extensions import db
from intake.models import Submission
from tests.factories import post
from tests.patient.helpers import VALID, WizardWalker, get_page, press_send, to_support

BANNER = "Partial — sent from the support page, the form was not finished"
#: Steps after the ASQ, as staff read them: a partial sent from the ASQ's support page lacks
#: all of these (the wizard's order, docs/wizard.md).
MISSING_AFTER_ASQ = (
    "Medicines tried, Therapy and other treatments, TMS safety screen, Preferences, "
    "Insurance, Consent and signature"
)


def send_partial(app: Flask, *, contact_only: bool = False) -> Submission:
    patient = app.test_client()
    walker = WizardWalker(patient)
    if contact_only:
        walker.start()
        response = walker.post("phq9", {**VALID["phq9"], "item_9": "3"})
        page = get_page(patient, response.location)
        press_send(
            patient,
            page,
            first_name="Ana",
            last_name="Reyes",
            date_of_birth="1985-04-12",
            phone="+1 503 555 0100",
        )
    else:
        press_send(patient, to_support(walker))
    return db.session.scalars(select(Submission)).one()


def text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_queue_marks_the_partial_and_pins_it_urgent(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    partial = send_partial(app)
    login_as("front_desk")
    html = text(get_page(client, "/staff/"))
    pinned = html[html.index("Urgent submissions waiting") :]
    assert partial.reference in pinned
    assert "PARTIAL – form not finished" in pinned
    assert "Reyes, Ana" in pinned
    assert "not answered yet" in pinned  # its coverage


def test_the_submission_page_shows_the_banner_and_what_is_missing(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    partial = send_partial(app)
    login_as("front_desk")
    html = text(get_page(client, f"/staff/submissions/{partial.id}"))
    assert BANNER in html and MISSING_AFTER_ASQ in html
    assert "PARTIAL" in html and "The full form has not been sent yet." in html
    assert "suicide risk" in html
    assert "<dt>Coverage</dt><dd><em" in html and "not answered yet" in html


def test_the_clinician_summary_and_pdf_of_a_partial(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    partial = send_partial(app)
    login_as("clinician")
    html = text(get_page(client, f"/clinician/submissions/{partial.id}"))
    assert BANNER in html and MISSING_AFTER_ASQ in html
    assert "PHQ-9: total" in html and "Suicide risk screen (ASQ)" in html
    assert "suicide risk" in html and "Your review" not in html
    pdf = get_page(client, f"/clinician/submissions/{partial.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    words = " ".join(page.extract_text() for page in reader.pages)
    assert "Partial" in words and "Insurance" in words and partial.reference in words
    refused = post(client, f"/clinician/submissions/{partial.id}/review", {"decision": "agree"})
    assert refused.status_code == 422
    assert "no pathways to review" in refused.get_data(as_text=True)


def test_a_partial_with_only_contact_details_on_every_page(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    partial = send_partial(app, contact_only=True)
    assert partial.primary_concern is None and "contact" in partial.answers
    login_as("front_desk", "clinician")
    for url in (
        "/staff/",
        f"/staff/submissions/{partial.id}",
        f"/clinician/submissions/{partial.id}",
        f"/staff/submissions/{partial.id}/insurance",
        f"/staff/submissions/{partial.id}/prior-auth",
    ):
        html = text(get_page(client, url))
        assert "PARTIAL" in html, url
        assert "Reyes" in html, url
    html = text(get_page(client, f"/staff/submissions/{partial.id}"))
    assert "+1 503 555 0100" in html
    assert "About you, What brings you here, GAD-7" in html
    pdf = get_page(client, f"/clinician/submissions/{partial.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_insurance_panel_and_packet_say_not_answered_yet(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    partial = send_partial(app)
    login_as("front_desk")
    for url in (
        f"/staff/submissions/{partial.id}/insurance",
        f"/staff/submissions/{partial.id}/prior-auth",
    ):
        html = text(get_page(client, url))
        assert BANNER in html and "Insurance: not answered yet." in html
    saved = post(client, f"/staff/submissions/{partial.id}/insurance", {"version": "0"})
    assert saved.status_code == 409


def test_the_csv_export_has_the_partial(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    from intake.services.settings import EXPORT_FREE_TEXT, set_setting

    partial = send_partial(app)
    login_as("front_desk")
    set_setting(EXPORT_FREE_TEXT, True, user_id=None)
    db.session.commit()
    response = post(client, "/staff/export.csv", {})
    assert response.status_code == 200
    (row,) = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert row["reference"] == partial.reference and row["partial"] == "partial"
    assert row["urgent"] == "yes" and row["flags"] == "suicide_risk"
    assert row["coverage_type"] == "not answered yet"
    assert row["primary_concern"] == "depression"
    assert row["payer_name"] == "not answered yet" and row["signature"] == "not answered yet"


def test_the_full_submission_later_completes_the_partial(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    from intake.forms.patient import STEP_NAMES
    from intake.models import Draft

    patient = app.test_client()
    walker = WizardWalker(patient)
    press_send(patient, to_support(walker))
    for step in STEP_NAMES[STEP_NAMES.index("medications") : -1]:
        assert walker.post(step).status_code == 302
    assert walker.submit().location.endswith("/intake/done")
    db.session.expire_all()
    partial, full = db.session.scalars(select(Submission).order_by(Submission.id)).all()
    assert (partial.partial, full.partial) == (True, False)
    assert full.completes_id == partial.id and partial.completed_by.id == full.id
    from intake.models import AuditEvent

    created = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "submission_created").order_by(AuditEvent.id)
    ).all()
    assert [e.detail for e in created] == [
        {"source": "wizard", "urgent": True, "partial": True},
        {"source": "wizard", "urgent": True, "completes": partial.id},
    ]
    draft = db.session.scalars(select(Draft)).one()
    assert (draft.partial_submission_id, draft.submission_id) == (partial.id, full.id)
    # The support page can no longer send: the draft was sent in full.
    assert get_page(patient, "/intake/support").location.endswith("/intake/done")

    login_as("front_desk")
    queue = text(get_page(client, "/staff/"))
    pinned = queue[queue.index("Urgent submissions waiting") :]
    assert partial.reference in pinned and full.reference in pinned
    assert f"Completes partial {partial.reference}" in pinned
    assert f"Completed by {full.reference}" in pinned
    page = text(get_page(client, f"/staff/submissions/{full.id}"))
    assert f"Completes the partial submission <strong>{partial.reference}</strong>" in page
    assert f'href="/staff/submissions/{partial.id}"' in page
    page = text(get_page(client, f"/staff/submissions/{partial.id}"))
    assert f"Completed by the full submission <strong>{full.reference}</strong>" in page
    rows = list(
        csv.DictReader(io.StringIO(post(client, "/staff/export.csv", {}).get_data(as_text=True)))
    )
    assert {r["reference"]: r["partial"] for r in rows} == {
        partial.reference: "partial",
        full.reference: f"completes {partial.reference}",
    }
