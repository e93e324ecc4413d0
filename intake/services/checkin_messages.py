"""Check-in invitations and reminders to the patient, through the alerts' outbox and worker.

When a course's check-in falls due, the patient is e-mailed a one-time link to it; if it is
still not done ``CHECKIN_REMINDER_DAYS`` after the invitation went out (2 by default), one
reminder with a new link. No reminder once a later check-in is due (only the latest check-in
of a course can be answered: ``courses.open_checkin``), none after it is done.

Each message is an ``Alert`` (event ``checkin_invitation`` or ``checkin_reminder``, unique key
``<event>:<checkin id>``: a check-in is invited once and reminded once, whatever the number of
sweeps or workers) with one ``AlertDelivery`` to ``PATIENT_RECIPIENT``. The outbox holds no
copy of the address: it is read from the intake when the message is made. The worker's usual
claim, back-off and retry apply (``services.alerts``).

Only a patient whose intake consented to be contacted (``consent.agrees_to_contact``) and chose
e-mail as the way to be contacted (``patient.preferred_contact`` is ``email``, with an address)
is e-mailed; for anyone else nothing is raised, and staff give the check-in's tablet code at the
clinic (docs/staff.md).

The message says nothing about the patient (``alert_channels.PatientMessage``) and is in the
patient's intake language (``courses.intake_language``: subject, body and the link's expiry
date; in Spanish it also says how to reach the crisis line in Spanish). Its link token
is made when the message is sent (``compose``, called by the worker's send step), so the raw
token is never stored and each attempt carries a fresh one; only its hash is kept
(``CheckInToken``), and the token of a message that could not be delivered is deleted.

Staff can e-mail a new link on the patient's request (``send_again``: the e-mail was lost, or
its link expired), up to ``SEND_AGAIN_LIMIT`` times per check-in, one at a time.

Services flush, never commit (the worker commits); times come in as ``now``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale

from intake import course_schedule
from intake.alert_channels import PatientMessage, patient_subject, patient_text
from intake.course_schedule import add_months
from intake.extensions import db
from intake.i18n import gettext
from intake.models import Alert, AlertDelivery, CheckIn, CheckInToken, Course, Submission, User
from intake.services import alerts, audit, courses, settings

log = logging.getLogger(__name__)

#: How long after a course ended its last check-ins (the end, the last follow-up) are still
#: invited and reminded: a link's lifetime.
FOLLOW_UP_GRACE = courses.TOKEN_LIFETIME


def email_address(submission: Submission) -> str | None:
    """Where a patient's check-in messages go, or None when they are not to be e-mailed: the
    intake's e-mail address, only if the patient agreed to be contacted and chose e-mail."""
    return _address_in(submission.answers or {})


def _address_in(answers: dict[str, Any]) -> str | None:
    patient = answers.get("patient") or {}
    consent = answers.get("consent") or {}
    if consent.get("agrees_to_contact") is not True:
        return None
    if patient.get("preferred_contact") != "email":
        return None
    address = (patient.get("email") or "").strip()
    return address or None


def can_email(course: Course) -> bool:
    """Whether this course's check-ins are e-mailed (else staff give the tablet code)."""
    return email_address(course.submission) is not None


def _followed(course: Course, today: date) -> bool:
    """Whether the course still has check-ins to make or invite today: active, or ended with
    an end check-in (completed, stopped early) and, once completed, its months of follow-up
    (and a link's lifetime after the last)."""
    if course.status == "active":
        return True
    if course.ended_on is None or course.status not in ("completed", "stopped_early"):
        return False
    last = course.ended_on
    if course.status == "completed":
        last = add_months(course.ended_on, course.maintenance_months)
    return today <= last + FOLLOW_UP_GRACE


