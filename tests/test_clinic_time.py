"""Times for people are in the clinic's zone, with its abbreviation; the database keeps UTC.

The expected strings are written out here (a table of moments and zones, both sides of the
daylight-saving changes), not computed with the code under test."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from intake.clinic import format_time
from intake.extensions import db
from intake.services.settings import CLINIC_TIME_ZONE, set_setting
from tests.factories import make_submission

#: (UTC moment, zone, what people read)
SHOWN = [
    (datetime(2026, 7, 1, 13, 15, tzinfo=UTC), "America/New_York", "2026-07-01 09:15 EDT"),
    (datetime(2026, 1, 15, 13, 15, tzinfo=UTC), "America/New_York", "2026-01-15 08:15 EST"),
    (datetime(2026, 12, 2, 3, 0, tzinfo=UTC), "America/New_York", "2026-12-01 22:00 EST"),
    # The spring-forward morning: 01:59 EST is followed by 03:00 EDT.
    (datetime(2026, 3, 8, 6, 59, tzinfo=UTC), "America/New_York", "2026-03-08 01:59 EST"),
    (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "America/New_York", "2026-03-08 03:00 EDT"),
    # The fall-back night: 01:30 happens twice, once in each abbreviation.
    (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "America/New_York", "2026-11-01 01:30 EDT"),
    (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "America/New_York", "2026-11-01 01:30 EST"),
    (datetime(2026, 7, 1, 13, 15, tzinfo=UTC), "America/Los_Angeles", "2026-07-01 06:15 PDT"),
    (datetime(2026, 1, 15, 13, 15, tzinfo=UTC), "America/Los_Angeles", "2026-01-15 05:15 PST"),
    (datetime(2026, 7, 1, 13, 15, tzinfo=UTC), "America/Phoenix", "2026-07-01 06:15 MST"),
    (datetime(2026, 7, 1, 13, 15, tzinfo=UTC), "Europe/London", "2026-07-01 14:15 BST"),
    (datetime(2026, 1, 15, 13, 15, tzinfo=UTC), "Europe/London", "2026-01-15 13:15 GMT"),
    (datetime(2026, 7, 1, 13, 15, tzinfo=UTC), "UTC", "2026-07-01 13:15 UTC"),
    # A stored time read back without its zone is UTC.
    (datetime(2026, 7, 1, 13, 15), "America/Chicago", "2026-07-01 08:15 CDT"),
]


@pytest.mark.parametrize(("moment", "zone", "shown"), SHOWN)
def test_a_moment_is_shown_in_the_zone_with_its_abbreviation(
    moment: datetime, zone: str, shown: str
) -> None:
    assert format_time(moment, ZoneInfo(zone)) == shown


def test_seconds_when_asked() -> None:
    moment = datetime(2026, 1, 15, 13, 15, 42, tzinfo=UTC)
    assert format_time(moment, ZoneInfo("America/New_York"), seconds=True) == (
        "2026-01-15 08:15:42 EST"
    )


def test_staff_pages_show_the_clinic_zone_and_keep_utc_in_the_markup(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    winter = make_submission(submitted_at=datetime(2026, 1, 15, 13, 15, tzinfo=UTC))
    summer = make_submission(submitted_at=datetime(2026, 7, 1, 3, 5, tzinfo=UTC))
    set_setting(CLINIC_TIME_ZONE, "America/New_York", user_id=None)
    db.session.commit()
    login_as("front_desk", "clinician")

    queue = client.get("/staff/").get_data(as_text=True)
    assert re.search(
        r'<time datetime="2026-01-15T13:15:00\+00:00">2026-01-15 08:15 EST</time>', queue
    )
    # 03:05 UTC on July 1 is the evening before in New York.
    assert re.search(
        r'<time datetime="2026-07-01T03:05:00\+00:00">2026-06-30 23:05 EDT</time>', queue
    )
    assert "UTC" not in re.sub(r'datetime="[^"]*"', "", queue)

    page = client.get(f"/staff/submissions/{winter.id}").get_data(as_text=True)
    assert "Submitted 2026-01-15 08:15 EST" in page
    summary = client.get(f"/clinician/submissions/{summer.id}").get_data(as_text=True)
    assert "2026-06-30 23:05 EDT" in summary

    pdf = client.get(f"/clinician/submissions/{summer.id}.pdf")
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "2026-06-30 23:05 EDT" in re.sub(r"\s+", " ", text)


#: (filter, which of the two submissions it keeps) with the clinic in New York: 03:05 UTC on
#: 1 July is 30 June in the clinic, and the queue's days are the clinic's.
DAY_FILTERS = [
    ({"date_from": "2026-07-01"}, {"next"}),
    ({"date_to": "2026-06-30"}, {"late"}),
    ({"date_from": "2026-06-30", "date_to": "2026-06-30"}, {"late"}),
    ({"date_from": "2026-07-01", "date_to": "2026-07-01"}, {"next"}),
]


@pytest.mark.parametrize(("query", "kept"), DAY_FILTERS)
def test_the_queue_date_filter_counts_clinic_days(
    app: Flask, client: FlaskClient, login_as, query: dict[str, str], kept: set[str]
) -> None:  # type: ignore[no-untyped-def]
    late = make_submission(submitted_at=datetime(2026, 7, 1, 3, 5, tzinfo=UTC))
    following = make_submission(submitted_at=datetime(2026, 7, 1, 16, 0, tzinfo=UTC))
    set_setting(CLINIC_TIME_ZONE, "America/New_York", user_id=None)
    db.session.commit()
    login_as("front_desk")
    html = client.get("/staff/", query_string=query).get_data(as_text=True)
    shown = {
        name
        for name, s in (("late", late), ("next", following))
        if f'/staff/submissions/{s.id}"' in html
    }
    assert shown == kept
