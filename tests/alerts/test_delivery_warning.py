"""Staff are told when urgent alerts are not going out: while an urgent alert's delivery has
failed and waits for a retry (or was given up), the queue, the clinician's urgent list, the
admin pages and /admin/alerts carry a warning with counts and a time, never a patient; it goes
once the deliveries succeed, and no patient page ever shows it. The queue's poll carries it
too, so a page left open shows it (and takes it away) without a reload.

Failures are real: the worker's sweep sends to an SMTP port where nothing listens any more."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask

from intake.extensions import db
from intake.models import AlertDelivery, Submission
from intake.models.types import utcnow
from intake.services import alerts
from intake.services.settings import CLINIC_TIME_ZONE, set_setting
from intake.staff import live
from intake.worker import sweep
from tests.alerts.helpers import PATIENT_DATA, make_tier, submit
from tests.alerts.servers import SmtpServer

ON_CALL = ("desk@clinic.example", "lead@clinic.example")
#: The warning's opening words (the spec's), and the page element that holds it.
HEADLINE = "Alert e-mails are not going out"
WARNING_ID = 'id="alert-trouble"'
#: The staff pages that must warn, by role: (role, URL).
STAFF_PAGES = (
    ("front_desk", "/staff/"),
    ("clinician", "/clinician/"),
    ("admin", "/admin/"),
    ("admin", "/admin/alerts"),
)


def _pages(app: Flask, login_as) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each staff page's HTML, each role signed in on a client of its own."""
    clients = {}
    for role in {r for r, _ in STAFF_PAGES}:
        clients[role] = app.test_client()
        login_as(role, on=clients[role])
    pages = {}
    for role, url in STAFF_PAGES:
        response = clients[role].get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    return pages


def _fail_once(smtp: SmtpServer, count: int = 1) -> list[tuple[int, str]]:
    make_tier("Front desk", emails=ON_CALL)
    submitted = [submit() for _ in range(count)]
    smtp.stop()  # nothing listens on the port any more: the connection is refused
    sweep(utcnow())
    statuses = db.session.scalars(sa.select(AlertDelivery.status)).all()
    assert statuses == ["pending"] * (2 * count)
    return submitted


def test_a_failing_urgent_alert_warns_every_staff_page_until_it_is_sent(
    app: Flask, smtp: SmtpServer, login_as
) -> None:  # type: ignore[no-untyped-def]
    set_setting(CLINIC_TIME_ZONE, "America/Chicago", user_id=None)
    db.session.commit()
    submitted = _fail_once(smtp, count=2)
    first = min(db.session.scalars(sa.select(AlertDelivery.created_at)))
    since = first.astimezone(ZoneInfo("America/Chicago")).strftime("%Y-%m-%d %H:%M %Z")

    pages = _pages(app, login_as)
    for url, html in pages.items():
        assert WARNING_ID in html, url
        # Two urgent alerts (each to two recipients): alerts are counted, not messages.
        assert f"{HEADLINE}: 2 urgent alerts failed and are waiting" in html, url
        assert f"since {since}" in html, url
        assert "Work the urgent list by hand and call the patients" in html, url
        for _, reference in submitted:
            assert reference not in html.split(WARNING_ID)[1].split("</div>")[0], url
    # The admin is sent to the mail settings; the others are told an admin can do it.
    assert 'href="/admin/alerts#log-heading"' in pages["/admin/"]
    assert "/admin/alerts" not in pages["/staff/"]
    assert "An admin can check the mail settings on Alerts" in pages["/clinician/"]

    smtp.start()  # the mail server is back: the retry (due after 30 s) goes out
    sweep(utcnow() + timedelta(seconds=31))
    assert set(db.session.scalars(sa.select(AlertDelivery.status))) == {"sent"}
    for url, html in _pages(app, login_as).items():
        assert WARNING_ID not in html, url
        assert HEADLINE not in html, url


def test_the_warning_names_no_patient(app: Flask, smtp: SmtpServer, login_as) -> None:  # type: ignore[no-untyped-def]
    ((submission_id, reference),) = _fail_once(smtp)
    pages = _pages(app, login_as)
    warning = pages["/admin/"].split(WARNING_ID)[1].split("</div>")[0]
    assert HEADLINE in warning
    for secret in (*PATIENT_DATA, reference):
        assert secret not in warning
    # The front desk's queue lists the patient, but the warning itself names nobody.
    queue_warning = pages["/staff/"].split(WARNING_ID)[1].split("</div>")[0]
    for secret in (*PATIENT_DATA, reference):
        assert secret not in queue_warning
    assert db.session.get(Submission, submission_id) is not None


