"""The clinic's profile kept between requests (``CLINIC_PROFILE_SECONDS``, issue 13), seen as
a patient sees it: the clinic's name at the top of the start page.

- A change saved on the admin page shows on the very next page of the process that saved it.
- A change saved elsewhere (another worker or instance: here, an UPDATE on a connection of its
  own, which this process cannot notice) shows once the kept profile is older than the
  setting's seconds, never before and never later.
- ``CLINIC_PROFILE_SECONDS = 0`` reads it on every request.
- A change that is rolled back is never kept for other requests.
- Each app (each worker) keeps its own: a second one reads for itself.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from intake.extensions import db
from intake.models import Setting
from intake.services import settings
from tests.patient.screen import Screen

DEFAULT_NAME = "Clinic intake"


def _brand(client: FlaskClient) -> str:
    """The clinic's name as the start page's header shows it, on a request of its own.

    The ``app`` fixture's app context would be shared by the test client's requests (Flask
    reuses an active one), and its ``g`` would carry one request's profile to the next, which
    no real request does: each request here has an app context, so a ``g``, of its own."""
    with client.application.app_context():
        html = client.get("/").get_data(as_text=True)
    found = re.search(r'<a class="brand" href="/">([^<]*)</a>', html)
    assert found, "the start page has no clinic name in its header"
    return found.group(1)


def _saved_elsewhere(name: str) -> None:
    """What another worker's save leaves in the database (committed on its own connection)."""
    with db.engine.begin() as conn:
        updated = conn.execute(
            sa.update(Setting).where(Setting.key == settings.CLINIC_NAME).values(value=name)
        )
        if updated.rowcount == 0:
            conn.execute(sa.insert(Setting).values(key=settings.CLINIC_NAME, value=name))


class Clock:
    """The monotonic clock as the settings module reads it, moved by hand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1000.0
        monkeypatch.setattr(settings, "monotonic", lambda: self.now)


def test_a_change_saved_on_the_admin_page_shows_at_once(
    app: Flask, client: FlaskClient, login_as, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    Clock(monkeypatch)  # the clock stands still: nothing goes stale by itself
    patient = app.test_client()
    assert _brand(patient) == DEFAULT_NAME  # read and kept
    login_as("admin")
    page = Screen(client.get("/admin/settings").get_data(as_text=True))
    body = page.fill({"clinic_name": "Riverside Mind Clinic"}).post_body("save")
    assert client.post("/admin/settings", data=MultiDict(body)).status_code in (200, 302, 303)
    assert _brand(patient) == "Riverside Mind Clinic"


def test_a_change_saved_elsewhere_shows_after_the_kept_seconds(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app.config["CLINIC_PROFILE_SECONDS"] == 5.0
    clock = Clock(monkeypatch)
    patient = app.test_client()
    assert _brand(patient) == DEFAULT_NAME
    _saved_elsewhere("Lakeside Clinic")
    clock.now += 4.9
    assert _brand(patient) == DEFAULT_NAME  # still the kept one
    clock.now += 0.2  # 5.1 s after it was read
    assert _brand(patient) == "Lakeside Clinic"
    _saved_elsewhere("Hillside Clinic")
    clock.now += 4.0
    assert _brand(patient) == "Lakeside Clinic"
    clock.now += 1.0
    assert _brand(patient) == "Hillside Clinic"


def test_zero_seconds_reads_it_on_every_request(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["CLINIC_PROFILE_SECONDS"] = 0
    Clock(monkeypatch)
    patient = app.test_client()
    assert _brand(patient) == DEFAULT_NAME
    _saved_elsewhere("Lakeside Clinic")
    assert _brand(patient) == "Lakeside Clinic"


def test_a_change_rolled_back_is_not_kept(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    Clock(monkeypatch)
    with app.test_request_context("/"):
        settings.set_setting(settings.CLINIC_NAME, "Never Saved Clinic", user_id=None)
        assert settings.clinic_profile().name == "Never Saved Clinic"  # this request's own
        db.session.rollback()
    assert _brand(app.test_client()) == DEFAULT_NAME


def test_two_workers_each_keep_their_own(
    app: Flask, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake import create_app
    from tests.conftest import _config_for

    Clock(monkeypatch)
    first = app.test_client()
    assert _brand(first) == DEFAULT_NAME
    _saved_elsewhere("Lakeside Clinic")
    # A second app on the same database stands for a second worker: it reads for itself.
    worker = create_app(_config_for(database_url))
    try:
        assert _brand(worker.test_client()) == "Lakeside Clinic"
        assert _brand(first) == DEFAULT_NAME  # the first keeps its own until it is stale
    finally:
        with worker.app_context():
            db.engine.dispose()
