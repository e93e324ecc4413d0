"""The queue's pathway filter offers the loaded ruleset's pathways, with their titles.

A pathway added to the ruleset can be filtered on (in the queue and in its CSV export) without
any other change: here the ruleset gets one more pathway and nothing else is edited.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import re

import pytest
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import Submission
from intake.rules import ruleset as rules
from intake.services import queue
from tests.factories import make_submission, post


def _with_pathway(reference: str, code: str) -> Submission:
    """A stored submission whose evaluation gave pathway ``code`` (as the extra rule would)."""
    submission = make_submission(reference=reference)
    submission.evaluation = {**submission.evaluation, "pathways": [{"code": code}]}
    submission.pathway_codes = f",{code},"
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
