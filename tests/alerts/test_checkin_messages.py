"""Check-in invitations and reminders to the patient (issue 16, item 8) and urgent check-ins
(issue 15), through the alerts' outbox and worker, against a real SMTP server.

What is expected comes from the issues, written out here: a due check-in is e-mailed once with
a link that opens it and nothing about the patient; one reminder two days later if it is still
open, none once it is done or a later check-in is due; a refused SMTP connection delays the
message and it is delivered once; a patient who did not consent to e-mail gets nothing; an
urgent check-in alerts tier 1 with the intake's reference and a link to the check-in, and the
next tier when nobody has acknowledged it after tier 1's minutes.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from intake.extensions import db
from intake.models import Alert, AlertDelivery, AuditEvent, CheckIn, CheckInToken, Submission
from intake.services import courses
from intake.services.settings import CLINIC_NAME, CLINIC_PHONE, set_setting
from intake.worker import checkin_sweep, sweep
from tests.alerts.helpers import (
    DATE_OF_BIRTH,
    FIRST_NAME,
    LAST_NAME,
    PATIENT_DATA,
    PATIENT_EMAIL,
    make_tier,
    start_course_for,
)
from tests.alerts.servers import Received, SmtpServer, WebhookReceiver
from tests.factories import make_user, post

START = date(2031, 3, 3)  # a Monday
NOW = datetime(2031, 3, 3, 14, 0, tzinfo=UTC)  # the clinic's zone is UTC unless set
DAY = timedelta(days=1)
CLINIC = "Harbour TMS Clinic"
PHONE = "(555) 010-2233"
LINK = re.compile(r"http://localhost:5000/c/([A-Za-z0-9_-]+)")
NO_ASQ = {
    "wished_dead": "no",
    "family_better_off": "no",
    "thoughts_of_killing_self": "no",
    "ever_tried": "no",
    "thoughts_right_now": None,
}


@pytest.fixture(autouse=True)
def clinic(app: Flask) -> None:
    set_setting(CLINIC_NAME, CLINIC, user_id=None)
    set_setting(CLINIC_PHONE, PHONE, user_id=None)
    db.session.commit()


def course_for(*, every_days: int = 7, **patient: Any) -> tuple[int, str]:
    return start_course_for(START, every_days=every_days, **patient)


def checkins(course_id: int) -> list[CheckIn]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(CheckIn).where(CheckIn.course_id == course_id).order_by(CheckIn.due_on)
        )
    )


def body_of(received: Received) -> str:
    """The e-mail's text as the patient reads it (decoded from its transfer encoding)."""
    payload = received.message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def token_of(received: Received) -> str:
    found = LINK.findall(body_of(received))
    assert len(found) == 1, body_of(received)
    return str(found[0])


def complete(checkin: CheckIn, at: datetime, asq: dict[str, Any] | None = None) -> None:
    courses.complete_checkin(
        checkin,
        {"phq9": [1] * 8 + [0], "gad7": [1] * 7, "asq": asq or NO_ASQ, "side_effects": {}},
        opened_by="link",
        now=at,
        today=at.date(),
    )
    db.session.commit()


def both_sweeps(at: datetime) -> None:
    checkin_sweep(at)
    sweep(at)


# Invitations ------------------------------------------------------------------------------------


