"""The outbox and e-mail: an urgent submission's alert is stored with it, delivered once per
recipient through a real SMTP server, survives the server being down, and says nothing about
the patient."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from intake.extensions import db
from intake.models import Alert, AlertDelivery
from intake.models.types import utcnow
from intake.services.submissions import submit_document
from intake.worker import deliver, sweep
from tests.alerts.helpers import PATIENT_DATA, make_tier, patient_document, submit
from tests.alerts.servers import SmtpServer
from tests.committed import committed_count

ON_CALL = ("desk@clinic.example", "lead@clinic.example")


def _deliveries() -> list[AlertDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AlertDelivery).order_by(AlertDelivery.id)))


def test_an_urgent_submission_is_emailed_once_to_each_recipient(
    app: Flask, smtp: SmtpServer
) -> None:
    make_tier("Front desk", emails=ON_CALL)
    submission_id, reference = submit()
    now = utcnow()

    sweep(now)
    sweep(now)  # a second sweep finds nothing due
    deliver([d.id for d in _deliveries()], now)  # nor does delivering them again

    assert sorted(m.recipients[0] for m in smtp.messages) == sorted(ON_CALL)
    assert len(smtp.messages) == 2
    alert = db.session.scalars(sa.select(Alert)).one()
    assert (alert.event, alert.submission_id, alert.tier) == ("urgent_submission", submission_id, 1)
    assert [(d.status, d.attempts) for d in _deliveries()] == [("sent", 1), ("sent", 1)]
    message_ids = {m.message["Message-ID"] for m in smtp.messages}
    assert len(message_ids) == 2  # one per recipient, stable (the delivery's event id)
    for received in smtp.messages:
        assert reference in received.message["Subject"]
        body = received.message.get_payload()
        assert f"http://localhost:5000/staff/submissions/{submission_id}" in body


def test_the_link_uses_the_public_url(app: Flask, smtp: SmtpServer) -> None:
    app.config["PUBLIC_URL"] = "https://intake.clinic.example/portal"
    make_tier("Front desk", emails=ON_CALL[:1])
    submission_id, _ = submit()
    sweep(utcnow())
    body = smtp.messages[0].message.get_payload()
    assert f"https://intake.clinic.example/portal/staff/submissions/{submission_id}" in body


def test_an_acute_submission_says_acute(app: Flask, smtp: SmtpServer) -> None:
    make_tier("Front desk", emails=ON_CALL[:1])
    _, reference = submit(acute=True)
    sweep(utcnow())
    assert smtp.messages[0].message["Subject"] == f"ACUTE RISK: Urgent intake {reference}"


def test_no_patient_data_in_any_message(app: Flask, smtp: SmtpServer) -> None:
    make_tier("Front desk", emails=ON_CALL)
    submit(acute=True)
    submit()
    sweep(utcnow())
    assert len(smtp.messages) == 4
    for received in smtp.messages:
        text = received.raw.decode()
        for value in PATIENT_DATA:
            assert value.lower() not in text.lower(), value


def test_a_submission_that_is_not_urgent_raises_no_alert(app: Flask, smtp: SmtpServer) -> None:
    make_tier("Front desk", emails=ON_CALL)
    submit(urgent=False)
    sweep(utcnow())
    assert committed_count(Alert) == 0
    assert smtp.messages == []


def test_a_rolled_back_submission_leaves_no_alert(app: Flask) -> None:
    make_tier("Front desk", emails=ON_CALL)
    submission = submit_document(patient_document(), source="api")
    assert submission.urgent
    assert db.session.scalars(sa.select(AlertDelivery)).all()  # written in its transaction
    db.session.rollback()
    assert committed_count(Alert) == 0
    assert committed_count(AlertDelivery) == 0
    assert db.session.info.get("alert_deliveries_added") is None


def test_a_committed_urgent_submission_has_its_deliveries(app: Flask) -> None:
    make_tier("Front desk", emails=ON_CALL)
    submission_id, _ = submit()
    assert committed_count(Alert, Alert.submission_id == submission_id) == 1
    assert committed_count(AlertDelivery, AlertDelivery.status == "pending") == 2


def test_the_deliveries_are_enqueued_after_the_commit(app: Flask) -> None:
    make_tier("Front desk", emails=ON_CALL)
    huey = app.extensions["huey"]
    huey.flush()
    submission = submit_document(patient_document(), source="api")
    assert submission.urgent
    assert huey.pending_count() == 0  # nothing before the commit
    db.session.commit()
    assert huey.pending_count() == 1
    task = huey.pending()[0]
    assert task.name == "deliver"
    assert sorted(task.args[0]) == [d.id for d in _deliveries()]


def test_a_queue_that_cannot_be_reached_loses_nothing(
    app: Flask, smtp: SmtpServer, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def unreachable(ids: list[int]) -> None:
        raise ConnectionError("queue down")

    monkeypatch.setitem(app.extensions["alert_tasks"], "deliver", unreachable)
    make_tier("Front desk", emails=ON_CALL[:1])
    submit()  # the commit stands
    assert committed_count(AlertDelivery) == 1
    sweep(utcnow())  # the sweep finds it
    assert len(smtp.messages) == 1


def test_a_refused_connection_is_retried_until_delivered_once(app: Flask, smtp: SmtpServer) -> None:
    make_tier("Front desk", emails=ON_CALL[:1])
    submit()
    smtp.stop()
    now = utcnow()

    sweep(now)
    (delivery,) = _deliveries()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "SMTP: connection refused"
    assert delivery.next_attempt_at == now + timedelta(seconds=30)
    sweep(now + timedelta(seconds=10))  # not due yet
    assert _deliveries()[0].attempts == 1

    sweep(now + timedelta(seconds=30))  # still down: the wait doubles
    (delivery,) = _deliveries()
    assert (delivery.status, delivery.attempts) == ("pending", 2)
    assert delivery.next_attempt_at == now + timedelta(seconds=30 + 60)

    smtp.start()
    sweep(now + timedelta(seconds=90))
    sweep(now + timedelta(seconds=200))
    (delivery,) = _deliveries()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert delivery.sent_at == now + timedelta(seconds=90)
    assert len(smtp.messages) == 1


def test_a_server_that_answers_an_error_is_retried(app: Flask, smtp: SmtpServer) -> None:
    smtp.before_reply = lambda envelope: "451 Try again later"
    make_tier("Front desk", emails=ON_CALL[:1])
    submit()
    now = utcnow()
    sweep(now)
    (delivery,) = _deliveries()
    assert (delivery.status, delivery.last_error) == ("pending", "SMTP server answered 451")
    smtp.before_reply = None
    sweep(now + timedelta(minutes=1))
    assert _deliveries()[0].status == "sent"
    assert len(smtp.messages) == 1


def test_a_delivery_claimed_by_another_worker_is_not_sent(app: Flask, smtp: SmtpServer) -> None:
    from intake.services import alerts

    make_tier("Front desk", emails=ON_CALL[:1])
    submit()
    now = utcnow()
    (delivery,) = _deliveries()
    assert alerts.claim(delivery.id, now)  # another worker's claim
    db.session.commit()
    assert deliver([delivery.id], now) == {str(delivery.id): "skipped"}
    sweep(now + timedelta(seconds=60))
    assert smtp.messages == []
    # Its claim runs out (that worker died): the sweep takes it over, sends it once.
    sweep(now + timedelta(seconds=app.config["ALERT_CLAIM_SECONDS"] + 1))
    assert len(smtp.messages) == 1
    assert _deliveries()[0].attempts == 2


def test_without_tiers_the_alert_is_kept_for_the_log(app: Flask, smtp: SmtpServer) -> None:
    submission_id, _ = submit()
    assert committed_count(Alert, Alert.submission_id == submission_id) == 1
    assert committed_count(AlertDelivery) == 0


def test_a_disabled_staff_account_is_not_alerted(app: Flask, smtp: SmtpServer) -> None:
    from intake.services import alerts
    from tests.factories import make_user

    tier = make_tier("Front desk", emails=ON_CALL[:1])
    gone = make_user("front_desk", email="left@clinic.example", disabled=True)
    alerts.add_recipient(tier, channel="email", user=gone, by=None)
    db.session.commit()
    submit()
    sweep(utcnow())
    assert [m.recipients[0] for m in smtp.messages] == [ON_CALL[0]]
