"""The warning that urgent alerts are not going out, in a real browser: the front desk's queue
and the admin's alerts page carry it after a real refused delivery, and both stay axe-clean. A
queue left open shows it once the trouble starts and takes it away once the alerts go out
again, without a reload (the poll, ``QUEUE_POLL_SECONDS`` = 1 here); with JavaScript off the
warning stays as the page drew it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import expect

from intake.models.types import utcnow
from intake.worker import sweep
from tests.alerts.helpers import PATIENT_DATA, make_tier, submit
from tests.alerts.servers import SmtpServer, free_port
from tests.browser.staff_pages import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_the_warning_is_seen_and_accessible(
    app: Flask, live_server, new_page, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    app.config.update(
        ALERT_DIGEST_HOUR=None, SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_SECURITY="none"
    )  # nothing listens on that port: every e-mail is refused
    make_tier("Front desk", emails=("desk@clinic.example",))
    submit()
    sweep(utcnow())
    make_user("front_desk", email="desk@example.org")
    make_user("admin", email="boss@example.org")

    page = new_page()
    sign_in(page, live_server, "desk@example.org")
    page.goto(live_server + "/staff/")
    warning = page.get_by_role("alert").filter(has_text="Alert e-mails are not going out")
    assert "1 urgent alert failed" in warning.inner_text()
    assert_accessible(page, "queue with the alert warning")

    admin = new_page()
    sign_in(admin, live_server, "boss@example.org")
    admin.goto(live_server + "/admin/alerts")
    warning = admin.get_by_role("alert").filter(has_text="Alert e-mails are not going out")
    link = "Check the mail settings and the delivery log on Alerts"
    assert warning.get_by_role("link", name=link).count() == 1
    assert_accessible(admin, "admin alerts with the alert warning")


HEADLINE = "Alert e-mails are not going out"
WAIT_MS = 8_000  # several poll intervals of 1 s
#: Counts the changes made to the warning (added, removed, its words changed) from now on.
WATCH_WARNING = """() => {
  window.warningChanges = 0;
  new MutationObserver((records) => {
    for (const r of records) {
      const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const touched = [...r.addedNodes, ...r.removedNodes].some((n) => n.id === "alert-trouble");
      if (touched || (node && node.closest("#alert-trouble"))) window.warningChanges += 1;
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}"""


def test_an_open_queue_shows_the_warning_and_takes_it_away_without_a_reload(
    app: Flask, live_server, new_page, assert_accessible
) -> None:  # type: ignore[no-untyped-def]
    app.config["QUEUE_POLL_SECONDS"] = 1
    smtp = SmtpServer()  # not started yet: nothing listens on its port, every e-mail is refused
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_SECURITY="none")
    make_tier("Front desk", emails=("desk@clinic.example",))
    make_user("front_desk", email="desk@example.org")
    page = new_page()
    sign_in(page, live_server, "desk@example.org")
    page.goto(live_server + "/staff/")
    page.evaluate("window.sameDocument = true")
    warning = page.get_by_role("alert").filter(has_text=HEADLINE)
    assert warning.count() == 0
    refresh = page.get_by_role("button", name="Refresh")
    refresh.focus()

    _, reference = submit()
    sweep(utcnow())  # the delivery is refused: the trouble starts
    warning.wait_for(timeout=WAIT_MS)
    assert page.evaluate("window.sameDocument") is True  # no reload
    text = warning.inner_text()
    assert "1 urgent alert failed and is waiting to be sent again" in text
    assert "Work the urgent list by hand and call the patients" in text
    for secret in (*PATIENT_DATA, reference):
        assert secret not in text
    assert page.locator("#alert-trouble").count() == 1
    # At the top of the page's content, the focus left where the reader had it.
    assert (
        page.evaluate("document.querySelector('.staff-main').firstElementChild.id")
        == "alert-trouble"
    )
    assert page.evaluate("document.activeElement.textContent.trim()") == "Refresh"
    assert_accessible(page, "queue with the warning brought by the poll")

    # Unchanged, it is not touched (so not announced again) poll after poll.
    page.evaluate(WATCH_WARNING)
    time.sleep(3.5)
    assert page.evaluate("window.warningChanges") == 0
    assert page.locator("#alert-trouble").count() == 1

    # A page drawn meanwhile with JavaScript off keeps the warning it was drawn with.
    still = new_page(javascript=False)
    sign_in(still, live_server, "desk@example.org")
    still.goto(live_server + "/staff/")
    assert HEADLINE in still.inner_text("#alert-trouble")

    smtp.start()  # the mail server is back: the retry goes out
    try:
        sweep(utcnow() + timedelta(seconds=31))
        expect(page.locator("#alert-trouble")).to_have_count(0, timeout=WAIT_MS)
        assert page.evaluate("window.sameDocument") is True
        # Its going is said too (politely), so a screen reader hears the alerts are back.
        status = page.locator("#queue-changes-status")
        assert status.inner_text() == "Urgent alerts are going out again."
        assert page.evaluate("document.activeElement.textContent.trim()") == "Refresh"
        time.sleep(1.5)
        assert HEADLINE in still.inner_text("#alert-trouble")  # no script: as it was drawn
    finally:
        smtp.stop()