def followed_courses(today: date) -> list[Course]:
    """The courses whose check-ins the sweep looks at (without their check-ins: at a clinic's
    scale, loading every check-in of every followed course cost the sweep most of its time)."""
    oldest_end = today - timedelta(days=366) - FOLLOW_UP_GRACE  # up to 12 months of follow-up
    candidates = db.session.scalars(
        sa.select(Course)
        .where(
            sa.or_(
                Course.status == "active",
                sa.and_(
                    Course.status.in_(("completed", "stopped_early")),
                    Course.ended_on >= oldest_end,
                ),
            )
        )
        # The intake (its answers: the address) is read only for a course with a message due.
        .options(sa.orm.lazyload(Course.checkins), sa.orm.lazyload(Course.submission))
        .order_by(Course.id)
    )
    return [course for course in candidates if _followed(course, today)]


def _chunks(ids: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _made_so_far(course_ids: list[int]) -> dict[int, tuple[int, date | None]]:
    """For each course, how many check-ins it has and the latest one's day (one grouped query
    per 500 courses, no check-in loaded)."""
    made: dict[int, tuple[int, date | None]] = {}
    for chunk in _chunks(course_ids):
        rows = db.session.execute(
            sa.select(CheckIn.course_id, sa.func.count(), sa.func.max(CheckIn.due_on))
            .where(CheckIn.course_id.in_(chunk))
            .group_by(CheckIn.course_id)
        )
        made.update({course_id: (count, latest) for course_id, count, latest in rows})
    return made


def _behind(course: Course, made: tuple[int, date | None], today: date) -> bool:
    """Whether the schedule may hold a check-in the course does not have yet. Check-ins are
    only ever made from the schedule (``courses.sync_checkins``, all that are missing at once),
    so a course with at least as many as the schedule and none missing at its end is up to
    date; any doubt syncs it (idempotent)."""
    due = course_schedule.due_checkins(
        start=course.start_date,
        every_days=course.checkin_every_days,
        status=course.status,
        ended_on=course.ended_on,
        maintenance_months=course.maintenance_months,
        today=today,
    )
    count, latest = made
    return bool(due) and (count < len(due) or latest is None or latest < due[-1].due_on)


def _waiting(course_ids: list[int], today: date, remind_before: datetime | None) -> list[CheckIn]:
    """The open check-ins (the latest of their course, not done, due by ``today``) that have
    not been invited yet, or were invited before ``remind_before`` and not reminded; with their
    courses. Read in SQL, so a sweep touches only the check-ins it has a message for."""
    later = sa.orm.aliased(CheckIn)
    is_latest = ~sa.exists().where(
        later.course_id == CheckIn.course_id,
        sa.or_(
            later.due_on > CheckIn.due_on,
            sa.and_(later.due_on == CheckIn.due_on, later.id > CheckIn.id),
        ),
    )
    needs: sa.ColumnElement[bool] = CheckIn.invited_at.is_(None)
    if remind_before is not None:
        needs = sa.or_(
            needs, sa.and_(CheckIn.reminded_at.is_(None), CheckIn.invited_at <= remind_before)
        )
    found: list[CheckIn] = []
    for chunk in _chunks(course_ids):
        found.extend(
            db.session.scalars(
                sa.select(CheckIn)
                .where(
                    CheckIn.course_id.in_(chunk),
                    CheckIn.completed_at.is_(None),
                    CheckIn.due_on <= today,
                    needs,
                    is_latest,
                )
                .join(CheckIn.course)
                .options(
                    sa.orm.contains_eager(CheckIn.course),
                    # Not the answers: a sweep reads only what says whether a message is due.
                    sa.orm.load_only(
                        CheckIn.course_id,
                        CheckIn.kind,
                        CheckIn.due_on,
                        CheckIn.invited_at,
                        CheckIn.reminded_at,
                        CheckIn.completed_at,
                    ),
                )
                .order_by(CheckIn.course_id)
            )
        )
    return found


def messages_due(now: datetime) -> list[Alert]:
    """Make the check-ins that fell due by today (the clinic's day) for every followed course,
    then raise each open check-in's invitation, or its reminder when it is due; flush. The
    alerts raised (their deliveries are pending, for the worker)."""
    today = settings.local_day(now)
    reminder_days = current_app.config["CHECKIN_REMINDER_DAYS"]
    followed = followed_courses(today)
    made = _made_so_far([course.id for course in followed])
    for course in followed:
        if _behind(course, made.get(course.id, (0, None)), today):
            courses.sync_checkins(course, today)  # loads this course's check-ins only
    remind_before = None if reminder_days is None else now - timedelta(days=reminder_days)
    wanted: list[tuple[str, CheckIn, Course]] = []
    for checkin in _waiting([course.id for course in followed], today, remind_before):
        event = "checkin_invitation" if checkin.invited_at is None else "checkin_reminder"
        wanted.append((event, checkin, checkin.course))
    # Raised already (waiting to be sent, or withdrawn): nothing to do. Then, of the rest, only
    # the patients who may be e-mailed (their intakes read in batches).
    existing = _existing_keys([f"{event}:{checkin.id}" for event, checkin, _ in wanted])
    wanted = [item for item in wanted if f"{item[0]}:{item[1].id}" not in existing]
    emailed = _emailed([course for _, _, course in wanted])
    return [
        alerts.patient_message(event, checkin, now=now)
        for event, checkin, course in wanted
        if course.id in emailed
    ]


#: How many new links staff may e-mail for one check-in, besides its invitation and reminder:
#: enough for a lost e-mail or two, not a way to flood a patient's inbox.
SEND_AGAIN_LIMIT = 3


class SendRefused(Exception):
    """A new link cannot be e-mailed now; the message says why and what to do instead."""


def _messages_of(checkin: CheckIn) -> list[Alert]:
    prefixes = [f"{event}:{checkin.id}" for event in ("checkin_invitation", "checkin_reminder")]
    return list(
        db.session.scalars(
            sa.select(Alert).where(
                sa.or_(
                    *(Alert.key == prefix for prefix in prefixes),
                    *(Alert.key.startswith(f"{prefix}:again:") for prefix in prefixes),
                )
            )
        )
    )


def send_again(course: Course, *, by: User, now: datetime) -> Alert:
    """E-mail the patient a new link to the check-in due now, at staff's request; flush.

    Refused (``SendRefused``) when no check-in is open, when the patient is not to be e-mailed
    (staff make a tablet code instead), while an earlier message to this check-in is still
    waiting to go out, and after ``SEND_AGAIN_LIMIT`` new links. The message is the invitation
    (a fresh token when it is sent, as always); audited without the address.
    """
    courses.sync_checkins(course, settings.local_day(now))
    checkin = courses.open_checkin(course)
    if checkin is None:
        raise SendRefused("No check-in is due now: there is nothing to send.")
    if not can_email(course):
        raise SendRefused(
            "This patient did not agree to e-mail: make a tablet code for the clinic instead."
        )
    sent = _messages_of(checkin)
    if any(d.status in ("pending", "sending") for alert in sent for d in alert.deliveries):
        raise SendRefused(
            "An e-mail with a link to this check-in is waiting to go out: it is sent within "
            "minutes."
        )
    again = sum(1 for alert in sent if ":again:" in alert.key)
    if again >= SEND_AGAIN_LIMIT:
        raise SendRefused(
            f"{SEND_AGAIN_LIMIT} new links were sent for this check-in already: make a tablet "
            "code, or call the patient."
        )
    # Before the sweep has invited it, this is the invitation itself (the sweep then finds it
    # raised and sends no second one); after, the n-th new link.
    alert = alerts.patient_message(
        "checkin_invitation", checkin, now=now, again=again + 1 if sent else 0
    )
    audit.record(
        "checkin_link_sent_again",
        submission=course.submission,
        detail={"course_id": course.id, "checkin_id": checkin.id},
        actor=by,
    )
    return alert


def _existing_keys(keys: list[str]) -> set[str]:
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        existing.update(
            db.session.scalars(sa.select(Alert.key).where(Alert.key.in_(keys[start : start + 500])))
        )
    return existing


def _emailed(candidates: list[Course]) -> set[int]:
    """The ids of the courses among ``candidates`` whose patient may be e-mailed (their
    intakes' answers read in a few queries, not one per course)."""
    by_submission = {course.submission_id: course.id for course in candidates}
    ids = list(by_submission)
    emailed: set[int] = set()
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            sa.select(Submission.id, Submission.answers).where(
                Submission.id.in_(ids[start : start + 500])
            )
        )
        emailed.update(by_submission[sid] for sid, answers in rows if _address_in(answers or {}))
    return emailed


