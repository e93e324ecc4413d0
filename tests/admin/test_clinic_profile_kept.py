"""The clinic's profile kept between requests (``CLINIC_PROFILE_SECONDS``, issue 13), seen as
a patient sees it: the clinic's name at the top of the start page.

- A change saved on the admin page shows on the very next page of the process that saved it.
- A change saved elsewhere (another worker or instance: here, an UPDATE on a connection of its
  own, which this process cannot notice) shows once the kept profile is older than the
  setting's seconds, never before and never later.
- ``CLINIC_PROFILE_SECONDS = 0`` reads it on every request.
- A change that is rolled back is never kept for other requests.
- Each app (each worker) keeps its own: a second one reads for itself.
- Under threads (gunicorn ``gthread``), a page read while a save commits is never what the
  saving worker keeps after it; and what is read is the rows as the query finds them.
- The outage page (the database unreachable) shows the profile last kept, however old, else
  the defaults.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
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


def _saved_elsewhere(name: str, key: str = settings.CLINIC_NAME) -> None:
    """What another worker's save leaves in the database (committed on its own connection)."""
    with db.engine.begin() as conn:
        updated = conn.execute(sa.update(Setting).where(Setting.key == key).values(value=name))
        if updated.rowcount == 0:
            conn.execute(sa.insert(Setting).values(key=key, value=name))


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


def test_an_invalid_stored_phone_is_logged_once_per_value(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A phone stored invalid (by hand, past the admin form) is read as the default on every
    page, and said in the log once per value, not every time the profile is read again."""
    app.config["CLINIC_PROFILE_SECONDS"] = 0
    Clock(monkeypatch)
    monkeypatch.setattr(settings, "_WARNED", set())
    patient = app.test_client()
    _saved_elsewhere("call us", key=settings.CLINIC_PHONE)
    with caplog.at_level("WARNING", logger=settings.__name__):
        for _ in range(5):
            assert _brand(patient) == DEFAULT_NAME
        _saved_elsewhere("twelve", key=settings.CLINIC_PHONE)
        for _ in range(3):
            _brand(patient)
    said = [r.getMessage() for r in caplog.records if "clinic.phone" in r.getMessage()]
    assert len(said) == 2, said


def test_a_change_rolled_back_is_not_kept(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    Clock(monkeypatch)
    with app.test_request_context("/"):
        settings.set_setting(settings.CLINIC_NAME, "Never Saved Clinic", user_id=None)
        assert settings.clinic_profile().name == "Never Saved Clinic"  # this request's own
        db.session.rollback()
    assert _brand(app.test_client()) == DEFAULT_NAME


def test_a_savepoint_rolled_back_after_a_change_does_not_keep_the_old_profile(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A savepoint's rollback (``begin_nested``) after a change does not undo the change: the
    outer transaction commits it, and the worker shows it at once, not the old kept profile."""
    Clock(monkeypatch)
    patient = app.test_client()
    assert _brand(patient) == DEFAULT_NAME  # read and kept
    with app.test_request_context("/"):
        settings.set_setting(settings.CLINIC_NAME, "Riverside Mind Clinic", user_id=None)
        savepoint = db.session.begin_nested()
        savepoint.rollback()
        db.session.commit()
    assert _brand(patient) == "Riverside Mind Clinic"


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


def _save_name(client: FlaskClient, name: str) -> None:
    """Save the clinic's name on the admin page as a signed-in admin, each request in an app
    context of its own (``_brand``)."""
    with client.application.app_context():
        page = Screen(client.get("/admin/settings").get_data(as_text=True))
    body = page.fill({"clinic_name": name}).post_body("save")
    with client.application.app_context():
        response = client.post("/admin/settings", data=MultiDict(body))
    assert response.status_code in (302, 303), response.status_code


def _in_threads(*requests: Callable[[], None]) -> None:
    """Run each request on a thread of its own, as a gunicorn ``gthread`` worker does, and
    raise what any of them raised."""
    failures: list[BaseException] = []

    def run(request: Callable[[], None]) -> None:
        try:
            request()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(request,), daemon=True) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request thread hung"
    if failures:
        raise failures[0]


def _flushed_name(session: Session, _context: object) -> None:
    """Mark a session that has flushed a new clinic name (``after_flush``)."""
    for row in session.new | session.dirty:
        if isinstance(row, Setting) and row.key == settings.CLINIC_NAME:
            session.info["test.flushed_name"] = row.value


