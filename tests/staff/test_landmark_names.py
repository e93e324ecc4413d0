"""No two landmarks of a staff or clinician page share a name (axe ``landmark-unique``): the
queue's two lists, the front desk's submission page and the clinician summary each had two
regions called the same ("Table, scrolls sideways on small screens" twice; the section
"Coverage checklist" and the table's region inside it)."""

from __future__ import annotations

from clinician_samples import rich_answers, store
from flask import Flask
from flask.testing import FlaskClient

from tests.landmarks import landmarks, repeated_landmarks

_SCROLLS = ", scrolls sideways on small screens"


def test_the_queue_names_its_two_lists_apart(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    store(rich_answers())  # urgent: on the pinned list
    store()  # not urgent: on the list of submissions
    html = client.get("/staff/").get_data(as_text=True)
    found = landmarks(html)
    assert ("region", "Urgent submissions waiting for acknowledgement" + _SCROLLS) in found
    assert ("region", "Submissions" + _SCROLLS) in found
    assert repeated_landmarks(html) == []


def test_the_front_desk_submission_page_names_its_tables_apart(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    submission = store(rich_answers())
    html = client.get(f"/staff/submissions/{submission.id}").get_data(as_text=True)
    found = landmarks(html)
    assert ("region", "Medication trials" + _SCROLLS) in found
    assert ("region", "Psychotherapy trials" + _SCROLLS) in found
    assert repeated_landmarks(html) == []


def test_the_clinician_summary_names_the_coverage_table_apart_from_its_section(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("clinician")
    submission = store(rich_answers())
    html = client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True)
    found = landmarks(html)
    assert ("region", "Coverage checklist") in found  # the section
    assert ("region", "Coverage checklist criteria" + _SCROLLS) in found
    assert repeated_landmarks(html) == []