def test_a_due_check_in_is_emailed_once_with_a_link_that_opens_it(
    app: Flask, smtp: SmtpServer
) -> None:
    course_id, reference = course_for()
    both_sweeps(NOW)
    both_sweeps(NOW + timedelta(minutes=10))  # a second sweep sends nothing more
    checkin_sweep(NOW + timedelta(hours=5))

    (received,) = smtp.messages
    assert received.recipients == [PATIENT_EMAIL]
    email = received.message
    assert email["Subject"] == f"A short check-in from {CLINIC}"
    body = body_of(received)
    token = token_of(received)
    (baseline,) = checkins(course_id)
    assert courses.checkin_for_token(token, NOW) is baseline
    # What the message says: the clinic, the two minutes, the expiry, the phone, the crisis line.
    assert f"Your clinic, {CLINIC}, asks you to fill in a short check-in (2 minutes)." in body
    assert "until Monday 10 March 2031, 14:00 UTC" in body  # a week
    assert PHONE in body
    assert "988" in body
    # And nothing about the patient: not the name, the date of birth, the address, the answers,
    # nor even the intake's reference.
    headers_and_body = (email["Subject"] or "") + body
    for value in (*PATIENT_DATA, reference, "Quixwell", "PHQ"):
        assert value.lower() not in headers_and_body.lower(), value
    assert DATE_OF_BIRTH not in received.raw.decode()
    assert FIRST_NAME not in received.raw.decode() and LAST_NAME not in received.raw.decode()

    # The raw token is stored nowhere: only its hash, once.
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert db.session.scalars(sa.select(CheckInToken.token_hash)).all() == [digest]
    for table in (Alert.__table__, AlertDelivery.__table__, CheckIn.__table__):
        for row in db.session.execute(sa.select(table)).all():
            assert token not in repr(tuple(row))
    (delivery,) = db.session.scalars(sa.select(AlertDelivery)).all()
    assert (delivery.status, delivery.recipient, delivery.attempts) == ("sent", "patient", 1)
    assert PATIENT_EMAIL not in repr(
        tuple(db.session.execute(sa.select(AlertDelivery.__table__)).one())
    )
    assert baseline.invited_at == NOW and baseline.reminded_at is None
    (event,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "checkin_message_sent")
    ).all()
    assert event.detail["event"] == "checkin_invitation"
    assert event.detail["checkin_id"] == baseline.id


def test_a_patient_who_answered_the_intake_in_spanish_is_emailed_in_spanish(
    app: Flask, smtp: SmtpServer
) -> None:
    """Subject, body and the link's expiry in Spanish (docs/checkins.md, "Language"), with how
    to reach 988 in Spanish (clinical-facts.md: press 2; the text option docs/wizard.md
    confirms), and still nothing about the patient; the reminder too."""
    course_id, reference = course_for(preferred_language="es")
    both_sweeps(NOW)
    (received,) = smtp.messages
    email = received.message
    assert email["Subject"] == f"Un seguimiento breve de {CLINIC}"
    assert email["Content-Language"] == "es"
    body = body_of(received)
    assert f"Su clínica, {CLINIC}, le pide que responda un seguimiento breve (2 minutos)." in body
    assert "hasta el lunes, 10 de marzo de 2031, 14:00 UTC" in body  # a week, in Spanish
    assert f"¿Tiene preguntas? Llame a la clínica al {PHONE}." in body
    assert "llame al 988 y marque 2" in body and "AYUDA" in body and "911" in body
    for english in ("Your clinic", "asks you", "The link works", "Questions?", "call or text"):
        assert english not in body, english
    (baseline,) = checkins(course_id)
    assert courses.checkin_for_token(token_of(received), NOW) is baseline
    for value in (*PATIENT_DATA, reference, "Quixwell", "PHQ"):
        assert value.lower() not in ((email["Subject"] or "") + body).lower(), value
    both_sweeps(NOW + 2 * DAY)
    reminder = smtp.messages[-1]
    assert reminder.message["Subject"] == f"Recordatorio: un seguimiento breve de {CLINIC}"
    assert "Este es un recordatorio: su clínica" in body_of(reminder)


#: The opening sentence of the invitation and of the reminder, by language, with the clinic's
#: name set and without one (issue: "Your clinic, Your clinic, asks you…").
OPENINGS = {
    ("en", True): (
        f"Your clinic, {CLINIC}, asks you to fill in a short check-in (2 minutes).",
        f"This is a reminder: your clinic, {CLINIC}, still asks you to fill in a short check-in"
        " (2 minutes).",
    ),
    ("en", False): (
        "Your clinic asks you to fill in a short check-in (2 minutes).",
        "This is a reminder: your clinic still asks you to fill in a short check-in (2 minutes).",
    ),
    ("es", True): (
        f"Su clínica, {CLINIC}, le pide que responda un seguimiento breve (2 minutos).",
        f"Este es un recordatorio: su clínica, {CLINIC}, todavía le pide que responda un"
        " seguimiento breve (2 minutos).",
    ),
    ("es", False): (
        "Su clínica le pide que responda un seguimiento breve (2 minutos).",
        "Este es un recordatorio: su clínica todavía le pide que responda un seguimiento breve"
        " (2 minutos).",
    ),
}


