"""Alerts: urgent means someone is told.

Raising an alert writes an ``Alert`` row and one ``AlertDelivery`` per recipient into the
session, so they commit (or roll back) with whatever caused them: an urgent submission and its
alert are stored together or not at all (the outbox). The worker (``intake.worker``) sends the
deliveries after the commit and commits each outcome; this module, like every service,
flushes and never commits.

Public entry points:

- ``submission_stored(submission)``: call right after a new submission is flushed. Urgent (acute
  or not): tier 1 is alerted. ``services.submissions.submit_document`` calls it; any other path
  that stores a submission (a partial urgent submission) must call it too, in its transaction.
- ``checkin_stored(checkin)``: the same for a completed check-in (``services.courses.
  complete_checkin`` calls it): an urgent one alerts tier 1, linking to /staff/checkins/<id>.
- ``escalate_due(now)``: urgent submissions and check-ins still unacknowledged after their tier's
  interval alert the next tier; the last tier is alerted again at each of its intervals.
- ``digest_due(now)``: once a day after ``ALERT_DIGEST_HOUR`` (the clinic's time zone), tier 1
  gets the number of submissions of the 24 hours before, and a link to the queue.
- ``send_test(tier, by=...)``: an admin's test alert to one tier's recipients.
- ``patient_message(...)``: a check-in invitation or reminder to the patient, one delivery
  (``intake.services.checkin_messages`` decides when, and writes what it says at send time).
- ``delivery_trouble(now)``: urgent alerts that failed and are not sent (the staff pages' warning).
- ``due_deliveries(now)``, ``claim(id, now)``, ``prepare_claimed(id, now)``,
  ``send_prepared(id, outgoing, now)`` (``send_claimed`` = both): the worker's steps.

Every function that depends on the time takes ``now``, so tests control the clock.
Nothing here reads or writes patient data: alerts name a submission by id and reference. (A
patient message's address is read from the intake by ``checkin_messages`` when it is sent.)
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from intake.alert_channels import (
    PATIENT_SUBJECTS,
    DeliveryError,
    Message,
    PatientMessage,
    SmtpSettings,
    send_email,
    send_webhook,
    webhook_url_problem,
)
from intake.extensions import db
from intake.models import Alert, AlertDelivery, AlertRecipient, AlertTier, CheckIn, Submission
from intake.models.alert import ALERT_EVENTS, CHANNELS, PATIENT_EVENTS, PATIENT_RECIPIENT
from intake.models.submission import pinned_condition
from intake.models.types import utcnow
from intake.services import audit

if TYPE_CHECKING:
    from intake.models import User

log = logging.getLogger(__name__)

#: Session key under which the deliveries added in this transaction wait for its commit (the
#: worker enqueues them then; a rollback forgets them).
PENDING_KEY = "alert_deliveries_added"

#: Attempts per delivery before it is marked failed (about 17 hours with the back-off below).
MAX_ATTEMPTS = 40
#: The wait after the first failed attempt, doubled after each one up to ``MAX_BACKOFF``.
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=30)
#: A webhook receiver must answer within this many seconds.
WEBHOOK_TIMEOUT = 10.0

#: How each event is worded: (subject, summary) templates with ``{reference}``, ``{count}``
#: and ``{intakes}`` (singular or plural by the count).
EVENT_WORDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "urgent_submission": (
            "Urgent intake {reference}",
            "A new intake ({reference}) is marked urgent. Someone must look at it now.",
        ),
        "urgent_unacknowledged": (
            "Not yet acknowledged: urgent intake {reference}",
            "The urgent intake {reference} has not been acknowledged. You are the next on call.",
        ),
        "daily_digest": (
            "Daily digest: {count} new {intakes}",
            "{count} {intakes} arrived in the 24 hours before this digest.",
        ),
        "test": (
            "Test alert from the intake app",
            "This is a test alert sent by an admin. No action is needed.",
        ),
        "urgent_checkin": (
            "Urgent check-in {reference}",
            "A check-in of the course started from intake {reference} is marked urgent. "
            "Someone must look at it now.",
        ),
        "urgent_checkin_unacknowledged": (
            "Not yet acknowledged: urgent check-in {reference}",
            "The urgent check-in of the course started from intake {reference} has not been "
            "acknowledged. You are the next on call.",
        ),
        # Messages to the patient, in the patient's language: ``{clinic}`` is the clinic's
        # name (``alert_channels.patient_subject`` and ``patient_text`` write them).
        "checkin_invitation": (PATIENT_SUBJECTS["checkin_invitation"], ""),
        "checkin_reminder": (PATIENT_SUBJECTS["checkin_reminder"], ""),
    }
)
assert set(EVENT_WORDS) == set(ALERT_EVENTS)


class AlertError(Exception):
    """A change to the on-call tiers that cannot be made (the message says why)."""


@dataclass(frozen=True)
class Withdrawn:
    """A claimed patient message that must not go out any more (the check-in was completed,
    or a later one fell due, or the patient can no longer be e-mailed): why, for the log."""

    reason: str


#: What the worker's send step sends: a staff alert, a patient message, or nothing (withdrawn).
Outgoing = Message | PatientMessage | Withdrawn


# --- raising alerts -----------------------------------------------------------------------------


def submission_stored(submission: Submission, *, now: datetime | None = None) -> Alert | None:
    """Alert tier 1 about a newly stored submission if it is urgent (acute or not).

    Call it in the submission's own transaction, after the flush that gave it an id: the alert
    and its deliveries then commit with the submission or not at all. Returns the alert, or
    None for a submission that is not urgent.
    """
    if not submission.urgent:
        return None
    tiers = _tiers()
    return _raise(
        key=f"urgent_submission:{submission.id}",
        event="urgent_submission",
        submission=submission,
        tier=tiers[0] if tiers else None,
        round_=0,
        detail={"acute": bool(submission.acute)},
        now=now or utcnow(),
    )


def checkin_stored(checkin: CheckIn, *, now: datetime | None = None) -> Alert | None:
    """Alert tier 1 about a just-completed check-in if it is urgent (acute or not), exactly as
    for an urgent submission: call it in the check-in's own transaction, after the flush that
    stored its outcome (``courses.complete_checkin`` does). The alert names the course's intake
    by its reference and links to the check-in's staff page."""
    if not checkin.urgent:
        return None
    tiers = _tiers()
    return _raise(
        key=f"urgent_checkin:{checkin.id}",
        event="urgent_checkin",
        submission=checkin.course.submission,
        tier=tiers[0] if tiers else None,
        round_=0,
        detail=_checkin_detail(checkin),
        now=now or utcnow(),
    )


