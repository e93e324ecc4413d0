"""The queue's live updates: ``GET /staff/queue/changes`` and the header's urgent figure.

What the answer holds is written here from the spec (issue 15, item 5): counts and an opaque
cursor, never a patient's name, reference or date of birth; who may ask (the queue's roles);
that asking is not activity for the idle limit and is not audited; and that its statements
read indexes (the partial index of the unacknowledged urgent rows, the primary key).
"""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from answer_documents import ASQ_YES
from flask import Flask
from flask.testing import FlaskClient

from intake.auth.sessions import SEEN_AT
from intake.extensions import db
from intake.models import AuditEvent, Submission
from intake.models.types import utcnow
from intake.services import queue as qs
from tests.factories import make_submission, post

URL = "/staff/queue/changes"
#: Every field of the answer, and nothing else (a new field must be checked for patient data).
FIELDS = {
    "cursor",
    "stale",
    "urgent",
    "urgent_more",
    "unacknowledged_urgent",
    "unacknowledged_urgent_more",
    "new",
    "new_more",
    "new_urgent",
    "new_urgent_more",
    "header",
    "unsigned_urgent",
    "unsigned_urgent_more",
    "unsigned_header",
    "message",
    "action",
    "alert_warning",
}
IDLE_SECONDS = 15 * 60  # STAFF_IDLE_TIMEOUT, docs/staff.md


def _poll(client: FlaskClient, since: str | None = None) -> dict[str, Any]:
    response = client.get(URL, query_string={"since": since} if since else None)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body: dict[str, Any] = response.get_json()
    assert set(body) == FIELDS
    return body


def _audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0