@pytest.mark.parametrize(("language", "named"), list(OPENINGS))
def test_the_message_names_the_clinic_once_or_says_your_clinic_once(
    app: Flask, smtp: SmtpServer, language: str, named: bool
) -> None:
    if not named:
        set_setting(CLINIC_NAME, "", user_id=None)
    course_for(preferred_language=language)
    both_sweeps(NOW)
    both_sweeps(NOW + 2 * DAY)
    invitation, reminder = smtp.messages
    expected_invitation, expected_reminder = OPENINGS[language, named]
    assert body_of(invitation).splitlines()[0] == expected_invitation
    assert body_of(reminder).splitlines()[0] == expected_reminder
    for body in (body_of(invitation), body_of(reminder)):
        assert "Your clinic, Your clinic" not in body and "Su clínica, Su clínica" not in body


def test_an_english_intake_is_emailed_in_english_whatever_the_worker_did_before(
    app: Flask, smtp: SmtpServer
) -> None:
    """The language is each message's own: a Spanish message sent just before does not carry
    over to the next patient's (the worker forces the locale per message)."""
    course_for(preferred_language="es")
    course_for(email="second.patient@example.org")
    both_sweeps(NOW)
    subjects = sorted(m.message["Subject"] for m in smtp.messages)
    assert subjects == [f"A short check-in from {CLINIC}", f"Un seguimiento breve de {CLINIC}"]
    english = next(m for m in smtp.messages if m.message["Subject"].startswith("A short"))
    assert english.message["Content-Language"] == "en"
    assert "until Monday 10 March 2031, 14:00 UTC" in body_of(english)
    assert "marque 2" not in body_of(english)


def test_the_next_check_in_is_invited_on_the_day_it_falls_due(app: Flask, smtp: SmtpServer) -> None:
    course_id, _ = course_for()
    checkin_sweep(NOW)
    complete(checkins(course_id)[0], NOW + timedelta(hours=1))
    checkin_sweep(NOW + 6 * DAY)
    assert len(smtp.messages) == 1  # the weekly one is not due yet
    checkin_sweep(NOW + 7 * DAY - timedelta(hours=13))  # 01:00 on the day it falls due
    assert len(smtp.messages) == 2
    _baseline, weekly = checkins(course_id)
    assert (weekly.kind, weekly.due_on) == ("interval", START + 7 * DAY)
    assert courses.checkin_for_token(token_of(smtp.messages[1]), NOW + 7 * DAY) is weekly


def test_a_check_in_made_by_a_staff_page_is_still_invited_by_the_sweep(
    app: Flask, smtp: SmtpServer
) -> None:
    """The weekly check-in is made when staff open the course page on its day (not by the
    sweep); the sweep, finding the course up to date, must still invite it, once."""
    course_id, _ = course_for()
    checkin_sweep(NOW)
    complete(checkins(course_id)[0], NOW + timedelta(hours=1))
    course = db.session.get_one(courses.Course, course_id)
    courses.sync_checkins(course, START + 7 * DAY)  # what a course page does on that day
    db.session.commit()
    assert [c.kind for c in checkins(course_id)] == ["baseline", "interval"]
    checkin_sweep(NOW + 7 * DAY)
    checkin_sweep(NOW + 7 * DAY + timedelta(hours=1))
    assert len(smtp.messages) == 2
    assert (
        courses.checkin_for_token(token_of(smtp.messages[1]), NOW + 7 * DAY)
        is (checkins(course_id)[1])
    )


def _end(course_id: int, status: str, on: date) -> None:
    course = db.session.get_one(courses.Course, course_id)
    courses.end_course(
        course,
        status=status,
        ended_on=on,
        reason="moved away" if status != "completed" else "",
        by=make_user("clinician"),
        today=on,
        expected_version=None,
    )
    db.session.commit()


