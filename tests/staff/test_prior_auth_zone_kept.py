"""A prior-authorization packet drawn with an older kept clinic profile is never served as the
new time zone's.

The packet's dates are written in the zone of the request's clinic profile (``|local_date``),
which a process that did not save a change keeps for up to ``CLINIC_PROFILE_SECONDS``: the job
worker never saves one. Its key read the zone afresh from the database, so a packet drawn in
that window, dated in the old zone, was stored under the new zone's key and sent as current
from then on (found by a review). The key now names the zone the dates were written in.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdf
import pytest
import sqlalchemy as sa
from flask import Flask

from intake import pdf_jobs
from intake.extensions import db
from intake.models import Setting, Submission
from intake.services import settings
from intake.services.pdf_cache import PdfTarget
from tests.factories import make_submission


def _saved_elsewhere(zone: str) -> None:
    """The admin's save in another process: this one gets no ``after_commit`` for it."""
    with db.engine.begin() as conn:
        key = settings.CLINIC_TIME_ZONE
        changed = conn.execute(sa.update(Setting).where(Setting.key == key).values(value=zone))
        if changed.rowcount == 0:
            conn.execute(sa.insert(Setting).values(key=key, value=zone))


def test_a_packet_drawn_with_the_old_zone_is_not_sent_as_the_new_zones(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(settings, "monotonic", lambda: now[0])
    # 20:00 UTC on 1 December: the 1st in UTC (the default zone), the 2nd in Tokyo.
    submission = make_submission(submitted_at=datetime(2026, 12, 1, 20, 0, tzinfo=UTC))
    target = PdfTarget.prior_auth(submission)
    with app.app_context(), app.test_request_context("/"):
        settings.clinic_profile()  # the worker process reads and keeps the profile (UTC)
    _saved_elsewhere("Asia/Tokyo")
    now[0] += 1  # a second later: the worker still has UTC
    with app.app_context(), app.test_request_context("/"):
        assert pdf_jobs.render_kept(target) == "rendered"  # the worker's task, for a page
    now[0] += 60  # every process has Tokyo now
    with app.app_context(), app.test_request_context("/"):
        ready = pdf_jobs.fetch(target, db.session.get_one(Submission, submission.id))
        assert ready is not None
        pages = pypdf.PdfReader(io.BytesIO(ready.content)).pages
        text = " ".join(page.extract_text() for page in pages)
    assert "2026-12-02" in text and "2026-12-01" not in text