def test_the_answer_names_no_patient(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    first = _poll(client)
    stored = make_submission(
        last_name="Quixotewell", date_of_birth=date(1971, 3, 9), changes=ASQ_YES
    )
    response = client.get(URL, query_string={"since": first["cursor"]})
    text = response.get_data(as_text=True)
    for patient_data in ("Quixotewell", "quixotewell", stored.reference, "1971", "Alex"):
        assert patient_data not in text
    assert stored.answers["patient"]["first_name"] not in text
    body = response.get_json()
    assert body["new"] == 1 and body["new_urgent"] == 1
    # Counts, flags, words and the opaque cursor: nothing else.
    assert {type(v) for k, v in body.items() if k.endswith("_more") or k == "stale"} == {bool}
    for key in ("urgent", "unacknowledged_urgent", "new", "new_urgent"):
        assert isinstance(body[key], int)


@pytest.mark.parametrize(
    ("roles", "status"),
    [((), 401), (("admin",), 403), (("front_desk",), 200), (("clinician",), 200)],
    ids=["anonymous", "admin", "front_desk", "clinician"],
)
def test_who_may_ask(client: FlaskClient, login_as, roles: tuple[str, ...], status: int) -> None:  # type: ignore[no-untyped-def]
    if roles:
        login_as(*roles)
    response = client.get(URL)
    assert response.status_code == status
    if status == 401:
        # A JSON answer, not the sign-in page: the script sees its session ended and stops.
        assert response.get_json() == {"error": "signed_out"}


def test_a_bad_cursor_is_refused(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    for token in ("x", "1.2.3", "-1.0", "1" * 19 + ".0"):
        response = client.get(URL, query_string={"since": token})
        assert response.status_code == 400, token
        assert response.get_json() == {"error": "bad_cursor"}


def test_counts_follow_new_submissions_and_acknowledgements(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    make_submission(changes=ASQ_YES)
    make_submission()
    page = _poll(client)
    assert (page["urgent"], page["unacknowledged_urgent"], page["new"]) == (1, 1, 0)
    assert page["header"] == "1 urgent not acknowledged"
    assert not page["stale"]

    same = _poll(client, page["cursor"])
    assert (same["stale"], same["new"], same["message"], same["action"]) == (False, 0, "", "")
    assert same["cursor"] == page["cursor"]

    make_submission()
    one_more = _poll(client, page["cursor"])
    assert (one_more["stale"], one_more["new"], one_more["new_urgent"]) == (True, 1, 0)
    assert (one_more["message"], one_more["action"]) == ("1 new submission", "Show them")

    make_submission(changes=ASQ_YES)
    urgent = _poll(client, page["cursor"])
    assert (urgent["new"], urgent["new_urgent"], urgent["urgent"]) == (2, 1, 2)
    assert urgent["header"] == "2 urgent not acknowledged"
    assert urgent["message"] == "2 new submissions, 1 urgent"
    assert urgent["cursor"] != page["cursor"]

    # Someone else acknowledges the older urgent one: nothing new, but the page is stale.
    latest = _poll(client, urgent["cursor"])
    assert not latest["stale"]
    older = db.session.scalars(
        sa.select(Submission).where(Submission.urgent.is_(True)).order_by(Submission.id)
    ).first()
    assert older is not None
    older.acknowledged_at = utcnow()
    db.session.commit()
    acknowledged = _poll(client, latest["cursor"])
    assert (acknowledged["stale"], acknowledged["new"], acknowledged["urgent"]) == (True, 0, 1)
    assert acknowledged["message"] == "The urgent list has changed since this page was loaded"
    assert acknowledged["action"] == "Show the changes"


def test_counts_are_capped(client: FlaskClient, login_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Past the cap a figure reads "more than N" (the caps shrunk to 2 here, from 10,000 and
    100, so three submissions pass them)."""
    monkeypatch.setattr(qs, "COUNT_CAP", 2)
    monkeypatch.setattr(qs, "NEW_CAP", 2)
    login_as("clinician")
    page = _poll(client)
    for _ in range(3):
        make_submission(changes=ASQ_YES)
    body = _poll(client, page["cursor"])
    assert (body["urgent"], body["urgent_more"]) == (2, True)
    assert (body["unacknowledged_urgent"], body["unacknowledged_urgent_more"]) == (2, True)
    assert (body["new"], body["new_more"], body["new_urgent"], body["new_urgent_more"]) == (
        2,
        True,
        2,
        True,
    )
    assert body["header"] == "more than 2 urgent not acknowledged"
    assert body["message"] == "more than 2 new submissions, more than 2 urgent"
    # Still past the cap a moment later: not stale for that alone.
    assert not _poll(client, body["cursor"])["stale"]


def test_polling_is_not_audited(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    make_submission(changes=ASQ_YES)
    before = _audit_count()
    cursor = _poll(client)["cursor"]
    for _ in range(3):
        _poll(client, cursor)
    assert _audit_count() == before


def _seen_at(client: FlaskClient) -> int:
    with client.session_transaction() as sess:
        return int(sess[SEEN_AT])


def _set_seen_at(client: FlaskClient, value: int) -> None:
    with client.session_transaction() as sess:
        sess[SEEN_AT] = value


def test_polling_does_not_keep_an_idle_session_open(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    last_activity = int(time.time()) - (IDLE_SECONDS - 60)  # idle for 14 of 15 minutes
    _set_seen_at(client, last_activity)
    response = client.get(URL)
    assert response.status_code == 200
    assert _seen_at(client) == last_activity  # the idle clock, in the session cookie, is unmoved

    # A page is activity: the same session's idle clock starts again.
    client.get("/staff/")
    assert _seen_at(client) > last_activity

    # Past the idle limit with only polls in between, the session ends: the poll answers 401.
    _set_seen_at(client, int(time.time()) - IDLE_SECONDS - 1)
    response = client.get(URL)
    assert response.status_code == 401
    assert response.get_json() == {"error": "signed_out"}
    assert client.get("/staff/").status_code == 302  # signed out for the pages too
    reasons = db.session.scalars(
        sa.select(AuditEvent.detail).where(AuditEvent.action == "session_expired")
    ).all()
    assert {"reason": "idle"} in reasons


def test_urgent_counts_reads_the_queues_own_figures(app: Flask) -> None:
    """The service agrees with the pinned list's own count and with the newest id."""
    assert qs.urgent_counts() == qs.UrgentCounts(qs.Count(0), qs.Count(0), 0)
    make_submission(changes=ASQ_YES)
    make_submission(changes=ASQ_YES, acknowledged=True)
    newest = make_submission(submitted_at=utcnow() - timedelta(days=3))  # an old date, last id
    counts = qs.urgent_counts()
    assert counts.needing_attention == qs.Count(1)
    assert counts.unacknowledged == qs.pinned(qs.QueueFilters()).total
    assert counts.newest_id == newest.id
    assert qs.QueueCursor.parse(str(counts.cursor)) == counts.cursor


# --- the statements read indexes ---------------------------------------------------------------


def _statements_of(call: Any) -> list[tuple[str, Any]]:
    """The SQL ``call`` sends, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


def _plan(statement: str, parameters: Any, postgres: bool) -> str:
    conn = db.session.connection()
    if postgres:
        rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
        return "\n".join(row[0] for row in rows)
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_poll_and_the_header_read_indexes(app: Flask, is_postgres: bool) -> None:
    """Every statement of the header's figure and of a poll reads an index, never the table:
    on PostgreSQL the partial index of the unacknowledged urgent rows for the urgent counts,
    the primary key for the newest id and the arrivals. (PostgreSQL is told to avoid
    sequential scans, so a plan that cannot use an index still shows one: a handful of test
    rows would otherwise be scanned whatever the indexes.)"""
    for _ in range(3):
        make_submission(changes=ASQ_YES)
        make_submission()
    cursor = qs.urgent_counts().cursor
    since = qs.QueueCursor(cursor.newest_id - 2, cursor.urgent)
    statements = (
        _statements_of(qs.urgent_counts)
        + _statements_of(lambda: qs.queue_changes(since))
        + _statements_of(lambda: qs.urgent_counts(clinician=True))
        + _statements_of(lambda: qs.queue_changes(since, clinician=True))
    )
    assert len(statements) == 4  # one statement each, a clinician's too
    conn = db.session.connection()
    if is_postgres:
        conn.exec_driver_sql("SET enable_seqscan = off")
        # A bitmap scan of the plain urgent index, filtered, costs about the same as the
        # partial index for six rows (whose entries carry the worklist's columns since 0016);
        # at scale the partial index wins (bench.queue_bench). Compare index scans only.
        conn.exec_driver_sql("SET enable_bitmapscan = off")
    try:
        for statement, parameters in statements:
            plan = _plan(statement, parameters, is_postgres)
            if is_postgres:
                assert "ix_submission_pinned" in plan, plan
                assert "Seq Scan" not in plan, plan
            else:
                # SQLite, unanalysed, may take (urgent, submitted_at) for the urgent count
                # instead of the partial index: an index either way, never the whole table.
                scans = [line for line in plan.splitlines() if line.startswith("SCAN submission")]
                assert all(" USING " in line for line in scans), plan
    finally:
        if is_postgres:
            conn.exec_driver_sql("RESET enable_seqscan")
            conn.exec_driver_sql("RESET enable_bitmapscan")


# --- the header's urgent figure and the Refresh control ----------------------------------------

HEADER_LINK = 'href="/staff/?urgent=yes#pinned"'


def app_client(client: FlaskClient) -> FlaskClient:
    """Another browser on the same app."""
    return client.application.test_client()


def _header(html: str) -> str:
    return html[html.index("<header") : html.index("</header>")]


def test_the_header_shows_the_urgent_figure_on_every_patient_data_page(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    make_submission(changes=ASQ_YES)
    s = make_submission(changes=ASQ_YES)
    login_as("front_desk")
    for url in (
        "/staff/",
        f"/staff/submissions/{s.id}",
        f"/staff/submissions/{s.id}/insurance",
        "/staff/account",
        "/staff/device",
    ):
        header = _header(client.get(url).get_data(as_text=True))
        assert "2 urgent not acknowledged" in header, url
        assert HEADER_LINK in header, url
        assert 'data-live-changes="/staff/queue/changes?since=' in header, url
        assert "js/staff-live.js" not in header  # the script comes at the end of the page

    clinician = app_client(client)
    login_as("clinician", on=clinician)
    for url in ("/staff/", f"/clinician/submissions/{s.id}", "/staff/account"):
        header = _header(clinician.get(url).get_data(as_text=True))
        assert "2 urgent not acknowledged" in header, url
        assert HEADER_LINK in header, url


def test_no_urgent_figure_for_an_admin_or_a_patient(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    make_submission(changes=ASQ_YES)
    login_as("admin")
    for url in ("/admin/", "/admin/users", "/admin/audit", "/staff/account", "/staff/device"):
        html = client.get(url).get_data(as_text=True)
        assert "urgent not acknowledged" not in html, url
        assert "urgent-count" not in html and "queue/changes" not in html, url
        assert "staff-live.js" not in html, url
    patient = app_client(client)
    for url in ("/", "/staff/login"):
        response = patient.get(url, follow_redirects=True)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "urgent not acknowledged" not in html and "staff-live.js" not in html, url


def test_the_header_figure_is_one_capped_statement_per_page(
    client: FlaskClient, login_as, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(qs, "COUNT_CAP", 2)
    for _ in range(3):
        make_submission(changes=ASQ_YES)
    s = make_submission()
    login_as("front_desk")
    statements = _statements_of(lambda: client.get(f"/staff/submissions/{s.id}"))
    newest_id_reads = [sql for sql, _ in statements if "max(submission.id)" in sql]
    assert len(newest_id_reads) == 1
    html = client.get(f"/staff/submissions/{s.id}").get_data(as_text=True)
    assert "more than 2 urgent not acknowledged" in _header(html)


def _refresh_form(html: str) -> dict[str, str]:
    start = html.index('<form id="queue-refresh"')
    form = html[start : html.index("</form>", start)]
    assert '<button type="submit" class="secondary">Refresh</button>' in form
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_refresh_reloads_the_queue_with_its_filters(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    """Without JavaScript: a Refresh button POSTs the filters shown, the search among them."""
    login_as("front_desk")
    make_submission(last_name="Castellanos", status="in_review")
    make_submission(last_name="Castellanos")
    fields = _refresh_form(client.get("/staff/").get_data(as_text=True))
    assert set(fields) == {"csrf_token", "sort"}
    html = post(
        client, "/staff/", {"q": "castell", "status": "in_review", "sort": "oldest"}
    ).get_data(as_text=True)
    fields = _refresh_form(html)
    assert {k: v for k, v in fields.items() if k != "csrf_token"} == {
        "q": "castell",
        "status": "in_review",
        "sort": "oldest",
    }
    make_submission(last_name="Castellanos", status="in_review")
    again = client.post("/staff/", data=fields).get_data(as_text=True)
    assert again.count("Castellanos, ") == 2  # both in review, the new one too
    assert '<option selected value="in_review">' in again


def test_a_clinicians_header_counts_the_list_waiting_for_sign_off(
    client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    """A clinician's header says how many urgent submissions wait for a clinician's sign-off
    (docs/staff.md, the risk workflow), drawn with the page and polled like the urgent figure;
    a contact attempt does not change it, a sign-off does. The front desk has no such figure."""
    from intake.services import risk
    from tests.factories import make_user

    first = make_submission(changes=ASQ_YES)
    make_submission(changes=ASQ_YES)
    make_submission()
    doctor = login_as("clinician")
    html = client.get("/clinician/").get_data(as_text=True)
    assert 'id="unsigned-count"' in _header(html)
    assert "Urgent, not signed off (2)" in _header(html)
    cursor = _poll(client)["cursor"]
    risk.record_contact_attempt(first, by=make_user("front_desk"), outcome="no_answer", note="")
    db.session.commit()
    polled = _poll(client, cursor)
    assert (polled["unsigned_urgent"], polled["unacknowledged_urgent"]) == (2, 1)
    risk.record_assessment(
        first,
        by=doctor,
        outcome="no_current_risk",
        note="",
        assessed_at=utcnow(),
        expected_version=first.version,
    )
    db.session.commit()
    polled = _poll(client, cursor)
    assert (polled["unsigned_urgent"], polled["unsigned_header"]) == (
        1,
        "Urgent, not signed off (1)",
    )

    desk = app_client(client)
    login_as("front_desk", on=desk)
    html = desk.get("/staff/").get_data(as_text=True)
    assert 'id="unsigned-count"' not in _header(html)
    assert _poll(desk)["unsigned_urgent"] is None
