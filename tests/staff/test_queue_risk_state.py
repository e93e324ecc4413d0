"""The queue shows where each urgent line stands in the risk workflow, without a query per line.

States, from docs/staff.md ("The risk workflow"): "not contacted"; "contacted (<outcome>),
awaiting clinician"; "signed off by clinician" (and, for a line acknowledged by the earlier
form, "acknowledged, awaiting clinician").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from answer_documents import ASQ_YES
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models.types import utcnow
from intake.services import risk
from tests.factories import make_submission, make_user


def _line_states(html: str) -> dict[str, str]:
    """Reference → the risk state printed on its line."""
    states = {}
    for row in re.findall(r"<tr class=\"row-urgent[^\"]*\">(.*?)</tr>", html, re.S):
        reference = re.findall(r"<td>([A-Z0-9]{8})</td>", row)
        state = re.search(r'<span class="risk-state[^"]*">([^<]+)</span>', row)
        if reference and state:
            states[reference[0]] = state.group(1)
    return states


def test_each_urgent_line_says_where_it_stands(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    desk = login_as("front_desk")
    doctor = make_user("clinician")
    now = utcnow()
    make_submission(changes=ASQ_YES, reference="WAIT0001", submitted_at=now - timedelta(hours=1))
    called = make_submission(
        changes=ASQ_YES, reference="CALL0001", submitted_at=now - timedelta(hours=2)
    )
    signed = make_submission(
        changes=ASQ_YES, reference="SIGN0001", submitted_at=now - timedelta(hours=3)
    )
    make_submission(changes=ASQ_YES, reference="OLDA0001", acknowledged=True)  # the earlier form
    make_submission(reference="CALM0001")
    risk.record_contact_attempt(called, by=desk, outcome="no_answer", note="")
    risk.record_contact_attempt(called, by=desk, outcome="left_voicemail", note="")
    risk.record_contact_attempt(signed, by=desk, outcome="reached", note="Fine, coming in.")
    risk.record_assessment(
        signed,
        by=doctor,
        assessed_at=None,
        outcome="no_current_risk",
        note="",
        expected_version=signed.version,
    )
    db.session.commit()
    html = client.get("/staff/").get_data(as_text=True)
    assert _line_states(html) == {
        "WAIT0001": "not contacted",
        "CALL0001": "contacted (left a voicemail), awaiting clinician",
        "SIGN0001": "signed off by clinician",
        "OLDA0001": "acknowledged, awaiting clinician",
    }
    pinned = html[html.index('id="pinned"') : html.index('id="list-heading"')]
    assert "WAIT0001" in pinned and "CALL0001" not in pinned  # a call takes it off the pins


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_the_queue_reads_the_contact_states_in_one_query_whatever_the_page_holds(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    desk = login_as("front_desk")
    counts = []
    for batch in (2, 8):
        for _ in range(batch):
            s = make_submission(changes=ASQ_YES)
            risk.record_contact_attempt(s, by=desk, outcome="no_answer", note="")
        db.session.commit()
        with _statements() as statements:
            assert client.get("/staff/").status_code == 200
        counts.append(len([s for s in statements if "contact_attempt" in s]))
    assert counts == [1, 1]
