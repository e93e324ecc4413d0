"""Urgent check-ins reach staff (issue 16, docs/staff.md "Urgent check-ins"): pinned above the
queue until acknowledged, counted in the staff header and its poll, on the clinicians' urgent
list until signed off; the check-in page in staff wording with its acknowledge and sign-off
forms, version-checked. Expectations are written here from the issue and docs/staff.md.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
import sqlalchemy as sa
from answer_documents import ASQ_YES
from checkin_samples import NONE_ASQ, completed
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent, CheckIn
from tests.factories import make_submission, post

ACUTE_ASQ = {**NONE_ASQ, "wished_dead": "yes", "thoughts_right_now": "yes"}


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def _acute() -> CheckIn:
    return completed([1] * 8 + [3], asq=ACUTE_ASQ)


def _urgent_not_acute() -> CheckIn:
    return completed([1] * 8 + [0], seizure="mild")


def _calm() -> CheckIn:
    return completed([1] * 8 + [0])


def test_the_queue_pins_urgent_check_ins_until_acknowledged(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    acute, seizure, calm = _acute(), _urgent_not_acute(), _calm()
    refs = {c.id: c.course.submission.reference for c in (acute, seizure, calm)}
    login_as("front_desk")
    html = client.get("/staff/").get_data(as_text=True)
    pinned = _section(html, "checkins-heading")
    text = _text(pinned)
    assert "Urgent check-ins, not yet acknowledged (2)" in text
    # Acute first, in words, each linking to its page; the calm one is not pinned.
    assert text.index(f"Check-in of {refs[acute.id]}") < text.index(
        f"Check-in of {refs[seizure.id]}"
    )
    assert "ACUTE RISK crisis support now" in text and "URGENT not acute" in text
    assert f'href="/staff/checkins/{acute.id}"' in pinned
    assert refs[calm.id] not in pinned
    assert html.index('id="checkins-heading"') < html.index('id="pinned-heading"')
    [event] = db.session.scalars(
        sa.select(AuditEvent.detail).where(AuditEvent.action == "queue_viewed")
    ).all()
    assert event["checkins_shown"] == [acute.id, seizure.id]


def test_the_header_and_its_poll_count_urgent_check_ins(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    make_submission(changes=ASQ_YES)
    acute = _acute()
    _calm()
    login_as("clinician")
    header = client.get("/staff/account").get_data(as_text=True)
    assert "2 urgent not acknowledged" in header
    assert "Urgent, not signed off (2)" in header
    body = client.get("/staff/queue/changes").get_json()
    assert (body["urgent"], body["header"]) == (2, "2 urgent not acknowledged")
    assert (body["unsigned_urgent"], body["unsigned_header"]) == (2, "Urgent, not signed off (2)")
    cursor = body["cursor"]
    # Acknowledged: out of the header's figure, still unsigned for clinicians; the page is stale.
    page = client.get(f"/staff/checkins/{acute.id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert version is not None
    response = post(
        client,
        f"/staff/checkins/{acute.id}/acknowledge",
        {"note": "called", "version": version.group(1)},
    )
    assert response.status_code == 302
    later = client.get("/staff/queue/changes", query_string={"since": cursor}).get_json()
    assert (later["urgent"], later["unsigned_urgent"], later["stale"]) == (1, 2, True)


def test_the_clinicians_list_holds_check_ins_until_signed_off(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    acute, seizure = _acute(), _urgent_not_acute()
    ref = acute.course.submission.reference
    acute.acknowledged_at = acute.completed_at  # acknowledged by the front desk: still listed
    db.session.commit()
    login_as("clinician")
    html = client.get("/clinician/").get_data(as_text=True)
    section = _text(_section(html, "checkins-heading"))
    assert "Urgent check-ins waiting for a clinician's sign-off (2)" in section
    assert f"Check-in of {ref}" in section and "Acknowledged" in section
    title = html[html.index("<title>") : html.index("</title>")]
    assert "<" not in title[1:] and ref not in title  # the list is on the page, not in its title
    page = client.get(f"/staff/checkins/{acute.id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    response = post(
        client,
        f"/staff/checkins/{acute.id}/sign-off",
        {"outcome": "safety_plan", "note": "", "version": version},
    )
    assert response.status_code == 302
    html = client.get("/clinician/").get_data(as_text=True)
    section = _text(_section(html, "checkins-heading"))
    assert "(1)" in section and ref not in section
    assert seizure.course.submission.reference in section


def _version(client: FlaskClient, checkin_id: int) -> str:
    page = client.get(f"/staff/checkins/{checkin_id}").get_data(as_text=True)
    found = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert found is not None
    return found.group(1)


def test_the_check_in_page_shows_the_answers_in_staff_wording_and_is_audited(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    checkin = _acute()
    login_as("front_desk")
    response = client.get(f"/staff/checkins/{checkin.id}")
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    assert "ACUTE RISK – crisis support now – not acknowledged" in text
    assert "suicide risk acute" in text
    assert "PHQ-9 (total 11)" in text and "GAD-7 (total 7)" in text
    # Staff wording: PHQ-9 item 9's short label, the ASQ's, a side effect's.
    assert "9. Thoughts of death or self-harm nearly every day" in text
    assert "Q5 Thoughts of killing yourself right now yes" in text
    assert "seizure None" in text
    assert "Sign off" not in text  # a clinician's form only
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "checkin_viewed")
    ).all()
    assert event.detail == {"course_id": checkin.course_id, "checkin_id": checkin.id}
    assert event.submission_id == checkin.course.submission_id


def test_the_front_desk_acknowledges_but_only_a_clinician_signs_off(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    checkin = _acute()
    checkin_id = checkin.id
    login_as("front_desk")
    version = _version(client, checkin_id)
    refused = post(
        client,
        f"/staff/checkins/{checkin_id}/sign-off",
        {"outcome": "safety_plan", "version": version},
    )
    assert refused.status_code == 403
    response = post(
        client,
        f"/staff/checkins/{checkin_id}/acknowledge",
        {"note": "Left a voicemail", "version": version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(CheckIn, checkin_id)
    assert saved is not None and saved.acknowledged_at is not None and saved.signed_off_at is None
    assert saved.acknowledge_note == "Left a voicemail"
    assert "Left a voicemail" in _text(
        client.get(response.headers["Location"]).get_data(as_text=True)
    )


def test_a_stale_form_is_a_conflict_and_changes_nothing(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    checkin = _acute()
    checkin_id = checkin.id
    login_as("clinician")
    stale = _version(client, checkin_id)
    # A colleague acknowledges first.
    other = app.test_client()
    login_as("front_desk", on=other)
    assert (
        post(
            other, f"/staff/checkins/{checkin_id}/acknowledge", {"note": "first", "version": stale}
        ).status_code
        == 302
    )
    response = post(
        client,
        f"/staff/checkins/{checkin_id}/sign-off",
        {"outcome": "other", "note": "my assessment", "version": stale},
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "someone else acted on this check-in" in _text(html)
    assert "my assessment" in html  # what was typed is kept
    db.session.expire_all()
    saved = db.session.get(CheckIn, checkin_id)
    assert saved is not None and saved.signed_off_at is None and saved.acknowledge_note == "first"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "other", "note": ""}, "Write a note for Other."),
        ({"outcome": "maybe", "note": ""}, "Not a valid choice"),
    ],
)
def test_a_sign_off_needs_an_outcome_and_a_note_for_other(
    app: Flask, client: FlaskClient, login_as, data: dict[str, Any], message: str
) -> None:  # type: ignore[no-untyped-def]
    checkin = _acute()
    checkin_id = checkin.id
    login_as("clinician")
    version = _version(client, checkin_id)
    response = post(client, f"/staff/checkins/{checkin_id}/sign-off", {**data, "version": version})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in _text(html)
    assert f'action="/staff/checkins/{checkin_id}/sign-off#problems"' in html
    assert 'id="problems"' in html
    if "outcome" in data and data["outcome"] == "maybe":  # the form's own error: at its field
        assert 'href="#outcome-0"' in html and 'id="outcome-0"' in html
    db.session.expire_all()
    assert db.session.get(CheckIn, checkin_id).signed_off_at is None  # type: ignore[union-attr]


def test_the_headers_check_in_counts_read_their_partial_indexes(
    app: Flask, is_postgres: bool
) -> None:
    """The header's check-in figures are read from the partial indexes of the urgent
    check-ins (unacknowledged; not signed off), never by scanning every check-in."""
    from intake.services import queue as qs
    from tests.staff.test_queue_live import _plan, _statements_of

    _acute()
    _calm()
    [(statement, parameters)] = _statements_of(lambda: qs.urgent_counts(clinician=True))
    conn = db.session.connection()
    if is_postgres:
        conn.exec_driver_sql("SET enable_seqscan = off")
    try:
        plan = _plan(statement, parameters, is_postgres)
    finally:
        if is_postgres:
            conn.exec_driver_sql("RESET enable_seqscan")
    if is_postgres:
        assert "ix_checkin_urgent_open" in plan and "ix_checkin_urgent_unsigned" in plan, plan
        assert "Seq Scan on checkin" not in plan, plan
    else:
        scans = [line for line in plan.splitlines() if line.startswith("SCAN checkin")]
        assert scans and all(" USING " in line for line in scans), plan


@pytest.mark.parametrize(
    ("ack_note", "sign_note", "ack_end", "sign_end"),
    [
        (
            "Called, will follow up.",
            "Safety plan made!",
            ": Called, will follow up.",
            ". Safety plan made!",
        ),
        ("Left a voicemail", "Plan agreed", ": Left a voicemail.", ". Plan agreed."),
    ],
)
def test_the_check_in_record_ends_each_note_once(
    app: Flask,
    client: FlaskClient,
    login_as,
    ack_note: str,
    sign_note: str,
    ack_end: str,
    sign_end: str,
) -> None:  # type: ignore[no-untyped-def]
    """A note written with its own full stop read "follow up.." on the check-in's page."""
    checkin = _acute()
    checkin_id = checkin.id
    login_as("clinician")
    url = f"/staff/checkins/{checkin_id}"
    assert (
        post(
            client,
            f"{url}/acknowledge",
            {"note": ack_note, "version": _version(client, checkin_id)},
        ).status_code
        == 302
    )
    signed = post(
        client,
        f"{url}/sign-off",
        {"outcome": "other", "note": sign_note, "version": _version(client, checkin_id)},
    )
    assert signed.status_code == 302
    html = client.get(url).get_data(as_text=True)
    acknowledged = re.search(r'<p id="acknowledged">(.*?)</p>', html, re.S)
    signed_off = re.search(r'<p id="signed-off">(.*?)</p>', html, re.S)
    assert acknowledged and signed_off
    assert acknowledged.group(1).endswith(ack_end), acknowledged.group(1)
    assert signed_off.group(1).endswith(sign_end), signed_off.group(1)
    for paragraph in (acknowledged.group(1), signed_off.group(1)):
        assert ".." not in paragraph and "!." not in paragraph