def _checkin_of(delivery: AlertDelivery) -> CheckIn | None:
    checkin_id = (delivery.alert.detail or {}).get("checkin_id")
    return db.session.get(CheckIn, int(checkin_id)) if checkin_id is not None else None


def compose(delivery: AlertDelivery, now: datetime) -> PatientMessage | alerts.Withdrawn:
    """The message of a claimed invitation or reminder, with a new link token (its hash added
    to the session: the worker commits it before sending), or why it is no longer sent."""
    checkin = _checkin_of(delivery)
    if checkin is None:
        return alerts.Withdrawn("the check-in no longer exists")
    if checkin.completed:
        return alerts.Withdrawn("the check-in was done meanwhile")
    if not courses.is_open(checkin):
        return alerts.Withdrawn("a later check-in is due now")
    address = email_address(checkin.course.submission)
    if address is None:
        return alerts.Withdrawn("the patient is not to be e-mailed")
    raw = courses.new_token(checkin, now)
    profile = settings.clinic_profile()
    url = alerts.staff_url("patient.checkin_link", token=raw)
    language = courses.intake_language(checkin.course)
    # The worker has no request: the patient's language is forced for the message's texts.
    with force_locale(language):
        subject = patient_subject(delivery.alert.event, profile.name, say=gettext)
        body = patient_text(
            clinic=profile.name,
            phone=profile.phone,
            url=url,
            expires=_when(now + courses.TOKEN_LIFETIME, language),
            reminder=delivery.alert.event == "checkin_reminder",
            spanish_line=language == "es",
            say=gettext,
        )
    return PatientMessage(
        event=delivery.alert.event,
        to=address,
        subject=subject,
        body=body,
        url=url,
        reminder=delivery.alert.event == "checkin_reminder",
        event_id=delivery.event_id,
        timestamp=now,
        token_hash=courses.hash_secret(raw),
        language=language,
    )