def test_no_patient_page_shows_the_warning(app: Flask, smtp: SmtpServer, client, login_as) -> None:  # type: ignore[no-untyped-def]
    _fail_once(smtp)
    for url in ("/", "/start"):
        html = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert HEADLINE not in html, url
        assert WARNING_ID not in html, url
    # Not even a patient page opened on a device where staff are signed in.
    login_as("front_desk")
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert HEADLINE not in html


def test_a_given_up_alert_warns_for_a_day(app: Flask, smtp: SmtpServer, login_as) -> None:  # type: ignore[no-untyped-def]
    make_tier("Front desk", emails=ON_CALL[:1])
    submit()
    smtp.stop()
    # The delivery has been tried all but once already; the sweep's attempt is its last.
    db.session.execute(sa.update(AlertDelivery).values(attempts=alerts.MAX_ATTEMPTS - 1))
    db.session.commit()
    sweep(utcnow())
    assert db.session.scalars(sa.select(AlertDelivery.status)).all() == ["failed"]
    html = _pages(app, login_as)["/staff/"]
    assert f"{HEADLINE}: 1 urgent alert could not be sent and was given up" in html

    # 25 hours later (the attempt moved back as if time had passed) it no longer warns.
    (delivery,) = db.session.scalars(sa.select(AlertDelivery)).all()
    assert delivery.last_attempt_at is not None
    delivery.last_attempt_at -= timedelta(hours=25)
    db.session.commit()
    assert HEADLINE not in _pages(app, login_as)["/staff/"]


def test_a_waiting_alert_never_tried_and_a_failing_test_alert_do_not_warn(
    app: Flask, smtp: SmtpServer, login_as
) -> None:  # type: ignore[no-untyped-def]
    tier = make_tier("Front desk", emails=ON_CALL[:1])
    submit()  # its delivery is waiting for the worker: not trouble yet
    assert HEADLINE not in _pages(app, login_as)["/staff/"]
    smtp.stop()
    db.session.execute(sa.update(AlertDelivery).values(status="sent", sent_at=utcnow()))
    alerts.send_test(tier, by=None)  # not an urgent item: its failure is the admin's log only
    db.session.commit()
    sweep(utcnow())
    assert "pending" in db.session.scalars(sa.select(AlertDelivery.status)).all()
    assert HEADLINE not in _pages(app, login_as)["/staff/"]


def _poll_warning(client) -> str | None:  # type: ignore[no-untyped-def]
    """The warning the queue's poll carries (``alert_warning``: the drawn fragment, or null)."""
    response = client.get("/staff/queue/changes")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    warning: str | None = response.get_json()["alert_warning"]
    return warning


def test_the_queue_poll_brings_the_warning_to_an_open_page_and_takes_it_away(
    app: Flask, smtp: SmtpServer, client, login_as, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A queue left open learns that urgent alerts stopped going out, and that they went out
    again, from its poll. The poll may answer what its process asked up to 5 s before (the
    default ``ALERT_TROUBLE_SECONDS``, under half of the default 20 s interval): it asks at
    most once per 5 s however many tabs poll, and still shows new trouble within one poll."""
    assert app.config["ALERT_TROUBLE_SECONDS"] == 5.0
    clock = [1_000.0]
    monkeypatch.setattr(live, "monotonic", lambda: clock[0])
    login_as("front_desk")
    assert _poll_warning(client) is None

    ((_, reference),) = _fail_once(smtp)
    clock[0] += 4  # within the 5 s: the answer asked before the failure
    assert _poll_warning(client) is None
    clock[0] += 2  # 6 s after it was asked: asked again
    warning = _poll_warning(client)
    assert warning is not None
    assert WARNING_ID in warning and 'role="alert"' in warning
    assert f"{HEADLINE}: 1 urgent alert failed and is waiting to be sent again" in warning
    assert "Work the urgent list by hand and call the patients" in warning
    for secret in (*PATIENT_DATA, reference):
        assert secret not in warning
    # One home for the words: the page draws the very fragment the poll sends.
    assert warning in client.get("/staff/").get_data(as_text=True)

    smtp.start()  # the mail server is back: the retry goes out, and the warning goes
    sweep(utcnow() + timedelta(seconds=31))
    assert set(db.session.scalars(sa.select(AlertDelivery.status))) == {"sent"}
    clock[0] += 6
    assert _poll_warning(client) is None


def test_the_poll_never_keeps_the_answer_for_half_its_interval(
    app: Flask, smtp: SmtpServer, client, login_as, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Polled every 4 s, the kept answer lasts under 2 s: the first poll after a page was drawn
    never answers from before the page (it would take the page's warning away)."""
    app.config["QUEUE_POLL_SECONDS"] = 4
    clock = [1_000.0]
    monkeypatch.setattr(live, "monotonic", lambda: clock[0])
    login_as("front_desk")
    assert _poll_warning(client) is None
    _fail_once(smtp)
    clock[0] += 2.5
    assert HEADLINE in (_poll_warning(client) or "")
