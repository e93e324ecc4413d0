"""A response that changes nothing in the session sends no cookie.

A browser sends several requests at once (a page, its favicon, a form posted while the
previous page's favicon is still loading). A response that writes the session cookie from
what its own request read puts back an older cookie over a newer one: a 404 for
/favicon.ico, answered just after "Start", once left the browser without its new draft (seen
in CI: "Start" led back to the start page). These tests replay that order of events."""

from __future__ import annotations

from flask.testing import FlaskClient

from intake.patient.views import SEEN_KEY
from tests.patient.helpers import WizardWalker, step_url


def cookies_set(response) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]


def test_a_404_beside_start_leaves_the_new_draft_in_place(app, client: FlaskClient) -> None:
    client.get("/")
    before_start = client.get_cookie("session").value
    walker = WizardWalker(client)
    walker.start()
    # The favicon request left with the cookie from before "Start" and is answered after it.
    late = app.test_client()
    late.set_cookie("session", before_start)
    response = late.get("/favicon.ico")
    assert response.status_code == 404
    assert cookies_set(response) == []
    assert client.get(step_url("about")).status_code == 200


def test_pages_drawn_within_a_minute_send_no_cookie(walker: WizardWalker, client) -> None:
    walker.start()
    client.get(step_url("about"))
    for url in (step_url("about"), "/", "/favicon.ico", "/intake/support"):
        assert cookies_set(client.get(url)) == [], url


def test_the_idle_clock_still_moves_after_a_minute(walker: WizardWalker, client) -> None:
    walker.start()
    with client.session_transaction() as session:
        session[SEEN_KEY] -= 90
        earlier = session[SEEN_KEY]
    response = client.get(step_url("about"))
    assert response.status_code == 200
    assert len(cookies_set(response)) == 1
    with client.session_transaction() as session:
        assert session[SEEN_KEY] >= earlier + 90