def _when(moment: datetime, language: str = "en") -> str:
    """A time as a patient reads it, in the clinic's zone: ``Thursday 10 December 2026, 15:00
    EST``; in Spanish ``jueves, 10 de diciembre de 2026, 15:00 EST`` (Babel's full date)."""
    local = moment.astimezone(settings.clinic_profile().zone)
    zone = local.tzname() or ""
    if language != "en":
        day = format_date(local.date(), format="full", locale=language)
        return f"{day}, {local:%H:%M} {zone}".rstrip()
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} {zone}".rstrip()


def undelivered(message: PatientMessage) -> None:
    """The message did not go out: its link's token is deleted (nobody has it)."""
    db.session.execute(sa.delete(CheckInToken).where(CheckInToken.token_hash == message.token_hash))


def delivered(delivery: AlertDelivery, now: datetime) -> None:
    """The message went out: the check-in says when it was invited (or reminded), and the
    audit log that the patient was e-mailed (ids and the event only)."""
    checkin = _checkin_of(delivery)
    if checkin is None:
        return
    # A plain UPDATE, not the ORM's: the check-in's version counter stays where it is, so the
    # patient answering it at this very moment is not told someone else changed it.
    column = (
        CheckIn.reminded_at if delivery.alert.event == "checkin_reminder" else CheckIn.invited_at
    )
    db.session.execute(
        sa.update(CheckIn)
        .where(CheckIn.id == checkin.id, column.is_(None))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    detail: dict[str, Any] = {
        "course_id": checkin.course_id,
        "checkin_id": checkin.id,
        "event": delivery.alert.event,
        "delivery_id": delivery.id,
    }
    audit.record(
        "checkin_message_sent",
        submission=checkin.course.submission,
        detail=detail,
        with_address=False,
    )
