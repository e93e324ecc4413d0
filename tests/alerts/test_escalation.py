"""Escalation and the digest, with a clock the test controls: tier 2 hears of an urgent
submission only after tier 1's N minutes without an acknowledgement, the last tier again at each
of its intervals, and nobody once the front desk has acknowledged it."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from intake.extensions import db
from intake.models import Alert, Submission
from intake.services import risk
from intake.services.settings import CLINIC_TIME_ZONE, set_setting
from intake.worker import sweep
from tests.alerts.helpers import PATIENT_DATA, make_tier, submit
from tests.alerts.servers import SmtpServer
from tests.factories import make_submission, make_user

DESK, LEAD, DIRECTOR = "desk@clinic.example", "lead@clinic.example", "director@clinic.example"


def _tiers() -> None:
    make_tier("Front desk", 10, emails=(DESK,))
    make_tier("Clinical lead", 20, emails=(LEAD,))
    make_tier("Medical director", 30, emails=(DIRECTOR,))


def _who(smtp: SmtpServer) -> Counter[str]:
    return Counter(m.recipients[0] for m in smtp.messages)


def _alerted_at(submission_id: int) -> datetime:
    return db.session.scalars(
        sa.select(Alert.created_at).where(Alert.submission_id == submission_id)
    ).one()


def test_the_next_tier_is_told_only_after_n_minutes_and_the_last_tier_repeats(
    app: Flask, smtp: SmtpServer
) -> None:
    _tiers()
    submission_id, reference = submit()
    start = _alerted_at(submission_id)

    sweep(start)
    assert _who(smtp) == {DESK: 1}
    sweep(start + timedelta(minutes=9, seconds=59))
    assert _who(smtp) == {DESK: 1}  # not yet: tier 1's ten minutes have not passed

    sweep(start + timedelta(minutes=10))
    assert _who(smtp) == {DESK: 1, LEAD: 1}
    sweep(start + timedelta(minutes=11))  # a sweep a minute later raises nothing new
    assert _who(smtp) == {DESK: 1, LEAD: 1}

    sweep(start + timedelta(minutes=30))  # 10 + tier 2's 20
    assert _who(smtp) == {DESK: 1, LEAD: 1, DIRECTOR: 1}
    sweep(start + timedelta(minutes=59))
    assert _who(smtp) == {DESK: 1, LEAD: 1, DIRECTOR: 1}
    sweep(start + timedelta(minutes=60))  # the last tier again, every 30 minutes
    sweep(start + timedelta(minutes=90))
    assert _who(smtp) == {DESK: 1, LEAD: 1, DIRECTOR: 3}

    rounds = db.session.execute(
        sa.select(Alert.event, Alert.round, Alert.tier).order_by(Alert.round)
    ).all()
    assert [tuple(r) for r in rounds] == [
        ("urgent_submission", 0, 1),
        ("urgent_unacknowledged", 1, 2),
        ("urgent_unacknowledged", 2, 3),
        ("urgent_unacknowledged", 3, 3),
        ("urgent_unacknowledged", 4, 3),
    ]
    lead = next(m for m in smtp.messages if m.recipients[0] == LEAD)
    assert lead.message["Subject"] == f"Not yet acknowledged: urgent intake {reference}"
    for received in smtp.messages:
        for value in PATIENT_DATA:
            assert value.lower() not in received.raw.decode().lower()


def test_nobody_more_is_told_after_a_contact_attempt(app: Flask, smtp: SmtpServer) -> None:
    _tiers()
    submission_id, _ = submit()
    start = _alerted_at(submission_id)
    sweep(start)
    sweep(start + timedelta(minutes=10))
    assert _who(smtp) == {DESK: 1, LEAD: 1}

    desk = make_user("front_desk")
    submission = db.session.get_one(Submission, submission_id)
    risk.record_contact_attempt(submission, by=desk, outcome="no_answer", note=None)
    db.session.commit()

    for minutes in (30, 60, 600):
        sweep(start + timedelta(minutes=minutes))
    assert _who(smtp) == {DESK: 1, LEAD: 1}


def test_acknowledged_before_the_interval_tier_2_never_hears(app: Flask, smtp: SmtpServer) -> None:
    _tiers()
    submission_id, _ = submit(acute=True)
    start = _alerted_at(submission_id)
    sweep(start)
    submission = db.session.get_one(Submission, submission_id)
    risk.record_contact_attempt(
        submission, by=make_user("front_desk"), outcome="left_voicemail", note=None
    )
    db.session.commit()
    sweep(start + timedelta(minutes=10))
    sweep(start + timedelta(hours=5))
    assert _who(smtp) == {DESK: 1}


def test_with_one_tier_it_is_told_again_each_interval(app: Flask, smtp: SmtpServer) -> None:
    make_tier("Everyone", 5, emails=(DESK,))
    submission_id, _ = submit()
    start = _alerted_at(submission_id)
    for minutes in (0, 4, 5, 9, 10, 11):
        sweep(start + timedelta(minutes=minutes))
    assert _who(smtp) == {DESK: 3}


def test_a_late_sweep_escalates_one_round_at_a_time(app: Flask, smtp: SmtpServer) -> None:
    """A worker that was down for an hour does not send every missed round at once."""
    _tiers()
    submission_id, _ = submit()
    start = _alerted_at(submission_id)
    sweep(start + timedelta(hours=1))
    assert _who(smtp) == {DESK: 1, LEAD: 1}


def test_the_digest_counts_the_days_submissions_once(app: Flask, smtp: SmtpServer) -> None:
    app.config["ALERT_DIGEST_HOUR"] = 8
    make_tier("Front desk", emails=(DESK,))
    make_tier("Clinical lead", emails=(LEAD,))
    today = datetime(2031, 3, 4, tzinfo=UTC)
    for at in (
        today - timedelta(hours=16) + timedelta(minutes=1),  # 08:01 the day before
        today + timedelta(hours=2),
        today + timedelta(hours=7, minutes=59),
    ):
        make_submission(submitted_at=at, last_name="Quixwell")
    make_submission(submitted_at=today - timedelta(hours=17), last_name="Quixwell")  # too early
    make_submission(submitted_at=today + timedelta(hours=8), last_name="Quixwell")  # next digest

    sweep(today + timedelta(hours=7, minutes=59))
    assert smtp.messages == []  # before the hour
    sweep(today + timedelta(hours=8, minutes=3))
    sweep(today + timedelta(hours=13))
    assert _who(smtp) == {DESK: 1}  # tier 1, once a day
    (digest,) = smtp.messages
    assert digest.message["Subject"] == "Daily digest: 3 new intakes"
    assert "http://localhost:5000/staff/" in digest.message.get_payload()
    assert "Quixwell" not in digest.raw.decode()

    sweep(today + timedelta(days=1, hours=9))
    assert _who(smtp) == {DESK: 2}
    assert smtp.messages[1].message["Subject"] == "Daily digest: 1 new intake"


def test_the_digest_hour_is_the_clinics_own(app: Flask, smtp: SmtpServer) -> None:
    """8 o'clock in Los Angeles (PST, UTC-8, before the 2031 change on March 9) is 16:00 UTC:
    the digest waits for it and counts the clinic's 24 hours before it."""
    app.config["ALERT_DIGEST_HOUR"] = 8
    set_setting(CLINIC_TIME_ZONE, "America/Los_Angeles", user_id=None)
    db.session.commit()
    make_tier("Front desk", emails=(DESK,))
    day = datetime(2031, 3, 4, tzinfo=UTC)
    make_submission(submitted_at=day - timedelta(hours=8, minutes=30))  # 15:30 UTC, too early
    make_submission(submitted_at=day - timedelta(hours=7, minutes=30))  # 08:30 PST the day before
    make_submission(submitted_at=day + timedelta(hours=15))  # 07:00 PST

    sweep(day + timedelta(hours=9))  # 09:00 UTC, 01:00 in Los Angeles
    sweep(day + timedelta(hours=15, minutes=59))
    assert smtp.messages == []
    sweep(day + timedelta(hours=16, minutes=2))
    (digest,) = smtp.messages
    assert digest.message["Subject"] == "Daily digest: 2 new intakes"
