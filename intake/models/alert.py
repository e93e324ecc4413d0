"""Alerts: who is told that something urgent arrived, and the outbox of their deliveries.

An ``Alert`` is one event (an urgent submission or check-in, an escalation round, the day's
digest, a test, a check-in invitation or reminder to the patient), written in the same
transaction as what caused it. Each of its recipients gets one ``AlertDelivery`` row (unique
per alert, channel and recipient), which the worker claims, sends and marks sent. Neither row
holds patient data: an alert names a submission by id (and a check-in by id, in its key and
``detail``), a delivery holds a staff address or a URL (for a patient message only the word
``patient``), the outcome and an error text that never quotes a message.

On-call tiers (``AlertTier``, in ``position`` order) each have recipients (``AlertRecipient``):
a staff account's e-mail, a plain e-mail address, or a webhook URL with its signing secret.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.extensions import Model
from intake.models.types import JSONDocument, UTCDateTime, utcnow

if TYPE_CHECKING:
    from intake.models.user import User

#: The events that raise an alert. A tuple declared complete here: a new event is added here,
#: with its wording in ``intake.services.alerts.EVENT_WORDS``. The urgent check-in and its
#: escalation go to the on-call tiers like an urgent submission; the last two (``PATIENT_EVENTS``)
#: are messages to the patient, sent through the same outbox and worker
#: (``intake.services.checkin_messages``).
ALERT_EVENTS: tuple[str, ...] = (
    "urgent_submission",
    "urgent_unacknowledged",
    "daily_digest",
    "test",
    "urgent_checkin",
    "urgent_checkin_unacknowledged",
    "checkin_invitation",
    "checkin_reminder",
)

#: The events whose one delivery goes to the patient (to ``PATIENT_RECIPIENT``), not to a tier.
PATIENT_EVENTS: tuple[str, ...] = ("checkin_invitation", "checkin_reminder")

#: A patient message's ``AlertDelivery.recipient``: the address is not copied into the outbox
#: (nor shown in the admin's delivery log); the worker reads it from the intake when it sends.
PATIENT_RECIPIENT = "patient"

#: How a recipient is reached.
CHANNELS: tuple[str, ...] = ("email", "webhook")

#: A delivery's states: waiting (perhaps after a failed attempt), claimed by a worker that is
#: sending it, sent, or given up after the last attempt.
DELIVERY_STATUSES: tuple[str, ...] = ("pending", "sending", "sent", "failed")


class AlertTier(Model):
    """One on-call tier: alerted in ``position`` order, the next one after
    ``escalate_after_minutes`` without an acknowledgement (the last one again)."""

    __tablename__ = "alert_tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    escalate_after_minutes: Mapped[int] = mapped_column(default=15)

    recipients: Mapped[list[AlertRecipient]] = relationship(
        back_populates="tier", order_by="AlertRecipient.id", cascade="all, delete-orphan"
    )


class AlertRecipient(Model):
    """Someone a tier's alerts go to: a staff account (its e-mail at the time of the alert),
    an e-mail address, or a webhook (an https URL and the secret its requests are signed with).
    """

    __tablename__ = "alert_recipient"

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(sa.ForeignKey("alert_tier.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), nullable=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), nullable=True)
    webhook_url: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    webhook_secret: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tier: Mapped[AlertTier] = relationship(back_populates="recipients")
    user: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (sa.CheckConstraint("channel IN ('email', 'webhook')", name="channel"),)

    @property
    def address(self) -> str:
        """Where a delivery goes: the e-mail address (the account's own) or the webhook URL."""
        if self.channel == "webhook":
            return self.webhook_url or ""
        if self.user is not None:
            return self.user.email
        return self.email or ""


class Alert(Model):
    """One event that someone must be told about. ``key`` makes it happen once: the urgent
    alert of submission 7 is ``urgent_submission:7``, its second escalation
    ``urgent_unacknowledged:7:2``, a day's digest ``daily_digest:2026-12-02``; check-in 9's
    ``urgent_checkin:9``, ``urgent_checkin_unacknowledged:9:1``, ``checkin_invitation:9`` and
    ``checkin_reminder:9`` (so a check-in is invited once and reminded once)."""

    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    event: Mapped[str] = mapped_column(sa.String(40))
    submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submission.id"), nullable=True, index=True
    )
    #: The position of the tier alerted (none for a digest or a test).
    tier: Mapped[int | None] = mapped_column(nullable=True)
    #: 0 for the first alert of a submission, 1, 2, … for each escalation round.
    round: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Counts, codes and ids only (the digest's count, acute or not, a check-in's
    #: ``checkin_id``): never patient answers.
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)

    deliveries: Mapped[list[AlertDelivery]] = relationship(
        back_populates="alert", order_by="AlertDelivery.id"
    )


class AlertDelivery(Model):
    """One alert to one recipient over one channel: the outbox row the worker sends."""

    __tablename__ = "alert_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(sa.ForeignKey("alert.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    recipient: Mapped[str] = mapped_column(sa.String(500))
    #: The tier recipient it came from (its webhook secret signs the request); none once the
    #: recipient is removed, or for a test alert sent to a typed address.
    recipient_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("alert_recipient.id", ondelete="SET NULL"), nullable=True
    )
    #: Stable per (alert, recipient): the e-mail's Message-ID and the webhook's event id, so
    #: a receiver can drop a message it already has.
    event_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: While ``sending``: the claim expires then, and another worker may take it over.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    alert: Mapped[Alert] = relationship(back_populates="deliveries")

    __table_args__ = (
        sa.UniqueConstraint("alert_id", "channel", "recipient"),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
        sa.Index("ix_alert_delivery_due", "status", "next_attempt_at"),
    )
