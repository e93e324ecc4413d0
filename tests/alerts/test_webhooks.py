"""Webhooks: a real HTTP receiver gets a small signed JSON body, verifiable as docs/operations.md
tells receivers (HMAC-SHA256 over "timestamp.body", five minutes' tolerance), retried with
back-off until it answers 2xx, https only outside development."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from intake.alert_channels import verify_signature
from intake.extensions import db
from intake.models import AlertDelivery
from intake.models.types import utcnow
from intake.services import alerts
from intake.worker import sweep
from tests.alerts.helpers import PATIENT_DATA, make_tier, submit
from tests.alerts.servers import WebhookReceiver

SECRET = "s3cret-shared-with-the-receiver"


def _receiver_verifies(headers: dict[str, str], body: bytes, now: float) -> bool:
    """The receiver's check, written from docs/operations.md (not from the app's code)."""
    timestamp = headers["x-intake-timestamp"]
    if abs(now - int(timestamp)) > 300:
        return False
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest("sha256=" + expected.hexdigest(), headers["x-intake-signature"])


def test_the_webhook_gets_a_signed_body_with_only_the_reference_kind_and_link(
    app: Flask, receiver: WebhookReceiver
) -> None:
    make_tier("Front desk", webhooks=((receiver.url, SECRET),))
    submission_id, reference = submit(acute=True)
    sweep(utcnow())

    (hook,) = receiver.requests
    assert hook.path == "/hooks/intake"
    assert hook.headers["content-type"] == "application/json"
    body = json.loads(hook.body)
    assert set(body) == {"event", "reference", "kind", "url", "id", "timestamp"}
    assert body["event"] == "urgent_submission"
    assert body["kind"] == "acute"
    assert body["reference"] == reference
    assert body["url"] == f"http://localhost:5000/staff/submissions/{submission_id}"
    assert body["id"] == hook.headers["x-intake-event-id"]
    assert _receiver_verifies(hook.headers, hook.body, time.time())
    assert verify_signature(
        SECRET,
        hook.headers["x-intake-timestamp"],
        hook.body,
        hook.headers["x-intake-signature"],
        now=time.time(),
    )
    text = hook.body.decode() + json.dumps(hook.headers)
    for value in PATIENT_DATA:
        assert value.lower() not in text.lower(), value


def test_a_tampered_body_a_wrong_secret_or_an_old_timestamp_does_not_verify(
    app: Flask, receiver: WebhookReceiver
) -> None:
    make_tier("Front desk", webhooks=((receiver.url, SECRET),))
    submit()
    sweep(utcnow())
    (hook,) = receiver.requests
    stamp, signature = hook.headers["x-intake-timestamp"], hook.headers["x-intake-signature"]
    now = int(stamp)
    assert verify_signature(SECRET, stamp, hook.body, signature, now=now + 299)
    assert not verify_signature(SECRET, stamp, hook.body, signature, now=now + 301)
    assert not verify_signature(SECRET, stamp, hook.body + b" ", signature, now=now)
    assert not verify_signature("another-secret-entirely", stamp, hook.body, signature, now=now)
    assert not verify_signature(SECRET, str(now + 1), hook.body, signature, now=now)
    assert not _receiver_verifies(
        {**hook.headers, "x-intake-timestamp": str(now - 600)}, hook.body, now
    )


def test_a_failing_receiver_is_retried_with_back_off_and_gets_it_once(
    app: Flask, receiver: WebhookReceiver
) -> None:
    make_tier("Front desk", webhooks=((receiver.url, SECRET),))
    submit()
    receiver.status = 503
    now = utcnow()
    sweep(now)
    sweep(now + timedelta(seconds=30))
    delivery = db.session.scalars(sa.select(AlertDelivery)).one()
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == ("pending", 2)
    assert delivery.last_error == "webhook answered HTTP 503"
    assert delivery.next_attempt_at == now + timedelta(seconds=90)

    receiver.status = 204
    sweep(now + timedelta(seconds=90))
    sweep(now + timedelta(seconds=500))
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert len(receiver.requests) == 3
    # The same event id every time, so the receiver can drop what it already has.
    assert len({hook.headers["x-intake-event-id"] for hook in receiver.requests}) == 1
    assert len({hook.body for hook in receiver.requests}) == 1


def test_a_receiver_that_is_down_is_retried(app: Flask, receiver: WebhookReceiver) -> None:
    url = receiver.url
    receiver.stop()
    make_tier("Front desk", webhooks=((url, SECRET),))
    submit()
    sweep(utcnow())
    delivery = db.session.scalars(sa.select(AlertDelivery)).one()
    assert (delivery.status, delivery.last_error) == ("pending", "webhook: connection refused")


def test_email_and_webhook_recipients_of_one_tier_each_get_one(
    app: Flask, receiver: WebhookReceiver, smtp
) -> None:  # type: ignore[no-untyped-def]
    make_tier("Front desk", emails=("desk@clinic.example",), webhooks=((receiver.url, SECRET),))
    submit()
    now = utcnow()
    sweep(now)
    sweep(now + timedelta(minutes=1))
    assert len(receiver.requests) == 1
    assert len(smtp.messages) == 1


@pytest.mark.parametrize(
    ("url", "allowed_in_development"),
    [
        ("https://hooks.clinic.example/intake", True),
        ("http://127.0.0.1:8080/hook", True),
        ("http://localhost/hook", True),
        ("http://hooks.clinic.example/intake", False),
        ("ftp://hooks.clinic.example/intake", False),
        ("https://user:pw@hooks.clinic.example/intake", False),
        ("hooks.clinic.example/intake", False),
    ],
)
def test_webhooks_are_https_and_plain_http_only_to_this_machine_in_development(
    app: Flask, url: str, allowed_in_development: bool
) -> None:
    tier = make_tier("Front desk")

    def add() -> None:
        alerts.add_recipient(
            tier, channel="webhook", webhook_url=url, webhook_secret=SECRET, by=None
        )

    if allowed_in_development:
        add()
    else:
        with pytest.raises(alerts.AlertError):
            add()
    db.session.rollback()
    app.config["ALLOW_LOCAL_HTTP_WEBHOOKS"] = False  # production
    if url.startswith("https://hooks"):
        add()
    else:
        with pytest.raises(alerts.AlertError):
            add()
    db.session.rollback()


def test_production_refuses_at_send_time_a_plain_http_webhook_stored_before(
    app: Flask, receiver: WebhookReceiver
) -> None:
    make_tier("Front desk", webhooks=((receiver.url, SECRET),))
    submit()
    app.config["ALLOW_LOCAL_HTTP_WEBHOOKS"] = False
    sweep(utcnow())
    assert receiver.requests == []
    delivery = db.session.scalars(sa.select(AlertDelivery)).one()
    assert delivery.last_error.startswith("webhook URL refused")


def test_a_short_secret_is_refused(app: Flask) -> None:
    tier = make_tier("Front desk")
    with pytest.raises(alerts.AlertError, match="16 characters"):
        alerts.add_recipient(
            tier,
            channel="webhook",
            webhook_url="https://hooks.clinic.example/x",
            webhook_secret="short",
            by=None,
        )


def test_removing_a_webhook_fails_its_unsent_deliveries(
    app: Flask, receiver: WebhookReceiver
) -> None:
    tier = make_tier("Front desk", webhooks=((receiver.url, SECRET),))
    submit()
    (recipient,) = tier.recipients
    alerts.remove_recipient(recipient, by=None)
    db.session.commit()
    # The next recipient may get the same id on SQLite: the old delivery must not follow it.
    alerts.add_recipient(
        tier, channel="webhook", webhook_url=receiver.url, webhook_secret="x" * 20, by=None
    )
    db.session.commit()
    sweep(utcnow())
    assert receiver.requests == []
    delivery = db.session.scalars(sa.select(AlertDelivery)).one()
    db.session.refresh(delivery)
    assert (delivery.status, delivery.recipient_id) == ("failed", None)
    assert delivery.last_error == "recipient removed before it was sent"
