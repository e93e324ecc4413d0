"""The admin's alerts page: on-call tiers and recipients, a test alert through a real SMTP
server, the delivery log; every change audited and committed; no secret or patient data shown."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import AlertDelivery, AlertRecipient, AlertTier, AuditEvent
from intake.models.types import utcnow
from intake.worker import sweep
from tests.alerts.helpers import PATIENT_DATA, make_tier, submit
from tests.alerts.servers import SmtpServer
from tests.committed import committed_count
from tests.factories import make_user, post

SECRET = "a-webhook-secret-of-some-length"


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_SECURITY="none")
    app.config["ALERT_DIGEST_HOUR"] = None
    yield server
    server.stop()


def _tiers() -> list[tuple[int, str, int]]:
    db.session.expire_all()
    return [
        (t.position, t.name, t.escalate_after_minutes)
        for t in db.session.scalars(sa.select(AlertTier).order_by(AlertTier.position))
    ]


def _audited(action: str) -> int:
    return committed_count(AuditEvent, AuditEvent.action == action)


def test_an_admin_sets_up_tiers_and_recipients(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    page = client.get("/admin/alerts")
    assert page.status_code == 200
    assert "No tiers yet" in page.get_data(as_text=True)

    response = post(client, "/admin/alerts", {"new-name": "Front desk", "new-minutes": "10"})
    assert response.status_code == 302
    post(client, "/admin/alerts", {"new-name": "Clinical lead", "new-minutes": "20"})
    assert _tiers() == [(1, "Front desk", 10), (2, "Clinical lead", 20)]
    assert _audited("alert_tier_added") == 2

    first, second = db.session.scalars(sa.select(AlertTier).order_by(AlertTier.position))
    nurse = make_user("clinician", email="nurse@clinic.example")
    p1, p2 = f"tier{first.id}-add-", f"tier{second.id}-add-"
    for data in (
        {"tier_id": first.id, f"{p1}kind": "account", f"{p1}account": str(nurse.id)},
        {"tier_id": first.id, f"{p1}kind": "email", f"{p1}email": "desk@clinic.example"},
        {
            "tier_id": second.id,
            f"{p2}kind": "webhook",
            f"{p2}webhook_url": "https://hooks.clinic.example/intake",
            f"{p2}webhook_secret": SECRET,
        },
    ):
        assert post(client, "/admin/alerts/recipient", data).status_code == 302
    assert _audited("alert_recipient_added") == 3
    html = client.get("/admin/alerts").get_data(as_text=True)
    assert "Staff account nurse@clinic.example" in html
    assert "E-mail desk@clinic.example" in html
    assert "Webhook https://hooks.clinic.example/intake" in html
    assert SECRET not in html  # never shown again
    assert SECRET not in str(db.session.scalars(sa.select(AuditEvent.detail)).all())

    edit = f"tier{second.id}-"
    response = post(
        client,
        "/admin/alerts/tier",
        {"tier_id": second.id, f"{edit}name": "Clinical lead", f"{edit}minutes": "25"},
    )
    assert response.status_code == 302
    assert _tiers() == [(1, "Front desk", 10), (2, "Clinical lead", 25)]
    assert _audited("alert_tier_changed") == 1

    webhook = db.session.scalars(
        sa.select(AlertRecipient).where(AlertRecipient.channel == "webhook")
    ).one()
    post(client, "/admin/alerts/recipient/remove", {"recipient_id": webhook.id})
    assert committed_count(AlertRecipient) == 2
    post(client, "/admin/alerts/tier/remove", {"tier_id": first.id})
    assert _tiers() == [(1, "Clinical lead", 25)]  # the next tier moves up
    assert committed_count(AlertRecipient) == 0
    assert (_audited("alert_recipient_removed"), _audited("alert_tier_removed")) == (1, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "account"}, "Choose a staff account."),
        ({"kind": "email"}, "Enter an e-mail address."),
        ({"kind": "email", "email": "not an address"}, "Enter a valid e-mail address."),
        ({"kind": "webhook", "webhook_secret": SECRET}, "Enter the webhook&#39;s URL."),
        (
            {"kind": "webhook", "webhook_url": "http://hooks.clinic.example/x"},
            "Enter a secret.",
        ),
        (
            {
                "kind": "webhook",
                "webhook_url": "http://hooks.clinic.example/x",
                "webhook_secret": SECRET,
            },
            "Use an https:// URL.",
        ),
        ({}, "Choose where alerts go."),
    ],
)
def test_a_recipient_that_cannot_be_used_is_refused_with_a_message(
    client: FlaskClient, login_as, data: dict[str, str], message: str
) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    tier = make_tier("Front desk")
    prefix = f"tier{tier.id}-add-"
    response = post(
        client,
        "/admin/alerts/recipient",
        {"tier_id": tier.id, **{prefix + k: v for k, v in data.items()}},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="error-summary"' in html
    assert SECRET not in html  # a refused secret is not echoed either
    assert committed_count(AlertRecipient) == 0


def test_a_tier_needs_a_name_and_minutes(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    response = post(client, "/admin/alerts", {"new-name": "", "new-minutes": "0"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give the tier a name." in html
    assert "Enter a number of minutes from 1 to 1440." in html
    assert committed_count(AlertTier) == 0


def test_a_test_alert_reaches_the_tier_and_shows_in_the_log(
    app: Flask, client: FlaskClient, login_as, smtp: SmtpServer
) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    tier = make_tier("Front desk", emails=("desk@clinic.example", "lead@clinic.example"))
    response = post(client, "/admin/alerts/test", {"tier_id": tier.id}, follow_redirects=True)
    assert "Test alert queued for 2 recipients of tier 1" in response.get_data(as_text=True)
    assert _audited("alert_test_sent") == 1
    assert committed_count(AlertDelivery, AlertDelivery.status == "pending") == 2

    sweep(utcnow())
    assert sorted(m.recipients[0] for m in smtp.messages) == [
        "desk@clinic.example",
        "lead@clinic.example",
    ]
    assert smtp.messages[0].message["Subject"] == "Test alert from the intake app"
    html = client.get("/admin/alerts").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>[^<]+</td>\s*<td>Test alert</td>.*?</tr>", html, re.S)
    assert len(rows) == 2
    assert all("<td>Sent</td>" in row for row in rows)


def test_the_delivery_log_shows_failures_and_no_patient_data(
    app: Flask, client: FlaskClient, login_as, smtp: SmtpServer
) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    make_tier("Front desk", emails=("desk@clinic.example",))
    submit(acute=True)
    smtp.stop()
    sweep(utcnow())
    html = client.get("/admin/alerts").get_data(as_text=True)
    assert "Urgent submission" in html
    assert "SMTP: connection refused" in html
    assert "Waiting, retry at" in html
    for value in PATIENT_DATA:
        assert value not in html, value


def test_a_tier_without_recipients_sends_no_test(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    tier = make_tier("Front desk")
    response = post(client, "/admin/alerts/test", {"tier_id": tier.id}, follow_redirects=True)
    assert "Tier 1 has no recipients: nothing was sent." in response.get_data(as_text=True)


def test_the_delivery_log_caption_names_the_zone_its_times_are_in(
    app: Flask, client: FlaskClient, login_as, smtp: SmtpServer
) -> None:  # type: ignore[no-untyped-def]
    """The rows show the clinic's local time ("2026-12-06 14:14:35 PST"): the caption said
    "(times in UTC)"; it names the clinic's zone."""
    from intake.services.settings import CLINIC_TIME_ZONE, set_setting

    set_setting(CLINIC_TIME_ZONE, "America/Los_Angeles", user_id=None)
    db.session.commit()
    login_as("admin")
    tier = make_tier("Front desk", emails=("desk@clinic.example",))
    post(client, "/admin/alerts/test", {"tier_id": tier.id})
    html = client.get("/admin/alerts").get_data(as_text=True)
    caption = re.search(r"<caption>(The latest \d+ deliveries[^<]*)</caption>", html)
    assert caption, html
    assert caption.group(1) == (
        "The latest 1 deliveries, newest first "
        "(times in the clinic's time zone, America/Los_Angeles)"
    )
    (row,) = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>Test alert</td>", html)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d P[SD]T", row), row
