"""Courses of care and their check-ins (issue 16, docs/clinician.md "Courses of care").

A ``Course`` belongs to a patient record and starts from one reviewed submission (its intake):
kind, start day, planned sessions and taper, how often the patient is asked to check in, and
how it ended. Staff record each ``CourseSession`` delivered. A ``CheckIn`` is one repeat
questionnaire the patient is asked to fill in (the baseline, one per interval, the end of the
course, the monthly follow-ups after it); it holds the answers once completed, and what the
outcome rules said about them then (flags, urgency, the ruleset's stamp) so the staff queue
can pin an urgent check-in without evaluating anything.

A check-in is opened by a one-time link (``CheckInToken``: only the SHA-256 of the random
token is stored, each with its expiry; every invitation or reminder sends a new one) or at a
clinic tablet with a short code (only its hash is stored) and the patient's date of birth.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.extensions import Model
from intake.models.types import JSONDocument, UTCDateTime, utcnow
from intake.vocabulary import CHECKIN_KINDS, COURSE_KINDS, COURSE_STATUSES, codes

if TYPE_CHECKING:
    from intake.models.submission import Submission
    from intake.models.user import User


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Course(Model):
    """One course of care for one patient, started by a clinician from a reviewed intake.

    ``version`` is the optimistic-locking counter: two staff ending or changing the same course
    at once, the second gets a conflict rather than overwriting the first.
    """

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patient.id"), index=True)
    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(30))
    start_date: Mapped[date] = mapped_column(sa.Date)
    planned_sessions: Mapped[int] = mapped_column(default=0)
    taper_sessions: Mapped[int] = mapped_column(default=0)
    #: Days between the scheduled check-ins (7: weekly), from the start day.
    checkin_every_days: Mapped[int] = mapped_column(default=7)
    #: Monthly follow-up check-ins after a completed course (0: none).
    maintenance_months: Mapped[int] = mapped_column(default=6)
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    ended_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    end_reason: Mapped[str] = mapped_column(sa.Text, default="")
    started_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    submission: Mapped[Submission] = relationship(lazy="joined")
    started_by: Mapped[User] = relationship(foreign_keys=[started_by_id], lazy="joined")
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])
    sessions: Mapped[list[CourseSession]] = relationship(
        back_populates="course", order_by="CourseSession.number", cascade="all, delete-orphan"
    )
    checkins: Mapped[list[CheckIn]] = relationship(
        back_populates="course",
        order_by="(CheckIn.due_on, CheckIn.id)",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API
    __table_args__ = (
        sa.CheckConstraint(_one_of("kind", codes(COURSE_KINDS)), name="kind"),
        sa.CheckConstraint(_one_of("status", codes(COURSE_STATUSES)), name="status"),
        sa.CheckConstraint("checkin_every_days BETWEEN 1 AND 90", name="checkin_every_days"),
        sa.CheckConstraint("maintenance_months BETWEEN 0 AND 12", name="maintenance_months"),
        sa.Index("ix_course_status_start", "status", "start_date"),
    )

    @property
    def total_planned(self) -> int:
        return self.planned_sessions + self.taper_sessions


class CourseSession(Model):
    """One treatment session delivered: its number in the course, its day and a note."""

    __tablename__ = "course_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="CASCADE"))
    number: Mapped[int]
    delivered_on: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship(back_populates="sessions")
    recorded_by: Mapped[User] = relationship(lazy="joined")

    __table_args__ = (sa.UniqueConstraint("course_id", "number"),)


class CheckIn(Model):
    """One repeat questionnaire of a course: due on a day, completed once.

    Answers are kept as the ``intake-course/1`` check-in fields (``phq9``, ``gad7``, ``asq``,
    ``side_effects``) in ``answers``; ``session`` is the number of sessions delivered when the
    patient answered. ``flags`` and ``urgent`` are what the outcome rules said at completion
    (``outcome_version``/``outcome_sha256`` name them): the queue pins urgent check-ins until
    staff acknowledge them, and a clinician's sign-off takes them off the urgent list.
    """

    __tablename__ = "checkin"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    due_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The SHA-256 of the tablet code staff read out, and when it stops working.
    tablet_code_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    tablet_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    session: Mapped[int | None] = mapped_column(nullable=True)
    #: ``how`` the patient opened it: "link" or "tablet".
    opened_by: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    #: The language of the pages the patient answered on ("en", "es"): staff pages stay
    #: English and say so beside the answers. None for check-ins sent before it was kept.
    language: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    phq9_total: Mapped[int | None] = mapped_column(nullable=True)
    gad7_total: Mapped[int | None] = mapped_column(nullable=True)
    status: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    flags: Mapped[list[Any] | None] = mapped_column(JSONDocument, nullable=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    acute: Mapped[bool] = mapped_column(default=False)
    outcome_version: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    outcome_sha256: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    #: Staff took an urgent check-in on (reached the patient, or tried): it leaves the pinned list.
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id"), nullable=True
    )
    acknowledge_note: Mapped[str] = mapped_column(sa.Text, default="")
    #: A clinician assessed the patient's safety: it leaves the clinicians' urgent list.
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    signed_off_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_user.id"), nullable=True
    )
    sign_off_outcome: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    sign_off_note: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    course: Mapped[Course] = relationship(back_populates="checkins")
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API
    __table_args__ = (
        sa.UniqueConstraint("course_id", "kind", "due_on"),
        sa.CheckConstraint(_one_of("kind", codes(CHECKIN_KINDS)), name="kind"),
        sa.Index("ix_checkin_course_due", "course_id", "due_on", "id"),
        # Each course's latest completed check-in after the baseline, read backwards with the
        # columns the clinic outcomes need (services/outcomes.py): one index probe per course.
        sa.Index(
            "ix_checkin_latest",
            "course_id",
            "completed_at",
            "id",
            postgresql_include=["phq9_total", "status"],
            postgresql_where=sa.text("completed_at IS NOT NULL AND kind <> 'baseline'"),
            sqlite_where=sa.text("completed_at IS NOT NULL AND kind <> 'baseline'"),
        ),
        # Each course's completed baseline check-in, with its PHQ-9 (the outcomes' baseline).
        sa.Index(
            "ix_checkin_baseline",
            "course_id",
            "due_on",
            postgresql_include=["phq9_total"],
            postgresql_where=sa.text("completed_at IS NOT NULL AND kind = 'baseline'"),
            sqlite_where=sa.text("completed_at IS NOT NULL AND kind = 'baseline'"),
        ),
        # The queue's pinned urgent check-ins: small, and read on every staff page.
        sa.Index(
            "ix_checkin_urgent_open",
            "completed_at",
            postgresql_where=sa.text("urgent AND acknowledged_at IS NULL"),
            sqlite_where=sa.text("urgent = 1 AND acknowledged_at IS NULL"),
        ),
        # The clinicians' urgent check-ins, counted in every clinician's header (migration 0023).
        sa.Index(
            "ix_checkin_urgent_unsigned",
            "completed_at",
            postgresql_where=sa.text("urgent AND signed_off_at IS NULL"),
            sqlite_where=sa.text("urgent = 1 AND signed_off_at IS NULL"),
        ),
    )

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


class CheckInToken(Model):
    """One link sent to the patient for a check-in: the SHA-256 of its random token.

    Every invitation and reminder makes a new token (the message is written when it is sent,
    so the raw token is never stored); each works until it expires or the check-in is
    completed, whichever comes first — a completed check-in opens for no token again.
    """

    __tablename__ = "checkin_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(
        sa.ForeignKey("checkin.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
