"""Purging staff session records that can no longer sign anyone in.

A record is written at every sign-in (``intake.auth.sessions``) and closed at sign-out; nothing
else removes it. A closed record, or an open one older than the longest a session lasts
(``STAFF_MAX_SESSION``, 12 hours: its cookie is refused after that whatever the record says),
only takes up room, so ``flask purge-sessions`` deletes them. Like every service this flushes
and never commits: the command commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_

from intake.extensions import db
from intake.models import StaffSession
from intake.models.types import utcnow


def purge_finished(max_session: timedelta, at: datetime | None = None) -> int:
    """Delete closed records and records opened more than ``max_session`` before ``at`` (now);
    returns how many (the caller commits)."""
    started_before = (at or utcnow()) - max_session
    result = db.session.execute(
        delete(StaffSession).where(
            or_(StaffSession.ended_at.is_not(None), StaffSession.created_at <= started_before)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)  # a DELETE's result has a row count
