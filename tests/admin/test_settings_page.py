"""The clinic settings through the real admin page: what an admin types is stored, shown again
and audited with its old and new value; a page with a problem says so at the field and stores
nothing."""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from intake.extensions import db
from intake.models import AuditEvent, Setting
from tests.patient.screen import Screen

WEEK = {
    "monday": ("09:00", "17:00"),
    "tuesday": ("09:00", "17:00"),
    "wednesday": ("09:00", "17:00"),
    "thursday": ("09:00", "19:30"),
    "friday": ("08:30", "13:00"),
    "saturday": ("", ""),
    "sunday": ("", ""),
}


def _page(client: FlaskClient) -> Screen:
    response = client.get("/admin/settings")
    assert response.status_code == 200
    return Screen(response.get_data(as_text=True))


def _hours(week: dict[str, tuple[str, str]]) -> dict[str, str]:
    out = {}
    for day, (opens, closes) in week.items():
        out[f"{day}_opens"], out[f"{day}_closes"] = opens, closes
    return out


def _save(client: FlaskClient, answers: dict[str, Any]) -> Any:
    screen = _page(client).fill(answers)
    return client.post("/admin/settings", data=MultiDict(screen.post_body("save")))


def _events() -> list[dict[str, Any]]:
    rows = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "setting_changed").order_by(AuditEvent.id)
    )
    return [row.detail for row in rows]


def _committed_settings() -> dict[str, tuple[Any, int | None]]:
    """The setting rows as committed (read on a connection of its own)."""
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(Setting.key, Setting.value, Setting.updated_by_id))
        return {key: (value, by) for key, value, by in rows}


def _text(html: str) -> str:
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


PROFILE = {
    "clinic_name": "Riverside Mind Clinic",
    "clinic_phone": "503-555-0100",
    "clinic_address": "12 River Road\nPortland, OR 97201",
    "time_zone": "America/Los_Angeles",
    "holidays": "2026-12-25 Christmas Day\n2027-01-01",
    **_hours(WEEK),
}


