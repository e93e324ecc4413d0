"""``flask purge-sessions``: closed staff session records, and open ones past the 12-hour limit,
are deleted; a session still in use is kept and keeps working."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from intake.extensions import db
from intake.models import StaffSession
from intake.models.types import utcnow
from tests.committed import committed_count
from tests.factories import make_user, post


def _record(user_id: int, name: str, *, age: timedelta, closed: bool) -> StaffSession:
    now = utcnow()
    record = StaffSession(
        user_id=user_id,
        token_sha256=name.ljust(64, "0"),
        created_at=now - age,
        ended_at=now if closed else None,
    )
    db.session.add(record)
    return record


def test_purge_sessions_deletes_closed_and_expired_records(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, login_as
) -> None:  # type: ignore[no-untyped-def]
    user = login_as("front_desk")  # a live session, opened just now
    other = make_user("clinician")
    # (token prefix, age, closed, kept?) — written out, not read from the service.
    cases = [
        ("a1", timedelta(minutes=5), True, False),  # signed out
        ("a2", timedelta(hours=13), True, False),  # signed out long ago
        ("a3", timedelta(hours=12, minutes=1), False, False),  # past the 12-hour limit
        ("a4", timedelta(hours=11), False, True),  # may still be in use
        ("a5", timedelta(minutes=1), False, True),
    ]
    for name, age, closed, _kept in cases:
        _record(other.id, name, age=age, closed=closed)
    db.session.commit()
    assert committed_count(StaffSession) == 6

    result = runner.invoke(args=["purge-sessions"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Deleted 3 staff session records."
    kept = {name for name, _age, _closed, kept in cases if kept}
    left = {
        token[:2]
        for token in db.session.scalars(
            db.select(StaffSession.token_sha256).where(StaffSession.user_id == other.id)
        )
    }
    assert left == kept
    assert committed_count(StaffSession) == 3  # the command committed
    assert committed_count(StaffSession, StaffSession.user_id == user.id) == 1
    assert client.get("/staff/").status_code == 200  # the live session still works

    post(client, "/staff/logout")
    again = runner.invoke(args=["purge-sessions"])
    assert again.output.strip() == "Deleted 1 staff session record."
    assert committed_count(StaffSession, StaffSession.user_id == user.id) == 0