def _checkin_detail(checkin: CheckIn) -> dict[str, Any]:
    return {"acute": bool(checkin.acute), "checkin_id": checkin.id, "course_id": checkin.course_id}


def escalate_due(now: datetime) -> list[Alert]:
    """Raise the next round for every urgent submission or check-in still unacknowledged when
    its last alert's tier interval has passed: the next tier, or the last tier again."""
    tiers = _tiers()
    if not tiers:
        return []
    return _escalate_submissions(tiers, now) + _escalate_checkins(tiers, now)


def _next_round(
    tiers: list[AlertTier], alert: Alert, now: datetime
) -> tuple[AlertTier, int] | None:
    """The tier and round to alert now after ``alert`` went unacknowledged, or None (not yet)."""
    current = _tier_at(tiers, alert.tier)
    if now < alert.created_at + timedelta(minutes=current.escalate_after_minutes):
        return None
    following = [t for t in tiers if t.position > current.position]
    return (following[0] if following else tiers[-1]), alert.round + 1


def _escalate_checkins(tiers: list[AlertTier], now: datetime) -> list[Alert]:
    """Urgent check-ins nobody acknowledged (``CheckIn.acknowledged_at``; a clinician's sign-off
    sets it too): the next round after their latest alert's interval. Few rows: the pinned
    check-ins (``ix_checkin_urgent_open``), one small query each for its latest alert."""
    raised = []
    for checkin in db.session.scalars(
        sa.select(CheckIn)
        .where(CheckIn.urgent, CheckIn.acknowledged_at.is_(None))
        .order_by(CheckIn.id)
    ):
        latest = db.session.scalar(
            sa.select(Alert)
            .where(
                sa.or_(
                    Alert.key == f"urgent_checkin:{checkin.id}",
                    Alert.key.startswith(
                        f"urgent_checkin_unacknowledged:{checkin.id}:", autoescape=True
                    ),
                )
            )
            .order_by(Alert.round.desc())
            .limit(1)
        )
        if latest is None:
            continue  # completed before it was urgent-alerted (no alert to escalate)
        step = _next_round(tiers, latest, now)
        if step is None:
            continue
        tier, round_ = step
        raised.append(
            _raise(
                key=f"urgent_checkin_unacknowledged:{checkin.id}:{round_}",
                event="urgent_checkin_unacknowledged",
                submission=checkin.course.submission,
                tier=tier,
                round_=round_,
                detail=_checkin_detail(checkin),
                now=now,
            )
        )
    return raised


