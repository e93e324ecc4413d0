"""No doubled full stops: a staff note or a status that ends with its own mark (".", "!", "?")
is printed with that mark once, in the summary PDF and the course report page and its PDF.

The expected sentences are written here; the PDFs are rendered and read back with pypdf.
"""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from answer_documents import ASQ_YES
from flask.testing import FlaskClient
from outcome_samples import make_course

from intake.extensions import db
from intake.models import ContactAttempt
from tests.factories import make_submission, make_user

#: (the note as typed, how the PDF's sentence ends)
NOTES = [
    ("agreed to clinician call tomorrow 9am.", "agreed to clinician call tomorrow 9am."),
    ("agreed to clinician call tomorrow 9am!", "agreed to clinician call tomorrow 9am!"),
    ("agreed to clinician call tomorrow 9am?", "agreed to clinician call tomorrow 9am?"),
    ("agreed to clinician call tomorrow 9am", "agreed to clinician call tomorrow 9am."),
]


def _pdf_words(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


@pytest.mark.parametrize(("note", "printed"), NOTES)
def test_the_summary_pdf_ends_a_contact_note_once(
    client: FlaskClient, login_as, note: str, printed: str
) -> None:  # type: ignore[no-untyped-def]
    submission = make_submission(changes=ASQ_YES)
    desk = make_user("front_desk")
    db.session.add(
        ContactAttempt(submission_id=submission.id, by_id=desk.id, outcome="reached", note=note)
    )
    db.session.commit()
    login_as("clinician")
    page = _text(client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True))
    assert note in page  # the HTML shows the note as typed
    response = client.get(f"/clinician/submissions/{submission.id}.pdf")
    assert response.status_code == 200
    words = _pdf_words(response.data)
    assert printed in words
    assert printed + "." not in words
    assert "9am.." not in words and "9am!." not in words and "9am?." not in words


def test_the_course_report_says_baseline_only_with_one_full_stop(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    course = make_course("accelerated_tms", 19, [])
    login_as("clinician")
    page = _text(client.get(f"/clinician/courses/{course.id}/report").get_data(as_text=True))
    assert "Baseline only: PHQ-9 19; no check-in yet." in page
    assert ".." not in page
    pdf = client.get(f"/clinician/courses/{course.id}/report.pdf")
    assert pdf.status_code == 200
    words = _pdf_words(pdf.data)
    assert "Baseline only: PHQ-9 19; no check-in yet." in words
    assert "yet.." not in words
    # The course page's status panel and the summary's course list show the phrase unended,
    # like every other status ("Response at session 20: ...").
    course_page = _text(client.get(f"/clinician/courses/{course.id}").get_data(as_text=True))
    assert "Baseline only: PHQ-9 19; no check-in yet" in course_page
    assert "yet.." not in course_page
