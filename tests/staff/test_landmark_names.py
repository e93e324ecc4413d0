"""No two landmarks of a staff or clinician page share a name (axe ``landmark-unique``): the
queue's two lists, the front desk's submission page and the clinician summary each had two
regions called the same ("Table, scrolls sideways on small screens" twice; the section
"Coverage checklist" and the table's region inside it)."""

from __future__ import annotations

import pytest
from clinician_samples import rich_answers, store
from flask import Flask
from flask.testing import FlaskClient

from tests.landmarks import landmarks, repeated_landmarks

_SCROLLS = ", scrolls sideways on small screens"


#: (the page, who opens it, its address given the urgent submission's id, the landmarks that
#: must be there; none may be repeated).
PAGES = [
    (
        "the queue's two lists",
        "front_desk",
        "/staff/",
        [
            ("region", "Urgent submissions waiting for acknowledgement" + _SCROLLS),
            ("region", "Submissions" + _SCROLLS),
        ],
    ),
    (
        "the front desk's submission page",
        "front_desk",
        "/staff/submissions/{id}",
        [
            ("region", "Medication trials" + _SCROLLS),
            ("region", "Psychotherapy trials" + _SCROLLS),
        ],
    ),
    (
        "the clinician summary: the coverage section and its table",
        "clinician",
        "/clinician/submissions/{id}",
        [
            ("region", "Coverage checklist"),
            ("region", "Coverage checklist criteria" + _SCROLLS),
        ],
    ),
]


@pytest.mark.parametrize(("page", "role", "url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_names_its_landmarks_apart(
    app: Flask,
    client: FlaskClient,
    login_as,  # type: ignore[no-untyped-def]
    page: str,
    role: str,
    url: str,
    expected: list[tuple[str, str]],
) -> None:
    login_as(role)
    urgent = store(rich_answers())  # urgent: on the queue's pinned list
    store()  # not urgent: on the queue's list of submissions
    html = client.get(url.format(id=urgent.id)).get_data(as_text=True)
    found = landmarks(html)
    for landmark in expected:
        assert landmark in found, (page, landmark)
    assert repeated_landmarks(html) == [], page