def _escalate_submissions(tiers: list[AlertTier], now: datetime) -> list[Alert]:
    rows = db.session.execute(
        sa.select(Alert, Submission)
        .join(Submission, Submission.id == Alert.submission_id)
        .where(
            pinned_condition(),
            Alert.event.in_(("urgent_submission", "urgent_unacknowledged")),
        )
        .order_by(Alert.submission_id, Alert.round.desc())
    ).all()
    latest: dict[int, tuple[Alert, Submission]] = {}
    for alert, submission in rows:
        latest.setdefault(submission.id, (alert, submission))
    raised = []
    for alert, submission in latest.values():
        step = _next_round(tiers, alert, now)
        if step is None:
            continue
        tier, round_ = step
        raised.append(
            _raise(
                key=f"urgent_unacknowledged:{submission.id}:{round_}",
                event="urgent_unacknowledged",
                submission=submission,
                tier=tier,
                round_=round_,
                detail={"acute": bool(submission.acute)},
                now=now,
            )
        )
    return raised


def digest_due(now: datetime) -> Alert | None:
    """The day's digest, once, after ``ALERT_DIGEST_HOUR`` on the clinic's clock (its time zone,
    ``/admin/settings``): how many submissions arrived in the 24 hours before that hour, to
    tier 1, with a link to the queue. The day is the clinic's day, so a clinic in Los Angeles
    gets its 8 o'clock digest at 8 in the morning there, not at midnight."""
    from intake.services.settings import clinic_profile

    hour = current_app.config["ALERT_DIGEST_HOUR"]
    local = now.astimezone(clinic_profile().zone)
    if hour is None or local.hour < hour:
        return None
    key = f"daily_digest:{local.date().isoformat()}"
    if db.session.scalar(sa.select(Alert.id).where(Alert.key == key)) is not None:
        return None
    until = local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Submission)
        .where(Submission.submitted_at >= until - timedelta(days=1))
        .where(Submission.submitted_at < until)
    )
    tiers = _tiers()
    return _raise(
        key=key,
        event="daily_digest",
        submission=None,
        tier=tiers[0] if tiers else None,
        round_=0,
        detail={"count": int(count or 0)},
        now=now,
    )


def send_test(tier: AlertTier, *, by: User | None, now: datetime | None = None) -> Alert:
    """An admin's test alert to every recipient of ``tier`` (audited)."""
    alert = _raise(
        key=f"test:{uuid.uuid4().hex}",
        event="test",
        submission=None,
        tier=tier,
        round_=0,
        detail={},
        now=now or utcnow(),
    )
    audit.record(
        "alert_test_sent",
        detail={"alert_id": alert.id, "tier": tier.position, "deliveries": len(alert.deliveries)},
        actor=by,
    )
    return alert


def patient_message(event: str, checkin: CheckIn, *, now: datetime, again: int = 0) -> Alert:
    """A check-in invitation or reminder: the alert (unique ``<event>:<checkin id>``, so each
    is raised once per check-in; ``<event>:<checkin id>:again:<n>`` for the n-th new link staff
    send on request) and its one e-mail delivery to ``PATIENT_RECIPIENT``. What it says, the
    link's token included, is made when it is sent (``prepare_claimed``)."""
    assert event in PATIENT_EVENTS
    return _raise(
        key=f"{event}:{checkin.id}" + (f":again:{again}" if again else ""),
        event=event,
        submission=checkin.course.submission,
        tier=None,
        round_=0,
        detail={"checkin_id": checkin.id, "course_id": checkin.course_id},
        now=now,
        to_patient=True,
    )


