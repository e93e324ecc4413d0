"""The queue: urgent pinned on top, filters, search (POST only), sorting and pagination."""

from __future__ import annotations

import re
from datetime import date, timedelta

from answer_documents import ASQ_ACUTE, ASQ_YES, OCD_TWO_FAILED_SRIS
from flask.testing import FlaskClient

from intake.models.types import utcnow
from intake.names import fold_name
from intake.services import queue
from tests.factories import make_submission, post


def _references(html: str) -> list[str]:
    return re.findall(r"<td>(T\d{7}|[A-Z]\d+)</td>", html)


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_urgent_unacknowledged_first_then_newest(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    now = utcnow()
    make_submission(reference="A1", submitted_at=now - timedelta(hours=1))
    make_submission(reference="A2", submitted_at=now - timedelta(minutes=5))
    make_submission(reference="U1", changes=ASQ_YES, submitted_at=now - timedelta(hours=3))
    make_submission(reference="U2", changes=ASQ_YES, submitted_at=now - timedelta(hours=2))
    make_submission(
        reference="K1", changes=ASQ_YES, acknowledged=True, submitted_at=now - timedelta(minutes=30)
    )
    html = client.get("/staff/").get_data(as_text=True)
    pinned = _section(html, "pinned-heading")
    listing = _section(html, "list-heading")
    assert _references(pinned) == ["U1", "U2"]  # longest waiting first
    assert "URGENT – not acknowledged" in pinned
    assert "Waiting 3 h" in pinned
    assert _references(listing) == ["A2", "K1", "A1"]
    assert "Urgent – acknowledged" in listing
    assert "2 urgent not acknowledged" in html


def test_acute_risk_is_pinned_before_non_acute_whatever_the_wait(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    """Rules v2: acute (crisis support now) before non-acute (a same-day check-in)."""
    login_as("front_desk")
    now = utcnow()
    make_submission(reference="N1", changes=ASQ_YES, submitted_at=now - timedelta(hours=5))
    make_submission(reference="C1", changes=ASQ_ACUTE, submitted_at=now - timedelta(minutes=10))
    make_submission(reference="N2", changes=ASQ_YES, submitted_at=now - timedelta(hours=4))
    make_submission(reference="C2", changes=ASQ_ACUTE, submitted_at=now - timedelta(hours=1))
    pinned = _section(client.get("/staff/").get_data(as_text=True), "pinned-heading")
    assert _references(pinned) == ["C2", "C1", "N1", "N2"]
    assert pinned.count("ACUTE RISK – crisis support now – not acknowledged") == 2
    assert pinned.count("URGENT – not acknowledged") == 2


def test_filters(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    make_submission(reference="D1", primary_concern="depression", coverage_type="medicare")
    make_submission(
        reference="O1", primary_concern="ocd", status="in_review", changes=OCD_TWO_FAILED_SRIS
    )
    make_submission(reference="U1", changes=ASQ_YES, coverage_type="self_pay")
    old = make_submission(reference="X9", submitted_at=utcnow() - timedelta(days=40))

    def refs(**filters: str) -> list[str]:
        return sorted(_references(post(client, "/staff/", filters).get_data(as_text=True)))

    assert refs(status="in_review") == ["O1"]
    assert refs(concern="ocd") == ["O1"]
    assert refs(coverage="medicare") == ["D1"]
    assert refs(pathway="tms_plus_erp") == ["O1"]
    assert refs(pathway="safety_check") == ["U1"]
    assert refs(urgent="yes") == ["U1"]
    assert refs(urgent="no") == ["D1", "O1", "X9"]
    since = (utcnow() - timedelta(days=2)).date().isoformat()
    assert refs(date_from=since) == ["D1", "O1", "U1"]
    assert refs(date_to=old.submitted_at.date().isoformat()) == ["X9"]
    # Non-identifying filters also work as GET parameters.
    assert sorted(_references(client.get("/staff/?concern=ocd").get_data(as_text=True))) == ["O1"]
    # Unknown values are ignored with a message, not an error.
    assert "ignored" in post(client, "/staff/", {"status": "bogus"}).get_data(as_text=True)


def test_search_by_last_name_reference_and_dob(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    make_submission(reference="R1", last_name="Álvarez", date_of_birth=date(1990, 1, 2))
    make_submission(reference="R2", last_name="Alvarado", date_of_birth=date(1970, 5, 6))
    make_submission(reference="R3", last_name="Smith", date_of_birth=date(1990, 1, 2))

    def refs(q: str) -> list[str]:
        return sorted(_references(post(client, "/staff/", {"q": q}).get_data(as_text=True)))

    assert refs("alvarez") == ["R1"]
    assert refs("ALVAR") == ["R1", "R2"]
    assert refs("r3") == ["R3"]
    assert refs("1990-01-02") == ["R1", "R3"]
    assert refs("01/02/1990") == ["R1", "R3"]
    assert refs("%") == []
    # A search term in the URL is ignored: patient data never travels in a URL.
    assert sorted(_references(client.get("/staff/?q=smith").get_data(as_text=True))) == [
        "R1",
        "R2",
        "R3",
    ]


def test_fold_name() -> None:
    assert fold_name("  Ñúñez ") == "nunez"


def test_sorting_and_pagination(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    now = utcnow()
    for i in range(queue.PAGE_SIZE + 5):
        make_submission(
            reference=f"P{i:03d}",
            last_name=f"Name{(queue.PAGE_SIZE + 5 - i):03d}",
            submitted_at=now - timedelta(minutes=i),
        )
    first = post(client, "/staff/", {}).get_data(as_text=True)
    assert len(_references(first)) == queue.PAGE_SIZE
    assert _references(first)[0] == "P000"
    assert "Page 1 of 2" in first
    second = post(client, "/staff/", {"page": "2"}).get_data(as_text=True)
    assert _references(second) == [f"P{i:03d}" for i in range(50, 55)]
    oldest = post(client, "/staff/", {"sort": "oldest"}).get_data(as_text=True)
    assert _references(oldest)[0] == "P054"
    by_name = post(client, "/staff/", {"sort": "last_name"}).get_data(as_text=True)
    assert _references(by_name)[0] == "P054"  # Name001
    # Filters travel with the page buttons as hidden fields.
    filtered = post(client, "/staff/", {"concern": "depression"}).get_data(as_text=True)
    assert 'name="concern" value="depression"' in filtered


def test_waited() -> None:
    now = utcnow()
    assert queue.waited(now - timedelta(minutes=5), now) == "5 min"
    assert queue.waited(now - timedelta(hours=3, minutes=20), now) == "3 h 20 min"
    assert queue.waited(now - timedelta(days=2, hours=4), now) == "2 days 4 h"


def test_search_by_dashed_reference_typed_loosely(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    make_submission(reference="K7M4-QP9X", last_name="Jones")
    html = post(client, "/staff/", {"q": "k7m4 qp9x"}).get_data(as_text=True)
    assert "K7M4-QP9X" in html
    assert "Jones" in html


def test_the_last_possible_end_date_is_no_upper_bound_not_a_500(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    s = make_submission(last_name="Farday")
    for response in (
        client.get("/staff/?date_to=9999-12-31"),
        post(client, "/staff/", {"date_to": "12/31/9999"}),
    ):
        assert response.status_code == 200
        assert s.reference in response.get_data(as_text=True)
    response = post(client, "/staff/export.csv", {"date_to": "9999-12-31"})
    assert response.status_code == 200
    assert s.reference in response.get_data(as_text=True)
