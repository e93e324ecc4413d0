"""The warning that urgent alerts are not going out, in a real browser: the front desk's queue
and the admin's alerts page carry it after a real refused delivery, and both stay axe-clean."""

from __future__ import annotations

import pytest
from flask import Flask

from intake.models.types import utcnow
from intake.worker import sweep
from tests.alerts.helpers import make_tier, submit
from tests.alerts.servers import free_port
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