def test_after_a_completed_course_each_monthly_follow_up_is_invited(
    app: Flask, smtp: SmtpServer
) -> None:
    """The end check-in on the day the course ends, then one a month (issue 16: six months)."""
    course_id, _ = course_for()
    complete(checkins(course_id)[0], NOW)
    ended = START + 3 * DAY
    _end(course_id, "completed", ended)
    checkin_sweep(NOW + 3 * DAY)
    complete(checkins(course_id)[-1], NOW + 3 * DAY + timedelta(hours=1))
    checkin_sweep(datetime(2031, 4, 5, 23, 0, tzinfo=UTC))  # the day before the first month
    checkin_sweep(datetime(2031, 4, 6, 9, 0, tzinfo=UTC))
    kinds = [(c.kind, c.due_on) for c in checkins(course_id)]
    assert kinds == [
        ("baseline", START),
        ("end", ended),
        ("maintenance", date(2031, 4, 6)),
    ]
    assert len(smtp.messages) == 2  # the end, the first month (the baseline was done at once)
    maintenance = checkins(course_id)[-1]
    assert courses.checkin_for_token(token_of(smtp.messages[-1]), NOW + 34 * DAY) is maintenance


@pytest.mark.parametrize(
    ("status", "messages"),
    [("stopped_early", ["A short check-in", "Reminder: a short check-in"]), ("transferred", [])],
)
def test_a_course_stopped_early_invites_its_end_check_in_and_a_transferred_one_nothing(
    app: Flask, smtp: SmtpServer, status: str, messages: list[str]
) -> None:
    course_id, _ = course_for()
    complete(checkins(course_id)[0], NOW)
    _end(course_id, status, START + 3 * DAY)
    for days in (3, 7, 40):
        checkin_sweep(NOW + days * DAY)
    # The end check-in's invitation and its reminder (never done), then nothing; or nothing.
    assert [m.message["Subject"] for m in smtp.messages] == [f"{m} from {CLINIC}" for m in messages]


# Reminders --------------------------------------------------------------------------------------


def test_one_reminder_two_days_later_with_a_new_link(app: Flask, smtp: SmtpServer) -> None:
    course_id, _ = course_for()
    both_sweeps(NOW)
    both_sweeps(NOW + 2 * DAY - timedelta(minutes=1))
    assert len(smtp.messages) == 1  # not yet
    both_sweeps(NOW + 2 * DAY)
    both_sweeps(NOW + 3 * DAY)
    both_sweeps(NOW + 5 * DAY)
    assert len(smtp.messages) == 2  # one reminder, once

    invitation, reminder = smtp.messages
    assert reminder.message["Subject"] == f"Reminder: a short check-in from {CLINIC}"
    assert "still asks you to fill in a short check-in (2 minutes)" in body_of(reminder)
    assert invitation.message["Message-ID"] != reminder.message["Message-ID"]
    first, second = token_of(invitation), token_of(reminder)
    assert first != second
    (baseline,) = checkins(course_id)
    assert courses.checkin_for_token(second, NOW + 2 * DAY) is baseline
    assert baseline.reminded_at == NOW + 2 * DAY
    for value in PATIENT_DATA:
        assert value.lower() not in body_of(reminder).lower()


def test_no_reminder_once_the_check_in_is_done(app: Flask, smtp: SmtpServer) -> None:
    course_id, _ = course_for()
    both_sweeps(NOW)
    complete(checkins(course_id)[0], NOW + DAY)
    for days in (2, 3, 6):
        both_sweeps(NOW + days * DAY)
    assert len(smtp.messages) == 1


