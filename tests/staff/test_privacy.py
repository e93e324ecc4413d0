"""Patient answers never reach logs, URLs or cookies during a front-desk session."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from answer_documents import ASQ_YES
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AuditEvent
from tests.factories import make_submission, make_user, post

NAME = "Zyxwvutson"
DOB = date(1979, 3, 14)
MEMBER_ID = "W123456789"


def _cookie_session(app: Flask, client: FlaskClient) -> str:
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    if cookie is None:
        return ""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return str(serializer.loads(cookie.value))


def test_front_desk_walk_leaks_nothing(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    make_user("front_desk", email="desk@example.org")
    s = make_submission(last_name=NAME, date_of_birth=DOB, changes=ASQ_YES)
    urls: list[str] = []
    sessions: list[str] = []

    def track(response):  # type: ignore[no-untyped-def]
        urls.append(response.request.url)
        if response.headers.get("Location"):
            urls.append(response.headers["Location"])
        sessions.append(_cookie_session(app, client))
        return response

    from tests.factories import DEFAULT_PASSWORD

    track(post(client, "/staff/login", {"email": "desk@example.org", "password": DEFAULT_PASSWORD}))
    track(client.get("/staff/"))
    for q in (NAME, DOB.isoformat(), s.reference):
        response = track(post(client, "/staff/", {"q": q}))
        assert NAME in response.get_data(as_text=True)
    track(client.get(f"/staff/submissions/{s.id}"))
    track(
        post(
            client,
            f"/staff/submissions/{s.id}/status",
            {"to_status": "in_review", "version": s.version},
        )
    )
    track(post(client, f"/staff/submissions/{s.id}/notes", {"body": "Called back"}))
    track(
        post(
            client,
            f"/staff/submissions/{s.id}/contact-attempts",
            {"outcome": "reached", "note": "ok"},
        )
    )
    track(post(client, "/staff/logout"))

    for secret in (NAME, NAME.lower(), DOB.isoformat(), MEMBER_ID):
        assert secret not in caplog.text
        assert not [u for u in urls if secret in u]
        assert not [c for c in sessions if secret in c]
    details = " ".join(str(e.detail) for e in db.session.scalars(db.select(AuditEvent)))
    assert NAME not in details
    assert DOB.isoformat() not in details
