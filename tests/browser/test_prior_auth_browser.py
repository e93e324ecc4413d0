"""The front desk's prior-authorization day in a real browser (issue 14, "Done when"): record
the payer's decision on the insurance panel, download the packet PDF and the billing CSV, and
read both back — the PDF page by page (Letter, the patient on every page, only the app's fonts)
and the CSV with Python's csv module. JavaScript off, 390 px, axe-scanned.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pypdf
import pytest
from pdf_fonts import is_shipped, pdf_fonts

from tests.browser.staff_pages import sign_in
from tests.factories import make_user
from tests.staff.test_prior_auth import _ready_packet

pytestmark = pytest.mark.browser

LETTER = (612, 792)


def test_record_a_decision_download_the_packet_and_the_billing_csv(  # type: ignore[no-untyped-def]
    app, login_as, live_server, new_page, screenshot, assert_accessible
) -> None:
    submission, _clinician = _ready_packet(app, login_as)
    reference, sid = submission.reference, submission.id
    make_user("front_desk", email="desk@example.org")
    page = new_page(javascript=False)
    sign_in(page, live_server, "desk@example.org")

    page.goto(f"{live_server}/staff/submissions/{sid}/insurance")
    page.get_by_label("Eligibility confirmed with the plan").check()
    page.get_by_label("Prior authorization", exact=True).select_option("approved")
    page.get_by_label("Prior-authorization reference").fill("PA-2026-7781")
    page.get_by_label("Requested on").fill("2026-11-20")
    page.get_by_label("Approved units").fill("36")
    page.get_by_label("Approved from").fill("2026-12-01")
    page.get_by_label("Approved until").fill("2027-02-28")
    with page.expect_navigation():
        page.get_by_role("button", name="Save checklist").click()
    assert "PA-2026-7781" in page.content()
    screenshot(page, "prior-auth-recorded")
    assert_accessible(page, "prior-auth-recorded")

    # The packet PDF, fetched with the browser's own session.
    pdf = page.request.get(f"{live_server}/staff/submissions/{sid}/prior-auth.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.body()))
    pages = list(reader.pages)
    for number, one in enumerate(pages, start=1):
        size = (round(float(one.mediabox.width)), round(float(one.mediabox.height)))
        assert size == LETTER
        text = re.sub(r"\s+", " ", one.extract_text())
        assert "Okafor-Lind, Marisol" in text and "1985-04-12" in text and reference in text
        assert f"Page {number} of {len(pages)}" in text
    fonts = pdf_fonts(reader)
    assert fonts and all(font.embedded and is_shipped(font) for font in fonts)

    # The billing CSV, downloaded from the queue's button.
    page.goto(live_server + "/staff/")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this list for billing (CSV)").click()
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(body))}
    row = rows[reference]
    assert row["eligibility_confirmed"] == "yes"
    assert row["prior_auth_status"] == "approved"
    assert row["prior_auth_reference"] == "PA-2026-7781"
    assert row["member_id"] == "W123456789"