def test_the_clinic_profile_round_trips_through_the_page(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    admin = login_as("admin")
    screen = _page(client)
    assert screen.shown("time_zone") == "UTC"
    assert screen.shown("monday_opens") == ""
    response = _save(client, PROFILE)
    assert response.status_code == 302
    assert "Settings saved." in _text(client.get("/admin/settings").get_data(as_text=True))

    again = _page(client)
    for name, value in PROFILE.items():
        # An HTML parser drops the newline that opens a text area; Screen keeps it.
        assert str(again.shown(name)).removeprefix("\r\n") == value, name

    stored = _committed_settings()
    assert set(stored) == {
        "clinic.name",
        "clinic.phone",
        "clinic.address",
        "clinic.time_zone",
        "clinic.hours",
        "clinic.holidays",
    }
    assert {by for _value, by in stored.values()} == {admin.id}
    events = {event["key"]: event for event in _events()}
    assert events["clinic.time_zone"] == {
        "key": "clinic.time_zone",
        "from": "UTC",
        "to": "America/Los_Angeles",
    }
    assert events["clinic.hours"]["from"] is None
    assert events["clinic.hours"]["to"]["thursday"] == ["09:00", "19:30"]
    assert events["clinic.hours"]["to"]["saturday"] is None
    assert events["clinic.holidays"]["to"] == [
        {"date": "2026-12-25", "name": "Christmas Day"},
        {"date": "2027-01-01", "name": ""},
    ]
    assert events["clinic.phone"] == {"key": "clinic.phone", "from": "", "to": "503-555-0100"}

    # Saving the page unchanged records nothing; one change records one event.
    assert _save(client, {}).status_code == 302
    assert len(_events()) == 6
    assert _save(client, {"friday_closes": "14:00"}).status_code == 302
    [last] = _events()[6:]
    assert last["key"] == "clinic.hours"
    assert last["from"]["friday"] == ["08:30", "13:00"]
    assert last["to"]["friday"] == ["08:30", "14:00"]


def test_clearing_every_day_means_no_hours(app: Flask, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    assert _save(client, _hours(WEEK)).status_code == 302
    empty = {name: "" for name in _hours(WEEK)}
    assert _save(client, empty).status_code == 302
    assert _committed_settings()["clinic.hours"][0] is None


#: (field, typed, the message at that field)
REFUSED = [
    ("time_zone", "America/Nowhere", "Use a time zone name from the IANA list"),
    ("time_zone", "america/new_york", "did you mean America/New_York?"),
    ("time_zone", "", "Give the clinic's time zone."),
    ("monday_opens", "9am", "Use a 24-hour time like 09:00"),
    ("tuesday_closes", "25:00", "Use a 24-hour time like 09:00"),
    ("saturday_opens", "10:00", None),  # closes blank: said at saturday_closes
    ("holidays", "2026-12-25 Christmas\n25/12/2026 Boxing Day", "Line 2: start with the date"),
    ("holidays", "2026-12-25\n2026-12-25 again", "2026-12-25 is listed twice."),
    ("course_every_days", "0", "Enter a whole number from 1 to 90."),
    ("course_every_days", "weekly", "Enter a whole number from 1 to 90."),
    ("course_every_days", "", "Enter a number of days."),
    ("course_maintenance_months", "13", "Enter a whole number from 0 to 12."),
    # Every patient page offers the clinic's phone to call: it must be a number to dial.
    ("clinic_phone", "abc", "Enter a number patients can dial"),
    ("clinic_phone", "555-01", "Enter a number patients can dial"),
    ("clinic_phone", "503-CALL-ANA", "Enter a number patients can dial"),
    ("clinic_phone", "1234567890123456", "Enter a number patients can dial"),
]


def test_a_refused_value_is_said_at_its_field_and_nothing_changes(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    assert _save(client, PROFILE).status_code == 302
    before = _committed_settings()
    events = len(_events())
    for name, typed, message in REFUSED:
        response = _save(client, {name: typed, "clinic_name": "A new name"})
        assert response.status_code == 400, name
        html = response.get_data(as_text=True)
        field = "saturday_closes" if message is None else name
        expected = message or "Give the closing time too"
        block = re.search(rf'id="{field}-field".*?</div>', html, flags=re.S)
        assert block and expected in _text(block.group(0)), (name, typed)
        assert 'aria-invalid="true"' in block.group(0)
        assert "Nothing was saved" in html
        assert _committed_settings() == before
        assert len(_events()) == events


def test_closing_before_opening_is_refused_at_the_closing_time(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    response = _save(client, {"wednesday_opens": "17:00", "wednesday_closes": "09:00"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    block = re.search(r'id="wednesday_closes-field".*?</div>', html, flags=re.S)
    assert block and "The closing time must be after the opening time." in _text(block.group(0))
    opens = re.search(r'id="wednesday_opens-field".*?</div>', html, flags=re.S)
    assert opens and "field-error" not in opens.group(0)


def test_the_phone_from_the_environment_is_the_default_until_saved(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    app.config["CLINIC_PHONE"] = "503-555-0199"
    login_as("admin")
    assert _page(client).shown("clinic_phone") == "503-555-0199"
    assert _save(client, {"clinic_phone": "503-555-0142"}).status_code == 302
    assert _page(client).shown("clinic_phone") == "503-555-0142"


@pytest.mark.parametrize(
    ("typed", "tel"),
    [
        ("503-555-0142", "tel:5035550142"),
        ("(503) 555.0142", "tel:5035550142"),
        ("+1 503 555 0142", "tel:+15035550142"),
        ("555 0142", "tel:5550142"),
    ],
)
def test_a_dialable_phone_is_kept_as_typed_and_linked_by_its_digits(
    app: Flask, client: FlaskClient, login_as, typed: str, tel: str
) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    assert _save(client, {"clinic_phone": typed}).status_code == 302
    assert _page(client).shown("clinic_phone") == typed
    page = app.test_client().get("/").get_data(as_text=True)  # a patient's first visit
    assert f'href="{tel}"' in page and htmllib.escape(typed) in page


def test_a_new_courses_schedule_defaults_come_from_the_page(
    app: Flask, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    """Issue 16: days between check-ins and months of follow-up; the clinician's "Start a
    course of care" form then offers them."""
    admin = login_as("admin")
    page = _page(client)
    assert page.shown("course_every_days") == "7"  # weekly, until an admin says otherwise
    assert page.shown("course_maintenance_months") == "6"
    assert (
        _save(client, {"course_every_days": "14", "course_maintenance_months": "0"}).status_code
        == 302
    )
    stored = _committed_settings()
    assert stored["course.checkin_every_days"] == (14, admin.id)
    assert stored["course.maintenance_months"] == (0, admin.id)
    assert {e["key"]: (e["from"], e["to"]) for e in _events()} == {
        "course.checkin_every_days": (7, 14),
        "course.maintenance_months": (6, 0),
    }
    assert _page(client).shown("course_every_days") == "14"

    from clinician_samples import store

    from intake.rules import RULESET
    from intake.services.reviews import record_review

    submission = store()
    record_review(
        submission, clinician_id=None, decision="agree", codes=[], note="", ruleset=RULESET
    )
    db.session.commit()
    login_as("clinician")
    summary = client.get(f"/clinician/submissions/{submission.id}").get_data(as_text=True)
    start_form = summary[summary.index('id="start-course-heading"') :]
    for name, value in (("every_days", "14"), ("maintenance_months", "0")):
        assert re.search(rf'name="{name}"[^>]*value="{value}"', start_form), name
