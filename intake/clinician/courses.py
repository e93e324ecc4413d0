"""Courses of care (issue 16): starting one from the summary, the course page (sessions, the
ending, the check-ins and their trend, a tablet code) and the end-of-course report (HTML, PDF).

A clinician starts and ends a course; front desk records the sessions delivered and makes
tablet codes, so the course page and the report are open to both (docs/clinician.md,
"Courses of care"). The work is the course service's (``services.courses``); these views
commit once, and audit what they only show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar, cast

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from intake import pdf_jobs
from intake.auth.decorators import role_required
from intake.clinician import bp
from intake.clinician.course_context import course_context
from intake.clinician.course_forms import (
    EndCourseForm,
    SendLinkAgainForm,
    SessionForm,
    StartCourseForm,
    TabletCodeForm,
)
from intake.extensions import db
from intake.models import ClinicianReview, Course, Submission, User
from intake.models.types import utcnow
from intake.pages import get_submission
from intake.services import audit, checkin_messages, courses
from intake.services.pdf_cache import PdfTarget

T = TypeVar("T")

#: Who starts and ends courses; who may open a course, record sessions and make tablet codes.
CLINICIAN_ROLES = ("clinician",)
COURSE_ROLES = ("clinician", "front_desk")


def _me() -> User:
    return cast(User, current_user._get_current_object())


def _day(value: date | None) -> date:
    """A validated form's required day (its field refused a blank one)."""
    assert value is not None
    return value


def _whole(value: float | None) -> int:
    """A validated form's required whole number (its field refused anything else)."""
    assert value is not None
    return int(value)


# The summary's "Courses" panel and "Start a course of care" --------------------------------------


def _latest_review(submission: Submission) -> ClinicianReview | None:
    return db.session.scalar(
        db.select(ClinicianReview)
        .where(ClinicianReview.submission_id == submission.id)
        .order_by(ClinicianReview.created_at.desc(), ClinicianReview.id.desc())
        .limit(1)
    )


def start_form(submission: Submission) -> StartCourseForm:
    """The form with its defaults: today (the clinic's), the latest review's planned course
    when it has one, the clinic's schedule settings."""
    review = _latest_review(submission)
    planned = review.course_sessions if review is not None else None
    taper = (review.course_taper_sessions or 0) if review is not None and planned else 0
    return StartCourseForm(
        formdata=None,
        start_date=courses.clinic_today(),
        planned_sessions=planned or 0,
        taper_sessions=taper,
        every_days=courses.default_every_days(),
        maintenance_months=courses.default_maintenance_months(),
    )


def course_panel(submission: Submission, form: StartCourseForm | None = None) -> dict[str, Any]:
    """What the summary's "Courses" panel needs: the patient's courses with their status in
    words, why a course cannot start (or the form to start one)."""
    if submission.partial:
        return {"course_rows": [], "course_problem": None, "course_form": None}
    found = courses.courses_from(submission)
    problem = courses.start_problem(submission)
    return {
        "course_rows": [(c, courses.status_words(courses.outcome(c))) for c in found],
        "course_problem": problem,
        "course_form": form or (start_form(submission) if problem is None else None),
    }


@bp.post("/submissions/<int:submission_id>/courses")
@role_required(*CLINICIAN_ROLES)
def start_course(submission_id: int) -> ResponseReturnValue:
    """Start a course of care from this reviewed intake (clinicians only)."""
    from intake.clinician.views import render_summary  # views imports this module

    submission = get_submission(submission_id)
    form = StartCourseForm()
    error = None
    if form.validate_on_submit():
        try:
            course = courses.start_course(
                submission,
                kind=form.kind.data or "",
                start_date=_day(form.start_date.data),
                planned_sessions=_whole(form.planned_sessions.data),
                taper_sessions=_whole(form.taper_sessions.data),
                every_days=_whole(form.every_days.data),
                maintenance_months=_whole(form.maintenance_months.data),
                by=_me(),
                today=courses.clinic_today(),
            )
        except courses.CourseError as exc:
            error = str(exc)
        else:
            db.session.commit()
            flash("Course of care started.", "success")
            return redirect(url_for("clinician.course", course_id=course.id) + "#main")
    db.session.rollback()
    submission = get_submission(submission_id)
    return render_summary(submission, course_form=form, course_error=error, code=400)


# The course page ---------------------------------------------------------------------------------


def _synced(course: Course) -> Course:
    """The course with the check-ins due today made (flushed, not committed). Should another
    page or the worker's sweep have made the same ones at this moment (the unique day per
    kind), theirs stand: this request's changes are rolled back and the course read again."""
    return _sync(course)[0]


