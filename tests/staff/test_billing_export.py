"""The billing CSV (issue 14, "Exports a biller can use"), read back the way a biller's tools
read it: Python's csv module on the bytes, decoded as Excel does (UTF-8 with a byte-order
mark). Expected values come from the answers written here, not from the export's code."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from answer_documents import ASQ_YES
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, ExportedRow, InsuranceVerification
from intake.services.settings import CLINIC_TIME_ZONE, set_setting
from tests.factories import make_submission, post

HEADER = [
    "reference",
    "submitted",
    "last_name",
    "first_name",
    "date_of_birth",
    "coverage_type",
    "payer",
    "member_id",
    "group_number",
    "subscriber_relationship",
    "subscriber_name",
    "subscriber_date_of_birth",
    "eligibility_confirmed",
    "prior_auth_status",
    "prior_auth_reference",
    "prior_auth_requested_on",
    "prior_auth_units",
    "prior_auth_start",
    "prior_auth_end",
    "phq9_total",
    "phq9_date",
]
#: The PHQ-9 of the sample answers (tests/answer_documents.py): 2+3+2+2+2+2+2+2+0.
SAMPLE_PHQ9_TOTAL = "17"


def download(client: FlaskClient, form: dict[str, str] | None = None) -> tuple[bytes, list[dict]]:
    response = post(client, "/staff/billing.csv", form or {"sort": "newest"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="billing-')
    body = response.get_data()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER
    return body, [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]


def test_a_biller_gets_insurance_verification_prior_auth_and_phq9(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    set_setting(CLINIC_TIME_ZONE, "America/New_York", user_id=None)
    sent_at = datetime(2026, 7, 14, 13, 5, tzinfo=UTC)  # 09:05 in New York (EDT)
    spouse = make_submission(
        reference="B1",
        last_name="Muñoz",
        submitted_at=sent_at,
        changes={
            "insurance.subscriber_relationship": "spouse",
            "insurance.subscriber_name": "Zoë Muñoz",
            "insurance.subscriber_date_of_birth": "1984-02-29",
        },
    )
    make_submission(reference="B2", coverage_type="self_pay", submitted_at=sent_at)
    db.session.add(
        InsuranceVerification(
            submission_id=spouse.id,
            eligibility_confirmed=True,
            prior_auth="approved",
            prior_auth_reference="PA-2026-0042",
            prior_auth_requested_on=date(2026, 7, 1),
            prior_auth_units=36,
            prior_auth_start=date(2026, 7, 15),
            prior_auth_end=date(2026, 9, 30),
        )
    )
    db.session.commit()

    body, rows = download(client)
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for accents
    by_reference = {row["reference"]: row for row in rows}
    assert by_reference["B1"] == {
        "reference": "B1",
        "submitted": "2026-07-14 09:05 EDT",
        "last_name": "Muñoz",
        "first_name": by_reference["B1"]["first_name"],
        "date_of_birth": "1985-04-12",
        "coverage_type": "commercial",
        "payer": "Aetna",
        "member_id": "W123456789",
        "group_number": "00123",
        "subscriber_relationship": "spouse",
        "subscriber_name": "Zoë Muñoz",
        "subscriber_date_of_birth": "1984-02-29",
        "eligibility_confirmed": "yes",
        "prior_auth_status": "approved",
        "prior_auth_reference": "PA-2026-0042",
        "prior_auth_requested_on": "2026-07-01",
        "prior_auth_units": "36",
        "prior_auth_start": "2026-07-15",
        "prior_auth_end": "2026-09-30",
        "phq9_total": SAMPLE_PHQ9_TOTAL,
        "phq9_date": "2026-07-14",
    }
    assert by_reference["B1"]["first_name"]
    # Not verified yet, and paying themselves: no plan, nothing verified, nothing invented.
    unverified = by_reference["B2"]
    assert unverified["coverage_type"] == "self_pay"
    assert (unverified["payer"], unverified["member_id"]) == ("", "")
    assert unverified["eligibility_confirmed"] == "no"
    assert unverified["prior_auth_status"] == "unknown"
    assert unverified["prior_auth_reference"] == ""
    assert unverified["prior_auth_units"] == unverified["prior_auth_start"] == ""


def test_the_phq9_date_is_the_clinics_day(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    set_setting(CLINIC_TIME_ZONE, "America/Los_Angeles", user_id=None)
    late = datetime(2026, 1, 10, 5, 30, tzinfo=UTC)  # 21:30 on 9 January in Los Angeles
    make_submission(reference="L1", submitted_at=late)
    db.session.commit()
    _body, [row] = download(client)
    assert row["submitted"] == "2026-01-09 21:30 PST"
    assert row["phq9_date"] == "2026-01-09"
    expected = late.astimezone(ZoneInfo("America/Los_Angeles"))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} [A-Z]{3}", row["submitted"])
    assert row["submitted"].startswith(expected.strftime("%Y-%m-%d %H:%M"))


def test_a_cell_a_spreadsheet_would_run_is_shown_as_text(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    make_submission(reference="F1", changes={"insurance.payer_name": "=HYPERLINK(1)"})
    db.session.commit()
    _body, [row] = download(client)
    assert row["payer"] == "'=HYPERLINK(1)"


def test_the_export_is_audited_row_by_row(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    first = make_submission(reference="A1", changes=ASQ_YES)
    second = make_submission(reference="A2")
    db.session.commit()
    _body, rows = download(client)
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "exported")).all()
    assert event.detail["format"] == "billing_csv"
    assert event.detail["rows"] == 2
    sent = db.session.scalars(
        sa.select(ExportedRow.submission_id)
        .where(ExportedRow.audit_event_id == event.id)
        .order_by(ExportedRow.position)
    ).all()
    assert {row["reference"] for row in rows} == {"A1", "A2"}
    assert set(sent) == {first.id, second.id}
    assert [row["reference"] for row in rows] == [
        {first.id: "A1", second.id: "A2"}[sid] for sid in sent
    ]


def test_the_queue_offers_the_billing_download_to_front_desk(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    make_submission(reference="Q1")
    db.session.commit()
    page = client.get("/staff/").get_data(as_text=True)
    assert 'action="/staff/billing.csv"' in page
    assert "Download this list for billing (CSV)" in page
