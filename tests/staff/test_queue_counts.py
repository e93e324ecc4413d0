"""The unfiltered queue takes its pinned count from the staff header's figures (issue 13: the
same unacknowledged urgent rows were counted twice per page); a filtered queue counts its own.

What the page must say is docs/staff.md's: the pinned heading's count, "Showing N of M" when
more are pinned than the page shows, and the header's "N urgent not acknowledged".
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from answer_documents import ASQ_YES
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.services import queue as qs
from tests.factories import make_submission

#: A count of the unacknowledged urgent rows, however it is phrased in SQL.
PINNED_COUNT = re.compile(
    r"count\(\*\).*FROM submission WHERE submission\.urgent( = 1| = true)? "
    r"AND submission\.acknowledged_at IS NULL"
)


def _pinned_counts(app: Flask, client: FlaskClient, **form: str) -> tuple[str, int]:
    """The page, and how many statements counted the pinned rows while drawing it."""
    sent: list[str] = []

    def keep(conn: object, cursor: object, statement: str, *args: object) -> None:
        sent.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        page = client.get("/staff/", query_string=form)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
    assert page.status_code == 200
    return page.get_data(as_text=True), sum(bool(PINNED_COUNT.search(s)) for s in sent)


@pytest.fixture
def three_pinned(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three unacknowledged urgent submissions, a page showing two of them."""
    monkeypatch.setattr(qs, "PINNED_LIMIT", 2)
    for n in range(3):
        make_submission(changes=ASQ_YES, reference=f"PIN{n}0001")
    make_submission(reference="CALM0001")
    db.session.commit()


@pytest.mark.usefixtures("three_pinned")
def test_the_unfiltered_queue_counts_the_pinned_rows_once(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    html, counted = _pinned_counts(app, client)
    assert "Urgent, not yet acknowledged (3)" in html
    assert "Showing 2 of 3" in html
    assert "3 urgent not acknowledged" in html  # the header
    assert html.count('<tr class="row-urgent">') == 2
    assert counted == 1


@pytest.mark.usefixtures("three_pinned")
def test_a_filtered_queue_counts_its_own_pinned_rows(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    html, counted = _pinned_counts(app, client, status="new")
    assert "Urgent, not yet acknowledged (3)" in html and "Showing 2 of 3" in html
    assert counted == 2  # the header's, and the filtered pinned rows' own

    html, _counted = _pinned_counts(app, client, status="closed")
    assert "Urgent, not yet acknowledged (0)" in html
    assert "3 urgent not acknowledged" in html  # the header is never filtered
