"""Every page of the summary PDF names its patient and is on the clinic's paper (issue 14,
item 3): name, date of birth and reference at the top of each page, "Page x of y" at the
bottom, US Letter (612 × 792 points) unless the admin chose A4 (595 × 842) in settings.

The rich sample runs to two pages, so "every page" is checked on more than one.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pypdf
import pytest
from clinician_samples import rich_answers, store
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from tests.patient.screen import Screen

#: Points per page, as PDF readers report them (1 in = 72 pt; A4 is 210 × 297 mm).
PAPER_POINTS = {"letter": (612, 792), "A4": (595, 842)}


def pdf_pages(client: FlaskClient, submission_id: int) -> list[pypdf.PageObject]:
    response = client.get(f"/clinician/submissions/{submission_id}.pdf")
    assert response.status_code == 200
    return list(pypdf.PdfReader(io.BytesIO(response.data)).pages)


def size(page: pypdf.PageObject) -> tuple[int, int]:
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


def text(page: pypdf.PageObject) -> str:
    return re.sub(r"\s+", " ", page.extract_text())


def test_every_page_names_the_patient_and_counts_pages_on_letter(
    client: FlaskClient, login_as: object
) -> None:
    login_as("clinician")  # type: ignore[operator]
    answers = rich_answers()
    submission = store(answers)
    pages = pdf_pages(client, submission.id)
    assert len(pages) >= 2, "the rich sample must run to a second page"
    patient = answers["patient"]
    who = (
        f"{patient['last_name']}, {patient['first_name']} · born {patient['date_of_birth']} · "
        f"ref. {submission.reference}"
    )
    for number, page in enumerate(pages, start=1):
        assert size(page) == PAPER_POINTS["letter"]
        assert who in text(page), f"page {number} does not name its patient"
        assert f"Page {number} of {len(pages)}" in text(page)


def save_paper(client: FlaskClient, paper: str) -> Any:
    """Choose the paper on the admin settings page as an admin does (the page's own form)."""
    screen = Screen(client.get("/admin/settings").get_data(as_text=True))
    return client.post(
        "/admin/settings", data=MultiDict(screen.fill({"pdf_paper": paper}).post_body("save"))
    )


@pytest.mark.parametrize("paper", ["A4", "letter"])
def test_the_admin_chooses_the_paper(client: FlaskClient, app, login_as, paper: str) -> None:  # type: ignore[no-untyped-def]
    admin_client = app.test_client()
    login_as("admin", on=admin_client)
    saved = save_paper(admin_client, paper)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    login_as("clinician")
    pages = pdf_pages(client, store(rich_answers()).id)
    assert {size(page) for page in pages} == {PAPER_POINTS[paper]}


def test_a_paper_size_that_is_not_offered_is_refused_and_letter_stays(
    client: FlaskClient, app, login_as
) -> None:  # type: ignore[no-untyped-def]
    admin_client = app.test_client()
    login_as("admin", on=admin_client)
    screen = Screen(admin_client.get("/admin/settings").get_data(as_text=True))
    body = [(k, v) for k, v in screen.post_body("save") if k != "pdf_paper"] + [("pdf_paper", "B5")]
    refused = admin_client.post("/admin/settings", data=MultiDict(body))
    assert refused.status_code == 400
    assert 'id="pdf_paper-error' in refused.get_data(as_text=True)
    login_as("clinician")
    pages = pdf_pages(client, store(rich_answers()).id)
    assert {size(page) for page in pages} == {PAPER_POINTS["letter"]}