def test_no_reminder_once_a_later_check_in_is_due(app: Flask, smtp: SmtpServer) -> None:
    course_id, _ = course_for(every_days=2)
    both_sweeps(NOW)
    both_sweeps(NOW + 2 * DAY)  # the next check-in falls due: its invitation, no reminder
    subjects = [m.message["Subject"] for m in smtp.messages]
    assert subjects == [f"A short check-in from {CLINIC}"] * 2
    baseline, second = checkins(course_id)
    assert baseline.reminded_at is None
    assert courses.checkin_for_token(token_of(smtp.messages[0]), NOW + 2 * DAY) is None
    assert courses.checkin_for_token(token_of(smtp.messages[1]), NOW + 2 * DAY) is second


def test_a_message_raised_for_a_check_in_done_meanwhile_is_not_sent(
    app: Flask, smtp: SmtpServer
) -> None:
    """SMTP was down; the patient did the check-in at the clinic's tablet before it came back."""
    course_id, _ = course_for()
    smtp.stop()
    checkin_sweep(NOW)
    complete(checkins(course_id)[0], NOW + timedelta(minutes=5))
    smtp.start()
    sweep(NOW + timedelta(minutes=10))
    assert smtp.messages == []
    (delivery,) = db.session.scalars(sa.select(AlertDelivery)).all()
    assert delivery.status == "failed"
    assert delivery.last_error == "not sent: the check-in was done meanwhile"


# Faults -----------------------------------------------------------------------------------------


def test_smtp_down_then_up_delivers_once_with_a_working_link(app: Flask, smtp: SmtpServer) -> None:
    course_id, _ = course_for()
    smtp.stop()
    checkin_sweep(NOW)
    db.session.expire_all()
    (delivery,) = db.session.scalars(sa.select(AlertDelivery)).all()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "SMTP: connection refused"
    assert db.session.scalars(sa.select(CheckInToken)).all() == []  # the unsent link is gone
    (baseline,) = checkins(course_id)
    assert baseline.invited_at is None

    sweep(NOW + timedelta(seconds=30))  # still down
    smtp.start()
    sweep(NOW + timedelta(seconds=90))
    both_sweeps(NOW + timedelta(minutes=5))
    (received,) = smtp.messages
    db.session.expire_all()
    (delivery,) = db.session.scalars(sa.select(AlertDelivery)).all()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert len(db.session.scalars(sa.select(CheckInToken)).all()) == 1
    (baseline,) = checkins(course_id)
    assert courses.checkin_for_token(token_of(received), NOW + DAY) is baseline
    assert baseline.invited_at == NOW + timedelta(seconds=90)


def test_a_worker_that_died_after_storing_the_link_resends_a_working_one(
    app: Flask, smtp: SmtpServer
) -> None:
    """Claimed, its token's hash committed, then the worker died before the SMTP server had the
    message: after the claim runs out the message goes out once, and its link works."""
    from intake.services import alerts

    course_id, _ = course_for()
    smtp.stop()
    checkin_sweep(NOW)  # raised; the attempt failed
    smtp.start()
    (delivery,) = db.session.scalars(sa.select(AlertDelivery)).all()
    later = NOW + timedelta(seconds=30)
    assert alerts.claim(delivery.id, later)
    db.session.commit()
    alerts.prepare_claimed(delivery.id, later)
    db.session.commit()  # ... and the worker dies here
    sweep(later + timedelta(seconds=60))
    assert smtp.messages == []  # its claim still holds
    sweep(later + timedelta(seconds=app.config["ALERT_CLAIM_SECONDS"] + 1))
    (received,) = smtp.messages
    (baseline,) = checkins(course_id)
    assert courses.checkin_for_token(token_of(received), later + DAY) is baseline


# Who is e-mailed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "intake",
    [
        {"consent": {"agrees_to_contact": False}},
        {"preferred_contact": "phone"},
        {"preferred_contact": "text"},
    ],
    ids=["no consent to contact", "prefers a phone call", "prefers a text message"],
)
def test_a_patient_who_did_not_choose_email_gets_nothing(
    app: Flask, smtp: SmtpServer, intake: dict[str, Any]
) -> None:
    course_id, _ = course_for(**intake)
    for days in (0, 2, 7, 9):
        both_sweeps(NOW + days * DAY)
    assert smtp.messages == []
    assert db.session.scalars(sa.select(Alert)).all() == []
    assert not courses.open_checkin(db.session.get_one(courses.Course, course_id)).invited_at  # type: ignore[union-attr]


