"""A database that cannot be reached is a 503 with Retry-After, never a 500 (issue 9).

The outage is simulated here by making one database call raise what SQLAlchemy raises when the
server is gone; ``tests/faults/test_outages.py`` does it for real, against PostgreSQL.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.exc import InterfaceError, OperationalError

from intake import errors
from intake.extensions import db
from intake.services import drafts
from tests.patient.helpers import WizardWalker

SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")


@pytest.fixture
def walker(client: FlaskClient) -> WizardWalker:
    return WizardWalker(client)


def _gone(*_args: object, **_kwargs: object) -> None:
    raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


def _assert_unavailable(response, *, kind: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    for name in SECURITY_HEADERS:
        assert name in response.headers, name
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == kind
    return response.get_data(as_text=True)


def test_api_outage_is_a_json_503(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("intake.api.views.find_active_token", _gone)
    response = client.post("/api/v1/intakes", json={}, headers={"Authorization": "Bearer whatever"})
    _assert_unavailable(response, kind="application/json")
    body = response.get_json()
    assert body["retry_after"] == errors.RETRY_AFTER_SECONDS
    assert "Idempotency-Key" in body["detail"]


def test_an_outage_while_the_intake_token_is_looked_up_is_a_503_not_a_rate_limit_failure(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The rate limit's key is the token: looked up in the limit's own check, a failed query
    # was taken by Flask-Limiter for Redis failing, which switched to in-process counts and
    # looked the token up again on a session needing a rollback: a 500 under the fault test.
    from sqlalchemy.exc import PendingRollbackError

    calls = []

    def gone_then_broken(*_args: object) -> None:
        calls.append(1)
        if len(calls) > 1:
            raise PendingRollbackError("the session needs a rollback first")
        _gone()

    monkeypatch.setattr("intake.api.views.find_active_token", gone_then_broken)
    response = client.post("/api/v1/intakes", json={}, headers={"Authorization": "Bearer whatever"})
    _assert_unavailable(response, kind="application/json")
    assert len(calls) == 1
    assert "falling back to in-memory storage" not in caplog.text


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_wizard_outage_says_saved_answers_are_safe(
    walker: WizardWalker, monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    walker.start()
    walker.walk(until="phq9")

    def broken(*_args: object) -> None:
        raise error("SELECT draft", {}, Exception("connection refused"))

    monkeypatch.setattr(drafts, "get_draft", broken)
    html = _assert_unavailable(walker.client.get("/intake/step/phq9"), kind="text/html")
    assert "Your answers saved so far are safe" in html
    assert "try again in a minute" in html
    assert "Something went wrong" not in html
    assert "988" in html  # the crisis footer is still there
    monkeypatch.undo()
    # Back again: the steps saved before the outage are still there.
    page = walker.client.get("/intake/step/about").get_data(as_text=True)
    assert 'value="Reyes"' in page


def test_staff_outage_has_its_own_page(
    client: FlaskClient, login_as, monkeypatch: pytest.MonkeyPatch
) -> None:
    login_as("front_desk")
    monkeypatch.setattr("intake.auth.sessions._live_session", _gone)
    html = _assert_unavailable(client.get("/staff/"), kind="text/html")
    assert "clinic database could not be reached" in html
    assert "Your answers saved so far" not in html


def test_handler_survives_its_own_rollback_failing(
    walker: WizardWalker, monkeypatch: pytest.MonkeyPatch
) -> None:
    walker.start()
    monkeypatch.setattr(drafts, "get_draft", _gone)
    monkeypatch.setattr(db.session, "rollback", _gone)
    html = _assert_unavailable(walker.client.get("/intake/step/about"), kind="text/html")
    assert "Your answers saved so far are safe" in html


def test_an_error_handler_that_fails_still_gets_our_page_and_headers(
    walker: WizardWalker, monkeypatch: pytest.MonkeyPatch
) -> None:
    walker.start()
    monkeypatch.setattr(drafts, "get_draft", _gone)
    monkeypatch.setattr(errors, "render_template", _gone)  # the outage page cannot render
    html = _assert_unavailable(walker.client.get("/intake/step/about"), kind="text/html")
    assert "Your answers saved so far are safe" in html


def test_other_errors_are_still_500(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def bug(*_args: object) -> None:
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr("intake.api.views.find_active_token", bug)
    response = client.post("/api/v1/intakes", json={}, headers={"Authorization": "Bearer x"})
    assert response.status_code == 500
    assert "Retry-After" not in response.headers


def test_database_errors_never_carry_the_answers(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError) as caught:
        db.session.execute(text("SELECT * FROM no_such_table WHERE x = :secret"), {"secret": "Ana"})
    db.session.rollback()
    assert "Ana" not in str(caught.value)


def test_a_closing_rollback_that_fails_does_not_spoil_a_good_response(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen under a PostgreSQL restart: the page was ready, then the session's closing rollback
    found the connection terminated, and gunicorn's bare 500 replaced it."""
    from sqlalchemy.orm import Session

    monkeypatch.setattr(Session, "close", _gone)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