def _sync(course: Course) -> tuple[Course, bool]:
    """:func:`_synced`, and whether it made any check-in."""
    try:
        made = courses.sync_checkins(course, courses.clinic_today())
    except IntegrityError:
        db.session.rollback()
        return _load(course.id), False
    return course, bool(made)


def _load(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    return course


def _session_form(course: Course, form: SessionForm | None = None) -> SessionForm:
    form = form or SessionForm(formdata=None, delivered_on=courses.clinic_today())
    form.version.raw_data = []
    form.version.data = course.version
    return form


def _end_form(course: Course, form: EndCourseForm | None = None) -> EndCourseForm:
    form = form or EndCourseForm(formdata=None, ended_on=courses.clinic_today())
    form.version.raw_data = []
    form.version.data = course.version
    return form


def _render_course(
    course: Course,
    *,
    session_form: SessionForm | None = None,
    end_form: EndCourseForm | None = None,
    error: str | None = None,
    tablet_code: str | None = None,
    code: int = 200,
) -> ResponseReturnValue:
    """The course page as it is now (check-ins synced and committed first), with any form
    that was refused and its messages; audited as a view of the patient's course."""
    course = _synced(course)
    audit.record(
        "course_viewed",
        submission=course.submission,
        detail={"course_id": course.id} | ({"refused": code} if code >= 400 else {}),
    )
    db.session.commit()
    html = render_template(
        "clinician/course.html",
        session_form=_session_form(course, session_form),
        end_form=_end_form(course, end_form),
        tablet_form=TabletCodeForm(formdata=None),
        send_again_form=SendLinkAgainForm(formdata=None),
        can_email=checkin_messages.can_email(course),
        error=error,
        tablet_code=tablet_code,
        tablet_minutes=int(courses.TABLET_CODE_LIFETIME.total_seconds() // 60),
        **course_context(course),
    )
    return html, code


@bp.get("/courses/<int:course_id>")
@role_required(*COURSE_ROLES)
def course(course_id: int) -> ResponseReturnValue:
    """A course: its plan, the sessions delivered, the check-ins and their trend, its status."""
    page = _render_course(_load(course_id))
    _prepare_report_pdf(course_id)
    return page


def _conflict(course_id: int, message: str, **forms: Any) -> ResponseReturnValue:
    db.session.rollback()
    fresh = _load(course_id)
    db.session.refresh(fresh)
    return _render_course(fresh, error=message, code=409, **forms)


def _save(
    change: Callable[[], T], course_id: int, **forms: Any
) -> tuple[T | None, ResponseReturnValue | None]:
    """Make ``change`` and commit: its result, or the course page refusing it — 409 when a
    colleague changed the course first (its version, or the row under us), 400 for a change
    the course does not allow, with what was typed kept in its form."""
    try:
        result = change()
        db.session.commit()
    # A conflict shows the course as a colleague left it, with empty forms: keeping what was
    # typed (stamped with the new version) would let a second press record it twice.
    except courses.CourseConflict as exc:
        return None, _conflict(course_id, str(exc))
    except StaleDataError:
        return None, _conflict(course_id, str(courses.CourseConflict()))
    except courses.CourseError as exc:
        db.session.rollback()
        return None, _render_course(_load(course_id), error=str(exc), code=400, **forms)
    return result, None


@bp.post("/courses/<int:course_id>/sessions")
@role_required(*COURSE_ROLES)
def record_session(course_id: int) -> ResponseReturnValue:
    """Record the next session delivered; a form from an older page is a conflict (409)."""
    course = courses.lock(course_id) or abort(404)
    form = SessionForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_course(_load(course_id), session_form=form, code=400)
    session, refused = _save(
        lambda: courses.record_session(
            course,
            delivered_on=_day(form.delivered_on.data),
            note=form.note.data or "",
            by=_me(),
            today=courses.clinic_today(),
            expected_version=form.version.data,
        ),
        course_id,
        session_form=form,
    )
    if refused is not None:
        return refused
    assert session is not None  # _save gives the result or the refusal
    flash(f"Session {session.number} recorded.", "success")
    return redirect(url_for("clinician.course", course_id=course_id) + "#sessions-heading")


@bp.post("/courses/<int:course_id>/end")
@role_required(*CLINICIAN_ROLES)
def end_course(course_id: int) -> ResponseReturnValue:
    """End the course (clinicians only): completed, stopped early with a reason, transferred."""
    course = courses.lock(course_id) or abort(404)
    form = EndCourseForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_course(_load(course_id), end_form=form, code=400)
    _ended, refused = _save(
        lambda: courses.end_course(
            course,
            status=form.status.data or "",
            ended_on=_day(form.ended_on.data),
            reason=form.reason.data or "",
            by=_me(),
            today=courses.clinic_today(),
            expected_version=form.version.data,
        ),
        course_id,
        end_form=form,
    )
    if refused is not None:
        return refused
    flash("Course ended.", "success")
    return redirect(url_for("clinician.course", course_id=course_id) + "#main")


@bp.post("/courses/<int:course_id>/tablet-code")
@role_required(*COURSE_ROLES)
def tablet_code(course_id: int) -> ResponseReturnValue:
    """Make a code for the check-in due now, to be typed at the clinic's tablet: shown once, on
    this page (never in a URL); only its hash is kept."""
    course = _load(course_id)
    form = TabletCodeForm()
    if not form.validate_on_submit():
        return _render_course(course, error="The form expired: press the button again.", code=400)
    course = _synced(course)
    checkin = courses.open_checkin(course)
    if checkin is None:
        db.session.rollback()
        return _render_course(
            _load(course_id), error="No check-in is due now: there is nothing to open.", code=409
        )
    try:
        raw = courses.new_tablet_code(checkin, utcnow(), by=_me())
    except courses.CourseError as exc:
        db.session.rollback()
        return _render_course(_load(course_id), error=str(exc), code=409)
    db.session.commit()
    return _render_course(course, tablet_code=raw)


@bp.post("/courses/<int:course_id>/send-link-again")
@role_required(*COURSE_ROLES)
def send_link_again(course_id: int) -> ResponseReturnValue:
    """E-mail the patient a new link to the check-in due now (they lost the e-mail, or its link
    expired): through the outbox, like the invitation; the address never leaves the intake."""
    course = courses.lock(course_id) or abort(404)
    form = SendLinkAgainForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_course(
            _load(course_id), error="The form expired: press the button again.", code=400
        )
    try:
        checkin_messages.send_again(course, by=_me(), now=utcnow())
        db.session.commit()
    except checkin_messages.SendRefused as exc:
        db.session.rollback()
        return _render_course(_load(course_id), error=str(exc), code=409)
    except IntegrityError:  # a colleague's click raised the same message first
        db.session.rollback()
        return _render_course(
            _load(course_id),
            error="A colleague has just sent a new link: it goes out within minutes.",
            code=409,
        )
    flash("A new link is being e-mailed to the patient.", "success")
    return redirect(url_for("clinician.course", course_id=course_id) + "#checkins-heading")


# The end-of-course report ------------------------------------------------------------------------


def _report_context(course: Course) -> dict[str, Any]:
    return course_context(_synced(course))


def _prepare_report_pdf(course_id: int) -> None:
    """The course page and its report link to the report's PDF: opening either asks the worker
    for the PDF of what the report shows now."""
    course = _load(course_id)
    pdf_jobs.prepare(PdfTarget.course_report(course), course)


@bp.get("/courses/<int:course_id>/report")
@role_required(*COURSE_ROLES)
def course_report(course_id: int) -> ResponseReturnValue:
    """The end-of-course report: what a payer asks for at re-authorization and a therapist
    needs at hand-off (also while the course runs: a report so far)."""
    course = _load(course_id)
    context = _report_context(course)
    audit.record(
        "course_report_viewed", submission=course.submission, detail={"course_id": course.id}
    )
    db.session.commit()
    page = render_template("clinician/course_report.html", **context)
    _prepare_report_pdf(course_id)
    return page


@bp.get("/courses/<int:course_id>/report.pdf")
@role_required(*COURSE_ROLES)
def course_report_pdf(course_id: int) -> ResponseReturnValue:
    """The report as a PDF: the one the job worker rendered for what the report shows now,
    sent as stored; not rendered yet, the worker is asked and the page says so (202); with no
    worker to ask, rendered here (``intake.pdf_jobs``; docs/clinician.md, "PDF")."""
    course, made = _sync(_load(course_id))
    if made:
        # Kept whoever makes the PDF: ``fetch`` rolls this request's changes back (before its
        # snapshot when it renders here, and when it answers 202). Only when there is
        # something to keep: a commit expires the course, read again for its key.
        db.session.commit()
    ready = pdf_jobs.fetch(PdfTarget.course_report(course), course)
    if ready is None:
        return pdf_jobs.preparing_page(
            what=f"the course report of {course.submission.reference}",
            download_url=url_for("clinician.course_report_pdf", course_id=course_id),
            back_url=url_for("clinician.course_report", course_id=course_id),
            back_to="the report",
        )
    content = ready.content
    audit.record(
        "course_report_pdf",
        submission=course.submission,
        detail={"course_id": course.id, "bytes": len(content)},
    )
    # Named before the commit, which expires the course (after it, it was read again).
    disposition = f'inline; filename="course-{course.submission.reference}-{course.id}.pdf"'
    db.session.commit()
    return Response(
        content, mimetype="application/pdf", headers={"Content-Disposition": disposition}
    )