# Urgent check-ins -------------------------------------------------------------------------------

DESK, LEAD = "desk@clinic.example", "lead@clinic.example"


def _who(smtp: SmtpServer) -> Counter[str]:
    return Counter(m.recipients[0] for m in smtp.messages if m.recipients[0] != PATIENT_EMAIL)


def test_an_urgent_check_in_alerts_the_tier_and_escalates_until_acknowledged(
    app: Flask, smtp: SmtpServer
) -> None:
    make_tier("Front desk", 10, emails=(DESK,))
    make_tier("Clinical lead", 20, emails=(LEAD,))
    course_id, reference = course_for()
    baseline = checkins(course_id)[0]
    acute = {**NO_ASQ, "wished_dead": "yes", "thoughts_right_now": "yes"}
    done_at = NOW + timedelta(hours=1)
    complete(baseline, done_at, acute)  # its alert is committed with it
    assert db.session.scalars(
        sa.select(Alert.key).where(Alert.event == "urgent_checkin")
    ).all() == [f"urgent_checkin:{baseline.id}"]

    sweep(done_at)
    assert _who(smtp) == {DESK: 1}
    (alert,) = smtp.messages
    assert alert.message["Subject"] == f"ACUTE RISK: Urgent check-in {reference}"
    assert f"http://localhost:5000/staff/checkins/{baseline.id}" in body_of(alert)
    sweep(done_at + timedelta(minutes=9))
    assert _who(smtp) == {DESK: 1}
    sweep(done_at + timedelta(minutes=10))  # tier 1's ten minutes without an acknowledgement
    assert _who(smtp) == {DESK: 1, LEAD: 1}
    lead = next(m for m in smtp.messages if m.recipients[0] == LEAD)
    assert (
        lead.message["Subject"] == f"ACUTE RISK: Not yet acknowledged: urgent check-in {reference}"
    )
    sweep(done_at + timedelta(minutes=30))  # the last tier again after its 20
    assert _who(smtp) == {DESK: 1, LEAD: 2}

    checkin = db.session.get_one(CheckIn, baseline.id)
    courses.acknowledge(checkin, note="called", by=make_user("front_desk"), now=done_at)
    db.session.commit()
    for minutes in (50, 70, 600):
        sweep(done_at + timedelta(minutes=minutes))
    assert _who(smtp) == {DESK: 1, LEAD: 2}
    for received in smtp.messages:
        if received.recipients[0] == PATIENT_EMAIL:
            continue
        text = (received.message["Subject"] + body_of(received)).lower()
        for value in PATIENT_DATA:
            assert value.lower() not in text, value


def test_a_check_in_that_is_not_urgent_alerts_nobody(app: Flask, smtp: SmtpServer) -> None:
    make_tier("Front desk", 10, emails=(DESK,))
    course_id, _ = course_for()
    complete(checkins(course_id)[0], NOW)
    for minutes in (0, 10, 60):
        sweep(NOW + timedelta(minutes=minutes))
    assert _who(smtp) == {}
    assert (
        db.session.scalars(sa.select(Alert).where(Alert.event != "checkin_invitation")).all() == []
    )


def test_a_rolled_back_check_in_leaves_no_alert(app: Flask) -> None:
    from tests.committed import committed_count

    make_tier("Front desk", 10, emails=(DESK,))
    course_id, _ = course_for()
    acute = {**NO_ASQ, "wished_dead": "yes", "thoughts_right_now": "yes"}
    courses.complete_checkin(
        checkins(course_id)[0],
        {"phq9": [1] * 9, "gad7": [1] * 7, "asq": acute, "side_effects": {}},
        opened_by="link",
        now=NOW,
        today=START,
    )
    assert db.session.scalars(sa.select(AlertDelivery)).all()  # written in its transaction
    db.session.rollback()
    assert committed_count(Alert) == 0
    assert committed_count(AlertDelivery) == 0
    assert (
        db.session.get_one(Submission, db.session.scalar(sa.select(Submission.id))).urgent is False
    )