@pytest.mark.parametrize("kept_before", [True, False], ids=["kept-before", "nothing-kept"])
def test_a_page_read_while_the_save_commits_is_not_kept_by_the_saving_worker(
    app: Flask, client: FlaskClient, login_as, monkeypatch: pytest.MonkeyPatch, kept_before: bool
) -> None:  # type: ignore[no-untyped-def]
    """The admin's save has flushed the new name and not committed it yet when a patient's
    page, on another thread of the same worker, reads the profile: it reads the committed (old)
    rows, rightly. Once the save commits, the worker that saved it shows the new name at once
    (docs/operations.md, "Clinic settings"): the old read is not what it keeps."""
    Clock(monkeypatch)
    login_as("admin")
    patient = app.test_client()
    if kept_before:
        assert _brand(patient) == DEFAULT_NAME
    about_to_commit, patient_read = threading.Event(), threading.Event()
    seen: dict[str, str] = {}

    def before_commit(session: Session) -> None:
        flushed = session.info.get("test.flushed_name")
        if flushed == "Riverside Mind Clinic" and not about_to_commit.is_set():
            about_to_commit.set()
            assert patient_read.wait(timeout=20), "the patient's page never came"

    def patients_page() -> None:
        assert about_to_commit.wait(timeout=20), "the save never came to its commit"
        seen["patient"] = _brand(patient)
        patient_read.set()

    event.listen(Session, "after_flush", _flushed_name)
    event.listen(Session, "before_commit", before_commit)
    try:
        _in_threads(lambda: _save_name(client, "Riverside Mind Clinic"), patients_page)
    finally:
        event.remove(Session, "before_commit", before_commit)
        event.remove(Session, "after_flush", _flushed_name)
    assert seen["patient"] == DEFAULT_NAME  # not committed when it was read
    assert _brand(patient) == "Riverside Mind Clinic"
    assert _brand(app.test_client()) == "Riverside Mind Clinic"


def test_a_profile_read_before_a_save_commits_is_not_kept_after_it(
    app: Flask, client: FlaskClient, login_as, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A patient's page reads the profile's rows just before the admin's save commits, and
    would keep what it read just after: that read is older than the change, so it is never
    kept, and the saving worker's next page shows the new name."""
    Clock(monkeypatch)
    login_as("admin")
    patient = app.test_client()
    rows_read, saved = threading.Event(), threading.Event()
    patient_thread: list[int] = []
    make_profile = settings._profile

    def profile_of(values: dict[str, Any]) -> Any:
        # The rows are read: the patient's request pauses before keeping what they say.
        if threading.get_ident() in patient_thread:
            rows_read.set()
            assert saved.wait(timeout=20), "the save never committed"
        return make_profile(values)

    monkeypatch.setattr(settings, "_profile", profile_of)
    seen: dict[str, str] = {}

    def patients_page() -> None:
        patient_thread.append(threading.get_ident())
        seen["patient"] = _brand(patient)

    def admins_save() -> None:
        assert rows_read.wait(timeout=20), "the patient's page never read the profile"
        _save_name(client, "Riverside Mind Clinic")
        saved.set()

    _in_threads(patients_page, admins_save)
    assert seen["patient"] == DEFAULT_NAME
    assert _brand(patient) == "Riverside Mind Clinic"


def test_what_is_read_and_kept_is_the_rows_as_the_query_finds_them(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request holding a setting's row it loaded before (its session's identity map keeps
    that as it was) still reads the profile as the database has it now, and keeps that."""
    Clock(monkeypatch)
    _saved_elsewhere("Lakeside Clinic")
    with app.app_context(), app.test_request_context("/"):
        held = db.session.get(Setting, settings.CLINIC_NAME)
        assert held is not None and held.value == "Lakeside Clinic"
        _saved_elsewhere("Hillside Clinic")
        assert settings.clinic_profile().name == "Hillside Clinic"
    assert _brand(app.test_client()) == "Hillside Clinic"


@contextlib.contextmanager
def _database_gone() -> Iterator[None]:
    """Every statement on the app's database fails as it does when the server has gone away."""

    def gone(*_args: object) -> None:
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    event.listen(db.engine, "before_cursor_execute", gone)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", gone)


def _outage_page(client: FlaskClient) -> str:
    with client.application.app_context(), _database_gone():
        response = client.get("/")
    assert response.status_code == 503
    return response.get_data(as_text=True)


def test_the_outage_page_shows_the_profile_last_kept_however_old(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["CLINIC_PHONE"] = "503-555-0100"  # the configured default
    clock = Clock(monkeypatch)
    _saved_elsewhere("503-555-0199", key=settings.CLINIC_PHONE)
    _saved_elsewhere("Lakeside Clinic")
    patient = app.test_client()
    assert _brand(patient) == "Lakeside Clinic"  # read and kept
    clock.now += 24 * 3600  # a day later: long stale, and the database is gone
    html = _outage_page(patient)
    assert "503-555-0199" in html and "503-555-0100" not in html
    assert '<a class="brand" href="/">Lakeside Clinic</a>' in html


def test_the_outage_page_of_a_worker_that_kept_nothing_shows_the_defaults(app: Flask) -> None:
    app.config["CLINIC_PHONE"] = "503-555-0100"
    _saved_elsewhere("503-555-0199", key=settings.CLINIC_PHONE)
    html = _outage_page(app.test_client())
    assert "503-555-0100" in html and "503-555-0199" not in html
    assert f'<a class="brand" href="/">{DEFAULT_NAME}</a>' in html
