"""The pathway summary page, its PDF, reviews and re-evaluation, through HTTP."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa
from clinician_samples import rich_answers, store
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, ClinicianReview
from intake.rules import load_ruleset
from intake.rules.ruleset import DEFAULT_PATH
from tests.factories import csrf_token, post


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def clinician(login_as):  # type: ignore[no-untyped-def]
    return login_as("clinician")


def test_summary_shows_every_section_flags_first(
    app: Flask, client: FlaskClient, clinician: object
) -> None:
    submission = store(rich_answers())
    response = client.get(f"/clinician/submissions/{submission.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)
    assert "Pathway summary: Okafor-Lind, Marisol" in text
    assert submission.reference in text and "1985-04-12 (age 41)" in text
    headings = [
        "Flags",
        "Pathways",
        "Questionnaires",
        "Treatment history",
        "TMS safety screen",
        "Coverage checklist",
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)  # flags come first
    assert text.index("urgent : suicide risk") < text.index("warning : tms precaution")
    assert "ASQ answered yes: wished to be dead" in text  # a flag's because
    assert "PHQ-9: total 19 of 27, moderately severe" in text
    assert "Thoughts of death or self-harm" in text and "Afraid something awful" in text
    assert "Q1 Wished you were dead" in text and "Q5 Thoughts of killing yourself right now" in text
    assert "Treatment resistant: yes" in text
    assert "Effexor XR (venlafaxine)" in text and "SNRI" in text
    assert "dose below the 10 mg minimum" in text and "already counted once" in text
    assert "Crisis support now" in text and "TMS safety review with a physician" in text
    assert "Covered indication" in text
    evaluation = submission.evaluation["ruleset"]
    assert f"ruleset {evaluation['version']}, sha256 {evaluation['sha256']}" in text
    assert "Not reviewed yet." in text


def test_safety_yes_and_unsure_are_highlighted_by_style_and_text(
    app: Flask, client: FlaskClient, clinician: object
) -> None:
    html = client.get(f"/clinician/submissions/{store(rich_answers()).id}").get_data(as_text=True)
    rows = re.findall(r"<tr([^>]*)>\s*<th scope=\"row\">([^<]+)</th>\s*<td>(.*?)</td>", html, re.S)
    marked = {label: (attrs, cell) for attrs, label, cell in rows}
    for label, answer in [
        ("Fainting spells", "YES"),
        ("Seizure or convulsion ever", "UNSURE"),
        ("Hearing problems or ringing", "YES"),
    ]:
        attrs, cell = marked[label]
        assert 'class="finding' in attrs and f'<span class="mark">{answer}</span>' in cell
    attrs, cell = marked["Cochlear implant"]
    assert "finding" not in attrs and cell.strip() == "no"
    attrs, cell = marked["Current medicines lowering the seizure threshold"]
    assert "finding" in attrs and "tramadol" in cell


def test_viewing_is_audited(app: Flask, client: FlaskClient, clinician: object) -> None:
    submission = store()
    client.get(f"/clinician/submissions/{submission.id}")
    [event] = _events("submission_viewed")
    assert event.submission_id == submission.id and event.actor_id == clinician.id
    assert event.detail == {"page": "clinician_summary"}
    assert _events("evaluated") == []  # same ruleset: nothing to re-evaluate


def test_unknown_submission_is_404(app: Flask, client: FlaskClient, clinician: object) -> None:
    assert client.get("/clinician/submissions/999999").status_code == 404


def _pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("rich", [False, True], ids=["typical", "rich"])
def test_pdf_has_header_flags_and_pathways_on_at_most_two_pages(
    app: Flask, client: FlaskClient, clinician: object, rich: bool
) -> None:
    submission = store(rich_answers() if rich else None)
    response = client.get(f"/clinician/submissions/{submission.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    pages, text = _pdf_text(response.data)
    assert pages <= 2
    assert submission.reference in text and "Date of birth" in text
    assert "TMS with cognitive behavioral therapy" in text
    if rich:
        assert "Pathway summary: Okafor-Lind, Marisol" in text
        assert "URGENT: suicide risk" in text
        assert "Non-acute positive suicide risk screen: a brief safety assessment" in text
    [event] = _events("pdf_downloaded")
    assert event.submission_id == submission.id


def test_agree_review_is_stored_and_shown_beside_the_suggestion(
    app: Flask, client: FlaskClient, clinician: object
) -> None:
    submission = store()
    url = f"/clinician/submissions/{submission.id}"
    response = post(client, f"{url}/review", {"decision": "agree", "note": "Fits."})
    # To the top of the page's content (its "Review saved." notice): a redirect without a
    # fragment would keep the form's "#review-errors" in the address bar.
    assert response.status_code == 302 and response.headers["Location"].endswith(url + "#main")
    review = db.session.scalar(sa.select(ClinicianReview))
    assert review.decision == "agree" and review.clinician_id == clinician.id
    assert review.pathway_codes == ["tms_plus_cbt", "tms_plus_medication_review"]
    text = _text(client.get(url).get_data(as_text=True))
    assert "Suggested by the rules" in text and "Clinician's decision" in text
    assert "Agrees with the suggestion" in text and "Note: Fits." in text
    [event] = _events("reviewed")
    assert event.detail == {
        "decision": "agree",
        "pathways": ["tms_plus_cbt", "tms_plus_medication_review"],
    }


def test_different_review_shows_the_chosen_pathways(
    app: Flask, client: FlaskClient, clinician: object
) -> None:
    submission = store()
    url = f"/clinician/submissions/{submission.id}"
    response = post(
        client,
        f"{url}/review",
        {"decision": "different", "pathways": ["psychotherapy", "medication_evaluation"]},
    )
    assert response.status_code == 302
    review = db.session.scalar(sa.select(ClinicianReview))
    assert review.pathway_codes == ["medication_evaluation", "psychotherapy"]
    assert review.suggested_codes == ["tms_plus_cbt", "tms_plus_medication_review"]
    text = _text(client.get(url).get_data(as_text=True))
    decision = text[text.index("Clinician's decision") :]
    assert "Chose different pathways" in decision
    assert "Evidence-based psychotherapy (psychotherapy)" in decision
    assert "Psychiatric evaluation and medication management" in decision


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "different"}, "Choose at least one pathway"),
        ({"decision": "different", "pathways": ["teleport"]}, "Unknown pathway: teleport"),
        ({}, "Choose whether you agree"),
    ],
)
def test_invalid_reviews_are_refused_with_a_message(
    app: Flask, client: FlaskClient, clinician: object, data: dict, message: str
) -> None:
    submission = store()
    response = post(client, f"/clinician/submissions/{submission.id}/review", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClinicianReview)) == 0
    assert _events("reviewed") == []


def test_a_review_without_csrf_is_refused(
    app: Flask, client: FlaskClient, clinician: object
) -> None:
    submission = store()
    csrf_token(client)  # the session has a token, the form does not send it
    response = client.post(
        f"/clinician/submissions/{submission.id}/review", data={"decision": "agree"}
    )
    assert response.status_code == 400
    assert "This form had expired" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClinicianReview)) == 0


def test_reevaluation_shows_what_changed_and_keeps_the_original(
    app: Flask,
    client: FlaskClient,
    clinician: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("ruleset.yaml", "catalogue.yaml"):
        shutil.copy(DEFAULT_PATH.with_name(name), tmp_path / name)
    path = tmp_path / "ruleset.yaml"
    text = path.read_text().replace('version: "1.0.0"', 'version: "1.1.0"', 1)
    path.write_text(text.replace('hearing_problems == "yes"', 'hearing_problems != "no"', 1))
    newer = load_ruleset(path)
    monkeypatch.setattr("intake.clinician.context.current_ruleset", lambda: newer)

    answers = rich_answers()
    answers["safety_screen"]["hearing_problems"] = "unsure"
    submission = store(answers)
    original = dict(submission.evaluation)
    page = _text(client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True))
    assert "Re-evaluated under the current ruleset" in page
    assert "current ruleset is 1.1.0" in page
    assert "Flag added: hearing protection" in page
    db.session.expire_all()
    assert submission.evaluation == original  # never overwritten
    [event] = _events("evaluated")
    assert event.detail["ruleset_version"] == "1.1.0" and event.detail["changed"] is True


def test_a_changed_stored_hash_triggers_the_comparison(
    app: Flask, client: FlaskClient, clinician: object
) -> None:
    submission = store()
    evaluation = dict(submission.evaluation)
    evaluation["ruleset"] = {"version": "0.9.0", "sha256": "f" * 64}
    submission.evaluation = evaluation
    db.session.commit()
    page = _text(client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True))
    assert "made under ruleset 0.9.0" in page and "No pathway, flag or coverage change." in page


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_a_refused_review_opens_on_its_error_summary_linked_to_the_fields(
    app: Flask, client: FlaskClient, clinician: object
) -> None:
    """A review missing its protocol: the form posts to its action with ``#review-errors``
    (without JavaScript the browser lands on the summary, not 9,000 px above it); the summary
    is a focusable alert whose message links to the protocol's first option."""
    submission = store()
    url = f"/clinician/submissions/{submission.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'action="{url}/review#review-errors"' in page
    response = post(
        client,
        f"{url}/review",
        {"decision": "agree", "diagnoses": ["F33.2"], "course_sessions": "30"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'action="{url}/review#review-errors"' in html
    summary = re.search(
        r'<div class="error-summary"[^>]*id="review-errors"[^>]*>.*?</div>', html, re.S
    )
    assert summary, "no error summary with the id the form's action points at"
    tag = summary.group(0)[: summary.group(0).index(">")]
    assert 'role="alert"' in tag and 'tabindex="-1"' in tag
    assert "The review was not saved" in summary.group(0)
    assert '<a href="#course_protocol-0">Protocol: Choose the protocol.</a>' in summary.group(0)
    assert "course_protocol-0" in _ids(html)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClinicianReview)) == 0


def test_a_review_the_service_refuses_links_its_message_to_the_field(
    app: Flask, client: FlaskClient, clinician: object
) -> None:
    submission = store()
    response = post(
        client, f"/clinician/submissions/{submission.id}/review", {"decision": "different"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        '<a href="#pathways-0">Choose at least one pathway, or agree with the suggestion.</a>'
        in html
    )
    assert "pathways-0" in _ids(html)


def test_the_other_long_page_forms_post_to_their_error_summary(
    app: Flask, client: FlaskClient, clinician: object
) -> None:
    """The risk assessment and the course start sit far down the summary too."""
    from clinician_samples import rich_answers

    submission = store(rich_answers())
    url = f"/clinician/submissions/{submission.id}"
    html = client.get(url).get_data(as_text=True)
    assert f'action="{url}/risk-assessment#risk-errors"' in html
