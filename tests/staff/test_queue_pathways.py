"""The queue's pathway filter offers the loaded ruleset's pathways, with their titles.

A pathway added to the ruleset can be filtered on (in the queue and in its CSV export) without
any other change: here the ruleset gets one more pathway and nothing else is edited.

The filter reads the ``submission_pathway`` join table, one row per pathway of the stored
evaluation, written with the submission by the submit service, the test factory (below), the
API (tests/api) and the seeder (tests/staff/test_demo_commands.py).
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import re

import pytest
import sqlalchemy as sa
from answer_documents import ASQ_ACUTE, ASQ_YES, OCD_TWO_FAILED_SRIS, changed, sample_answers
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import Submission
from intake.models.submission import SubmissionPathway
from intake.rules import ruleset as rules
from intake.services import queue
from intake.services.submissions import submit_document
from tests.committed import committed_count
from tests.factories import make_submission, post


def _with_pathway(reference: str, code: str) -> Submission:
    """A stored submission whose evaluation gave pathway ``code`` (as the extra rule would)."""
    submission = make_submission(reference=reference)
    submission.evaluation = {**submission.evaluation, "pathways": [{"code": code}]}
    submission.pathway_rows = [SubmissionPathway(code=code, submitted_at=submission.submitted_at)]
    db.session.commit()
    return submission


NEW_CODE = "group_therapy"
NEW_TITLE = "Group therapy programme"


@pytest.fixture
def extra_pathway(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = rules.default_ruleset()
    template = shipped.pathways[-1]
    added = dataclasses.replace(
        template, code=NEW_CODE, title=NEW_TITLE, priority=template.priority + 1
    )
    bigger = dataclasses.replace(shipped, pathways=(*shipped.pathways, added))
    monkeypatch.setattr(rules, "default_ruleset", lambda: bigger)


def _options(page: str) -> dict[str, str]:
    start = page.index('<select id="pathway"')
    select = page[start : page.index("</select>", start)]
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    return {value: html_lib.unescape(label) for value, label in found if value}


def test_the_filter_lists_the_shipped_pathways_with_their_titles(
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
) -> None:
    login_as("front_desk")
    shipped = {rule.code: rule.title for rule in rules.default_ruleset().pathways}
    assert _options(client.get("/staff/").get_data(as_text=True)) == shipped
    assert queue.pathway_titles() == shipped


def test_a_pathway_added_to_the_ruleset_can_be_filtered_on(
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
    extra_pathway: None,
) -> None:
    login_as("front_desk")
    _with_pathway("G1", NEW_CODE)
    _with_pathway("M1", "medication_evaluation")
    assert _options(client.get("/staff/").get_data(as_text=True))[NEW_CODE] == NEW_TITLE
    page = post(client, "/staff/", {"pathway": NEW_CODE}).get_data(as_text=True)
    assert "Unknown pathway ignored" not in page
    assert re.findall(r"<td>([A-Z]\d+)</td>", page) == ["G1"]
    export = post(client, "/staff/export.csv", {"pathway": NEW_CODE}).get_data(as_text=True)
    assert [line.split(",")[0] for line in export.splitlines()[1:]] == ["G1"]


def test_without_it_the_same_code_is_refused(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    _with_pathway("G1", NEW_CODE)
    page = post(client, "/staff/", {"pathway": NEW_CODE}).get_data(as_text=True)
    assert "Unknown pathway ignored" in page


#: reference, answers changed, the pathways its evaluation gives (rules v2).
PATHWAY_ROWS = (
    ("P1", {}, {"tms_plus_cbt", "tms_plus_medication_review"}),
    ("P2", ASQ_YES, {"safety_check", "tms_plus_cbt", "tms_plus_medication_review"}),
    ("P3", ASQ_ACUTE, {"crisis_support", "medication_evaluation", "psychotherapy"}),
    ("P4", OCD_TWO_FAILED_SRIS, {"tms_plus_erp"}),
)


def _stored_pathways() -> dict[str, set[str]]:
    """The committed pathway rows by reference (each with its submission's own time)."""
    with db.engine.connect() as conn:
        found = conn.execute(
            sa.select(
                Submission.reference,
                SubmissionPathway.code,
                SubmissionPathway.submitted_at == Submission.submitted_at,
            ).join(SubmissionPathway, SubmissionPathway.submission_id == Submission.id)
        ).all()
    stored: dict[str, set[str]] = {}
    for reference, code, same_time in found:
        assert same_time, reference
        stored.setdefault(reference, set()).add(code)
    return stored


def test_the_factory_stores_each_pathway_of_the_evaluation(app: Flask) -> None:
    for reference, changes, _codes in PATHWAY_ROWS:
        make_submission(reference=reference, changes=changes, acknowledged=True)
    assert _stored_pathways() == {ref: codes for ref, _changes, codes in PATHWAY_ROWS}


def test_the_submit_service_stores_the_pathways_with_the_submission(app: Flask) -> None:
    with app.test_request_context("/intake/step/review"):
        submission = submit_document(changed(sample_answers(), ASQ_ACUTE), source="wizard")
        db.session.commit()
    assert committed_count(SubmissionPathway, SubmissionPathway.submission_id == submission.id) == 3
    assert _stored_pathways() == {
        submission.reference: {"crisis_support", "medication_evaluation", "psychotherapy"}
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("tms_plus_cbt", ["P1", "P2"]),
        ("tms_plus_medication_review", ["P1", "P2"]),
        ("tms_plus_erp", ["P4"]),
        ("crisis_support", ["P3"]),
        ("psychotherapy", ["P3"]),
        ("safety_check", ["P2"]),
        ("medication_evaluation", ["P3"]),
    ],
)
def test_the_pathway_filter_finds_exactly_its_rows(
    client: FlaskClient, login_as, code: str, expected: list[str]
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    for reference, changes, _codes in PATHWAY_ROWS:
        # Acknowledged, so the urgent ones are listed rather than pinned: one list to read.
        make_submission(reference=reference, changes=changes, acknowledged=True)
    html = post(client, "/staff/", {"pathway": code}).get_data(as_text=True)
    assert "Unknown pathway ignored" not in html
    assert sorted(re.findall(r"<td>(P\d)</td>", html)) == expected