def test_an_urgent_check_in_reaches_a_webhook_with_only_the_reference_kind_and_link(
    app: Flask, receiver: WebhookReceiver
) -> None:
    import json

    make_tier("Front desk", 10, webhooks=((receiver.url, "s3cret-shared-with-the-receiver"),))
    course_id, reference = course_for()
    baseline = checkins(course_id)[0]
    complete(baseline, NOW, {**NO_ASQ, "wished_dead": "yes", "thoughts_right_now": "no"})
    sweep(NOW)
    (hook,) = receiver.requests
    body = json.loads(hook.body)
    assert set(body) == {"event", "reference", "kind", "url", "id", "timestamp"}
    assert (body["event"], body["kind"], body["reference"]) == (
        "urgent_checkin",
        "urgent",
        reference,
    )
    assert body["url"] == f"http://localhost:5000/staff/checkins/{baseline.id}"
    for value in PATIENT_DATA:
        assert value.lower() not in hook.body.decode().lower()


# A new link on request ----------------------------------------------------------------------------


def test_staff_can_email_a_new_link_one_at_a_time_up_to_three(
    app: Flask, smtp: SmtpServer, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    """The patient phoned: the e-mail is lost. Front desk presses "E-mail a new link"; it goes
    out through the outbox with a working link; a second press while it waits is refused, and
    after three new links the page says to use a tablet code instead."""
    today = courses.clinic_today()
    course_id, _ = start_course_for(today)
    now = datetime.now(UTC)
    checkin_sweep(now)
    assert len(smtp.messages) == 1  # the invitation
    login_as("front_desk")
    url = f"/clinician/courses/{course_id}/send-link-again"
    page = client.get(f"/clinician/courses/{course_id}").get_data(as_text=True)
    assert "E-mail a new link" in page
    assert post(client, url).status_code == 302
    refused = post(client, url)  # not sent yet: waiting in the outbox
    assert refused.status_code == 409
    assert "waiting to go out" in refused.get_data(as_text=True)
    sweep(datetime.now(UTC))
    assert len(smtp.messages) == 2
    (baseline,) = checkins(course_id)
    assert courses.checkin_for_token(token_of(smtp.messages[1]), now) is baseline
    resent = body_of(smtp.messages[1]) + str(smtp.messages[1].message["Subject"])
    assert [value for value in PATIENT_DATA if value in resent] == []
    for n in (2, 3):
        assert post(client, url).status_code == 302, n
        sweep(datetime.now(UTC))
    assert len(smtp.messages) == 4
    over = post(client, url)
    assert over.status_code == 409 and "tablet" in over.get_data(as_text=True)
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action == "checkin_link_sent_again")
    ).all()
    assert len(events) == 3


def test_no_new_link_for_a_patient_who_did_not_choose_email(
    app: Flask, smtp: SmtpServer, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    course_id, _ = start_course_for(courses.clinic_today(), preferred_contact="phone")
    login_as("front_desk")
    page = client.get(f"/clinician/courses/{course_id}").get_data(as_text=True)
    assert "E-mail a new link" not in page and "Make a tablet code" in page
    refused = post(client, f"/clinician/courses/{course_id}/send-link-again")
    assert refused.status_code == 409 and "tablet code" in refused.get_data(as_text=True)
    sweep(datetime.now(UTC))
    assert smtp.messages == []


def test_a_new_link_before_the_sweep_is_the_invitation_and_the_sweep_sends_no_second(
    app: Flask, smtp: SmtpServer, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    course_id, _ = start_course_for(courses.clinic_today())
    login_as("front_desk")
    assert post(client, f"/clinician/courses/{course_id}/send-link-again").status_code == 302
    checkin_sweep(datetime.now(UTC))
    sweep(datetime.now(UTC))
    checkin_sweep(datetime.now(UTC))
    sweep(datetime.now(UTC))
    assert len(smtp.messages) == 1
    keys = db.session.scalars(sa.select(Alert.key)).all()
    assert keys == [f"checkin_invitation:{checkins(course_id)[0].id}"]
