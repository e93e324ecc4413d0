"""Ids in URLs and search fields too large for the database are a 404 or no match, not a 500."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.factories import make_submission

TOO_BIG = str(2**31)  # one past PostgreSQL's integer
HUGE = "9" * 25


@pytest.mark.parametrize("number", [TOO_BIG, HUGE])
@pytest.mark.parametrize(
    "template",
    [
        "/staff/submissions/{n}",
        "/staff/submissions/{n}/insurance",
        "/staff/submissions/{n}/prior-auth",
        "/staff/submissions/{s}/notes/{n}",
        "/staff/checkins/{n}",
        "/clinician/submissions/{n}",
        "/clinician/submissions/{n}.pdf",
        "/admin/users/{n}/password",
    ],
)
def test_out_of_range_ids_in_urls_are_not_found(
    client: FlaskClient, login_as, template: str, number: str
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk", "clinician", "admin")
    s = make_submission()
    assert client.get(template.format(n=number, s=s.id)).status_code == 404


@pytest.mark.parametrize("number", [TOO_BIG, HUGE])
def test_audit_search_with_an_out_of_range_submission_id_finds_nothing(
    client: FlaskClient, login_as, number: str
) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    response = client.get(f"/admin/audit?submission={number}")
    assert response.status_code == 200
