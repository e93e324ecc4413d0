"""The check-in page sends no session cookie when nothing in the session changed (issue 13's
"no session re-sign on GETs", for issue 16's check-in page), and stays as safe as before:
the idle clock still moves after a minute, a tablet check-in is still closed after ten idle
minutes, answers sent still set the cookie, CSRF is still required, and a check-in with a
later one already answered can no longer be sent."""

from __future__ import annotations

import time

from checkin_samples import link_for, open_course
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import CheckIn
from intake.models.types import utcnow
from intake.services import courses
from tests.factories import token_from
from tests.patient.test_checkin_pages import LINK_GONE, _text, body, open_by_link

SEEN = "checkin_seen_at"


def cookies_set(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]


def test_views_within_a_minute_send_no_cookie(client: FlaskClient) -> None:
    _course, checkin = open_course()
    opened = client.get(f"/c/{link_for(checkin)}")
    assert len(cookies_set(opened)) == 1  # the check-in is remembered: a new cookie
    first = client.get("/checkin")
    assert len(cookies_set(first)) == 1  # the form's CSRF secret, made on the first view
    for _ in range(3):
        page = client.get("/checkin")
        assert page.status_code == 200
        assert cookies_set(page) == []


def test_the_idle_clock_still_moves_after_a_minute(client: FlaskClient) -> None:
    _course, checkin = open_course()
    open_by_link(client, link_for(checkin))
    with client.session_transaction() as sess:
        sess[SEEN] -= 90
        earlier = sess[SEEN]
    page = client.get("/checkin")
    assert page.status_code == 200
    assert len(cookies_set(page)) == 1
    with client.session_transaction() as sess:
        assert sess[SEEN] >= earlier + 90


def test_a_check_in_idle_too_long_is_still_forgotten(client: FlaskClient) -> None:
    """The patient idle limit (the test config's), measured from the last time the clock
    moved: views in between that sent no cookie do not keep it open longer."""
    from flask import current_app

    limit = int(current_app.config["PATIENT_IDLE_TIMEOUT"].total_seconds())
    _course, checkin = open_course()
    open_by_link(client, link_for(checkin))
    with client.session_transaction() as sess:
        sess[SEEN] = int(time.time()) - limit - 5
    assert LINK_GONE in _text(client.get("/checkin").get_data(as_text=True))


def test_sending_the_answers_still_sets_the_cookie_and_needs_the_csrf_token(
    client: FlaskClient,
) -> None:
    _course, checkin = open_course()
    page = open_by_link(client, link_for(checkin))
    refused = client.post("/checkin", data=body([1] * 8 + [0], token="not-the-token"))
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(CheckIn, checkin.id).completed_at is None  # type: ignore[union-attr]
    sent = client.post("/checkin", data=body([1] * 8 + [0], token=token_from(page)))
    assert sent.status_code == 302
    assert len(cookies_set(sent)) == 1
    db.session.expire_all()
    assert db.session.get(CheckIn, checkin.id).completed_at is not None  # type: ignore[union-attr]


def test_a_check_in_whose_next_one_was_answered_can_no_longer_be_sent(
    client: FlaskClient,
) -> None:
    """The baseline left open in this browser while the weekly check-in fell due may still
    be sent (nothing lost), until the weekly one is answered; then the page says so."""
    course, weekly = open_course(weeks_ago=1)
    baseline = next(c for c in course.checkins if c.kind == "baseline")
    assert baseline is not weekly
    with client.session_transaction() as sess:
        sess.update({"checkin_id": baseline.id, "checkin_how": "link", SEEN: int(time.time())})
    assert client.get("/checkin").status_code == 200
    courses.complete_checkin(
        weekly,
        {"phq9": [1] * 9, "gad7": [1] * 7, "asq": None, "side_effects": {}},
        opened_by="link",
        now=utcnow(),
        today=courses.clinic_today(),
    )
    db.session.commit()
    assert LINK_GONE in _text(client.get("/checkin").get_data(as_text=True))