def _raise(
    *,
    key: str,
    event: str,
    submission: Submission | None,
    tier: AlertTier | None,
    round_: int,
    detail: dict[str, Any],
    now: datetime,
    to_patient: bool = False,
) -> Alert:
    """Add the alert and one delivery per distinct recipient of ``tier`` (or the one delivery
    to the patient); flush."""
    assert event in ALERT_EVENTS
    alert = Alert(
        key=key,
        event=event,
        submission_id=submission.id if submission is not None else None,
        tier=tier.position if tier is not None else None,
        round=round_,
        created_at=now,
        detail=detail,
    )
    db.session.add(alert)
    seen: set[tuple[str, str]] = set()
    if to_patient:
        alert.deliveries.append(_delivery("email", PATIENT_RECIPIENT, None, now))
    for recipient in tier.recipients if tier is not None else ():
        if recipient.user is not None and recipient.user.disabled:
            continue  # a disabled account is told nothing
        target = (recipient.channel, recipient.address.strip())
        if not target[1] or target in seen:
            continue
        seen.add(target)
        alert.deliveries.append(_delivery(recipient.channel, target[1], recipient.id, now))
    db.session.flush()
    if not alert.deliveries:
        log.warning("alert %s (%s) has no recipients: set up on-call tiers", alert.id, event)
    added = db.session.info.setdefault(PENDING_KEY, [])
    added.extend(d.id for d in alert.deliveries)
    return alert


def _delivery(
    channel: str, recipient: str, recipient_id: int | None, now: datetime
) -> AlertDelivery:
    return AlertDelivery(
        channel=channel,
        recipient=recipient,
        recipient_id=recipient_id,
        event_id=uuid.uuid4().hex,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def _tiers() -> list[AlertTier]:
    return list(db.session.scalars(sa.select(AlertTier).order_by(AlertTier.position)))


def _tier_at(tiers: list[AlertTier], position: int | None) -> AlertTier:
    """The tier an alert went to; when it was removed since, the last tier before it."""
    before = [t for t in tiers if position is None or t.position <= position]
    return before[-1] if before else tiers[0]


# --- delivering ---------------------------------------------------------------------------------


def due_deliveries(now: datetime, *, limit: int = 200) -> list[int]:
    """Ids of the deliveries to attempt now: pending and due, or claimed by a worker whose
    claim has run out (it died, or hung)."""
    return list(
        db.session.scalars(
            sa.select(AlertDelivery.id)
            .where(
                sa.or_(
                    sa.and_(
                        AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= now
                    ),
                    sa.and_(AlertDelivery.status == "sending", AlertDelivery.claimed_until < now),
                )
            )
            .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id)
            .limit(limit)
        )
    )


def claim(delivery_id: int, now: datetime) -> bool:
    """Take a due delivery for this worker (one UPDATE that only one worker can win); the
    caller commits before sending, so another worker sees the claim. False: not due, already
    sent, or taken by another worker."""
    lease = timedelta(seconds=current_app.config["ALERT_CLAIM_SECONDS"])
    d = AlertDelivery
    result = db.session.execute(
        sa.update(d)
        .where(d.id == delivery_id)
        .where(
            sa.or_(
                sa.and_(d.status == "pending", d.next_attempt_at <= now),
                sa.and_(d.status == "sending", d.claimed_until < now),
            )
        )
        .values(
            status="sending",
            claimed_until=now + lease,
            attempts=d.attempts + 1,
            last_attempt_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def send_claimed(delivery_id: int, now: datetime) -> str:
    """Prepare and send a delivery this worker claimed, and record the outcome (the caller
    commits): ``sent``, or ``pending`` again after a back-off, or ``failed`` after
    ``MAX_ATTEMPTS`` (or at once for a withdrawn patient message). The worker itself commits
    between the two steps (``intake.worker.deliver``)."""
    return send_prepared(delivery_id, prepare_claimed(delivery_id, now), now)


def prepare_claimed(delivery_id: int, now: datetime) -> Outgoing:
    """What a claimed delivery says, written now. For a patient message this makes the
    check-in link's new token (only its hash is stored: the raw token lives in the returned
    message, in this process's memory, until it is sent), so every attempt sends a fresh link;
    the worker commits the hash *before* sending, so a link that left is one that works."""
    delivery = db.session.get_one(AlertDelivery, delivery_id, populate_existing=True)
    if delivery.alert.event in PATIENT_EVENTS:
        from intake.services import checkin_messages

        return checkin_messages.compose(delivery, now)
    return message_for(delivery)


def send_prepared(delivery_id: int, outgoing: Outgoing, now: datetime) -> str:
    """Send what ``prepare_claimed`` made and record the outcome (the caller commits)."""
    delivery = db.session.get_one(AlertDelivery, delivery_id, populate_existing=True)
    if isinstance(outgoing, Withdrawn):
        delivery.status = "failed"
        delivery.last_error = f"not sent: {outgoing.reason}"[:300]
        delivery.claimed_until = None
        log.info("alert delivery %s withdrawn: %s", delivery.id, outgoing.reason)
        db.session.flush()
        return delivery.status
    try:
        _send(delivery, outgoing, now)
    except DeliveryError as exc:
        if isinstance(outgoing, PatientMessage):
            from intake.services import checkin_messages

            checkin_messages.undelivered(outgoing)
        delivery.last_error = str(exc)[:300]
        delivery.claimed_until = None
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "failed"
            log.error("alert delivery %s failed for good: %s", delivery.id, exc)
        else:
            delivery.status = "pending"
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            log.warning("alert delivery %s will be retried: %s", delivery.id, exc)
    else:
        delivery.status = "sent"
        delivery.sent_at = now
        delivery.claimed_until = None
        log.info("alert delivery %s sent (%s)", delivery.id, delivery.channel)
        if isinstance(outgoing, PatientMessage):
            from intake.services import checkin_messages

            checkin_messages.delivered(delivery, now)
    db.session.flush()
    return delivery.status


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min … 30 min."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def message_for(delivery: AlertDelivery) -> Message:
    """What this delivery says: the event, the reference, a staff link (and a count)."""
    alert = delivery.alert
    assert alert.event not in PATIENT_EVENTS  # what those say: checkin_messages.compose
    reference = None
    if alert.submission_id is not None:
        reference = db.session.scalar(
            sa.select(Submission.reference).where(Submission.id == alert.submission_id)
        )
        if "checkin_id" in alert.detail:
            url = checkin_url(int(alert.detail["checkin_id"]))
        else:
            url = staff_url("staff.submission", submission_id=alert.submission_id)
        kind = "acute" if alert.detail.get("acute") else "urgent"
    elif alert.event == "daily_digest":
        url = staff_url("staff.queue")
        kind = "digest"
    else:
        url = staff_url("staff.queue")
        kind = alert.event
    count = alert.detail.get("count") if alert.event == "daily_digest" else None
    subject, summary = EVENT_WORDS[alert.event]
    words = {
        "reference": reference or "",
        "count": count,
        "intakes": "intake" if count == 1 else "intakes",
    }
    if kind == "acute":
        subject = "ACUTE RISK: " + subject
    return Message(
        event=alert.event,
        kind=kind,
        reference=reference,
        url=url,
        event_id=delivery.event_id,
        timestamp=alert.created_at,
        subject=subject.format(**words),
        summary=summary.format(**words),
        count=count,
    )


def staff_url(endpoint: str, **values: Any) -> str:
    """An absolute link to a page of the app (a staff page, or a patient's check-in link) from
    ``PUBLIC_URL``, whatever host a request came in on."""
    base = current_app.config["PUBLIC_URL"] or "http://localhost:5000"
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def checkin_url(checkin_id: int) -> str:
    """The staff page of a check-in, ``<PUBLIC_URL>/staff/checkins/<id>``."""
    return staff_url("staff.checkin", checkin_id=checkin_id)


def smtp_settings() -> SmtpSettings:
    config = current_app.config
    return SmtpSettings(
        host=config["SMTP_HOST"],
        port=config["SMTP_PORT"],
        security=config["SMTP_SECURITY"],
        username=config["SMTP_USERNAME"],
        password=config["SMTP_PASSWORD"],
        sender=config["SMTP_FROM"],
        timeout=config["SMTP_TIMEOUT"],
    )


def _send(delivery: AlertDelivery, message: Message | PatientMessage, now: datetime) -> None:
    if isinstance(message, PatientMessage):
        send_email(smtp_settings(), message.to, message)
        return
    if delivery.channel == "email":
        send_email(smtp_settings(), delivery.recipient, message)
        return
    recipient = (
        db.session.get(AlertRecipient, delivery.recipient_id) if delivery.recipient_id else None
    )
    if recipient is None or not recipient.webhook_secret:
        raise DeliveryError("webhook recipient removed: no secret to sign with")
    send_webhook(
        delivery.recipient,
        recipient.webhook_secret,
        message,
        now=now.timestamp(),
        timeout=WEBHOOK_TIMEOUT,
        allow_local_http=current_app.config["ALLOW_LOCAL_HTTP_WEBHOOKS"],
    )


# --- on-call tiers (the admin page) -------------------------------------------------------------


def add_tier(name: str, escalate_after_minutes: int, *, by: User | None) -> AlertTier:
    """A new tier after the last one (audited)."""
    last = db.session.scalar(sa.select(sa.func.max(AlertTier.position)))
    tier = AlertTier(
        position=(last or 0) + 1, name=name.strip(), escalate_after_minutes=escalate_after_minutes
    )
    db.session.add(tier)
    db.session.flush()
    audit.record(
        "alert_tier_added",
        detail={"tier_id": tier.id, "position": tier.position, "minutes": escalate_after_minutes},
        actor=by,
    )
    return tier


def update_tier(
    tier: AlertTier, name: str, escalate_after_minutes: int, *, by: User | None
) -> None:
    old = {"name": tier.name, "minutes": tier.escalate_after_minutes}
    tier.name = name.strip()
    tier.escalate_after_minutes = escalate_after_minutes
    db.session.flush()
    audit.record(
        "alert_tier_changed",
        detail={
            "tier_id": tier.id,
            "old": old,
            "new": {"name": tier.name, "minutes": escalate_after_minutes},
        },
        actor=by,
    )


def remove_tier(tier: AlertTier, *, by: User | None) -> None:
    """Remove a tier and its recipients; the tiers after it move up (audited)."""
    position, tier_id = tier.position, tier.id
    for recipient in tier.recipients:
        _detach(recipient)
    db.session.delete(tier)
    db.session.flush()
    for later in db.session.scalars(
        sa.select(AlertTier).where(AlertTier.position > position).order_by(AlertTier.position)
    ):
        later.position -= 1
        db.session.flush()
    audit.record("alert_tier_removed", detail={"tier_id": tier_id, "position": position}, actor=by)


def add_recipient(
    tier: AlertTier,
    *,
    channel: str,
    by: User | None,
    user: User | None = None,
    email: str | None = None,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
) -> AlertRecipient:
    """Add a staff account, an e-mail address or a webhook to ``tier`` (audited; the secret
    is never in the audit log)."""
    if channel not in CHANNELS:
        raise AlertError("Choose e-mail or webhook.")
    if channel == "webhook":
        problem = webhook_url_problem(
            webhook_url or "", allow_local_http=current_app.config["ALLOW_LOCAL_HTTP_WEBHOOKS"]
        )
        if problem:
            raise AlertError(problem)
        if not webhook_secret or len(webhook_secret) < 16:
            raise AlertError("Give the webhook a secret of 16 characters or more.")
        recipient = AlertRecipient(
            channel="webhook", webhook_url=webhook_url, webhook_secret=webhook_secret
        )
    elif user is not None:
        recipient = AlertRecipient(channel="email", user_id=user.id)
    elif email:
        recipient = AlertRecipient(channel="email", email=email.strip())
    else:
        raise AlertError("Choose a staff account or enter an e-mail address.")
    tier.recipients.append(recipient)
    db.session.flush()
    audit.record(
        "alert_recipient_added",
        detail={
            "tier_id": tier.id,
            "recipient_id": recipient.id,
            "channel": channel,
            "user_id": user.id if user is not None else None,
        },
        actor=by,
    )
    return recipient


def remove_recipient(recipient: AlertRecipient, *, by: User | None) -> None:
    """Remove a recipient (audited). Its deliveries forget it; a webhook's unsent ones fail at
    once (nothing is left to sign them with), an e-mail's unsent ones still go out."""
    detail = {"tier_id": recipient.tier_id, "recipient_id": recipient.id}
    _detach(recipient)
    db.session.delete(recipient)
    db.session.flush()
    audit.record("alert_recipient_removed", detail=detail, actor=by)


def _detach(recipient: AlertRecipient) -> None:
    """Unlink a recipient's deliveries before it goes (SQLite may not enforce SET NULL, and
    could give its id to the next recipient)."""
    d = AlertDelivery
    if recipient.channel == "webhook":
        db.session.execute(
            sa.update(d)
            .where(d.recipient_id == recipient.id, d.status == "pending")
            .values(status="failed", last_error="recipient removed before it was sent")
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        sa.update(d)
        .where(d.recipient_id == recipient.id)
        .values(recipient_id=None)
        .execution_options(synchronize_session=False)
    )


def delivery_log(*, limit: int = 100) -> list[AlertDelivery]:
    """The latest deliveries, newest first, with their alerts (the admin's delivery log)."""
    return list(
        db.session.scalars(
            sa.select(AlertDelivery)
            .join(AlertDelivery.alert)
            .options(sa.orm.contains_eager(AlertDelivery.alert))
            .order_by(AlertDelivery.created_at.desc(), AlertDelivery.id.desc())
            .limit(limit)
        )
    )


#: The events of an urgent item (a patient at risk): when one of their deliveries fails, every
#: staff page says so (``delivery_trouble``), so the urgent list is worked by hand meanwhile.
URGENT_EVENTS: tuple[str, ...] = (
    "urgent_submission",
    "urgent_unacknowledged",
    "urgent_checkin",
    "urgent_checkin_unacknowledged",
)
assert set(URGENT_EVENTS) <= set(ALERT_EVENTS)
#: Hours after its last attempt that a given-up urgent delivery keeps the staff warning up: it
#: will never succeed (so never clear it), and it was never delivered.
GIVEN_UP_WARNING_HOURS = 24


@dataclass(frozen=True)
class DeliveryTrouble:
    """Urgent alerts that are not going out: counts, channels and a time, never a patient.

    ``waiting``: deliveries that failed at least once and are waiting for (or in) a retry;
    ``given_up``: those that failed ``MAX_ATTEMPTS`` times within ``GIVEN_UP_WARNING_HOURS``;
    ``since``: when the oldest of them was raised."""

    waiting: int
    given_up: int
    since: datetime
    channels: frozenset[str]


def delivery_trouble(now: datetime) -> DeliveryTrouble | None:
    """The urgent deliveries that failed and are not (yet) sent, or None when there are none.

    One statement on the outbox's ``(status, next_attempt_at)`` index: it reads only unsent
    rows (waiting, sending, or given up), a small set, never the sent ones. A delivery that
    was never attempted is not trouble (it is on its way); one that succeeds on a retry leaves
    the set, so the warning goes as soon as the mail server takes the alerts again."""
    d = AlertDelivery
    given_up = d.status == "failed"
    rows = db.session.execute(
        sa.select(
            given_up.label("given_up"),
            # Alerts, not deliveries: an alert to three recipients is one urgent item.
            sa.func.count(sa.distinct(d.alert_id)),
            sa.func.min(d.created_at),
            # The channels involved: there are two, so the least and the greatest name them.
            sa.func.min(d.channel),
            sa.func.max(d.channel),
        )
        .join(Alert, Alert.id == d.alert_id)
        .where(
            d.status.in_(("pending", "sending", "failed")),
            Alert.event.in_(URGENT_EVENTS),
            d.attempts >= 1,
            d.last_error.is_not(None),
            sa.or_(
                d.status != "failed",
                d.last_attempt_at >= now - timedelta(hours=GIVEN_UP_WARNING_HOURS),
            ),
        )
        .group_by(given_up)
    ).all()
    if not rows:
        return None
    return DeliveryTrouble(
        waiting=sum(int(count) for failed, count, *_ in rows if not failed),
        given_up=sum(int(count) for failed, count, *_ in rows if failed),
        since=min(first for _, _, first, _, _ in rows),
        channels=frozenset(c for *_, low, high in rows for c in (low, high)),
    )


def forget_pending(session_info: dict[str, Any]) -> list[int]:
    """The delivery ids added in the transaction just ended (and forget them)."""
    return list(session_info.pop(PENDING_KEY, ()))
