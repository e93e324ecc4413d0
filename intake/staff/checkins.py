"""One check-in of a course of care, for staff (``/staff/checkins/<id>``; docs/staff.md,
"Urgent check-ins").

The answers in staff wording with the flags the outcome rules raised, and for an urgent
check-in the two steps of the risk workflow: the front desk or a clinician acknowledges it
(it leaves the queue's pinned list), a clinician signs it off (it leaves the clinicians'
urgent list). Opening the page is a view of patient data, audited as ``checkin_viewed``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from intake import vocabulary as vocab
from intake.auth.decorators import role_required
from intake.extensions import db
from intake.models import CheckIn
from intake.models.types import utcnow
from intake.services import audit, courses
from intake.staff import bp
from intake.staff.checkin_forms import AcknowledgeCheckInForm, SignOffCheckInForm

CHECKIN_ROLES = ("front_desk", "clinician")


def _load(checkin_id: int) -> CheckIn:
    checkin = courses.get_checkin(checkin_id)
    if checkin is None:
        abort(404)
    return checkin


def answer_rows(checkin: CheckIn) -> dict[str, list[tuple[str, str]]]:
    """The stored answers as (question, answer) in staff wording, per questionnaire."""
    answers: dict[str, Any] = checkin.answers or {}
    phq9 = answers.get("phq9") or []
    gad7 = answers.get("gad7") or []
    asq = answers.get("asq")
    effects = answers.get("side_effects") or {}
    return {
        "phq9": [
            (f"{n}. {q.staff}", vocab.staff_label(vocab.FREQUENCY, str(v)))
            for n, (q, v) in enumerate(zip(vocab.PHQ9_QUESTIONS, phq9, strict=False), start=1)
        ],
        "gad7": [
            (f"{n}. {q.staff}", vocab.staff_label(vocab.FREQUENCY, str(v)))
            for n, (q, v) in enumerate(zip(vocab.GAD7_QUESTIONS, gad7, strict=False), start=1)
        ],
        "asq": []
        if asq is None
        else [
            (q.staff, vocab.staff_label(vocab.ASQ_ANSWERS, asq.get(q.code)))
            for q in (*vocab.ASQ_QUESTIONS, vocab.ASQ_RIGHT_NOW)
        ],
        "side_effects": [
            (
                choice.staff,
                vocab.staff_label(vocab.SIDE_EFFECT_SEVERITY, effects.get(choice.code, "none")),
            )
            for choice in vocab.SIDE_EFFECTS
        ],
    }


def _render(
    checkin: CheckIn,
    *,
    ack_form: AcknowledgeCheckInForm | None = None,
    sign_form: SignOffCheckInForm | None = None,
    error: str | None = None,
    code: int = 200,
) -> ResponseReturnValue:
    ack_form = ack_form or AcknowledgeCheckInForm(formdata=None)
    sign_form = sign_form or SignOffCheckInForm(formdata=None)
    for form in (ack_form, sign_form):
        form.version.raw_data = []  # drawn from the check-in as it is now
        form.version.data = checkin.version
    html = render_template(
        "staff/checkin.html",
        checkin=checkin,
        course=checkin.course,
        submission=checkin.course.submission,
        rows=answer_rows(checkin),
        status_words=courses.STATUS_WORDS,
        ack_form=ack_form,
        sign_form=sign_form,
        error=error,
    )
    audit.record(
        "checkin_viewed",
        submission=checkin.course.submission,
        detail={"course_id": checkin.course_id, "checkin_id": checkin.id},
    )
    db.session.commit()
    return html, code


@bp.get("/checkins/<int:checkin_id>")
@role_required(*CHECKIN_ROLES)
def checkin(checkin_id: int) -> ResponseReturnValue:
    return _render(_load(checkin_id))


def _refused(checkin_id: int, error: str, code: int, **forms: Any) -> ResponseReturnValue:
    """The page as it now is (a colleague's acknowledgement or sign-off on it), with what was
    typed kept in its form."""
    db.session.rollback()
    fresh = _load(checkin_id)
    db.session.refresh(fresh)
    return _render(fresh, error=error, code=code, **forms)


def _save(
    change: Callable[[], object], checkin_id: int, **forms: Any
) -> ResponseReturnValue | None:
    """Make ``change`` and commit; None when saved, else the page refusing it: 409 when a
    colleague changed the check-in first (its version, or the row under us), 400 for a change
    the check-in does not allow."""
    try:
        change()
        db.session.commit()
    except courses.CheckInConflict as exc:
        return _refused(checkin_id, str(exc), 409, **forms)
    except StaleDataError:
        return _refused(checkin_id, str(courses.CheckInConflict()), 409, **forms)
    except courses.CourseError as exc:
        return _refused(checkin_id, str(exc), 400, **forms)
    return None


@bp.post("/checkins/<int:checkin_id>/acknowledge")
@role_required(*CHECKIN_ROLES)
def acknowledge_checkin(checkin_id: int) -> ResponseReturnValue:
    """Take an urgent check-in on: it leaves the queue's pinned list."""
    checkin = _load(checkin_id)
    form = AcknowledgeCheckInForm()
    if not form.validate_on_submit():
        return _refused(checkin_id, "Not saved: please check the form.", 400, ack_form=form)
    refused = _save(
        lambda: courses.acknowledge(
            checkin,
            note=form.note.data or "",
            by=current_user._get_current_object(),
            now=utcnow(),
            expected_version=form.version.data,
        ),
        checkin_id,
        ack_form=form,
    )
    if refused is not None:
        return refused
    flash("Check-in acknowledged.", "success")
    return redirect(url_for("staff.checkin", checkin_id=checkin_id) + "#main")


@bp.post("/checkins/<int:checkin_id>/sign-off")
@role_required("clinician")
def sign_off_checkin(checkin_id: int) -> ResponseReturnValue:
    """A clinician's safety assessment: the check-in leaves the clinicians' urgent list."""
    checkin = _load(checkin_id)
    form = SignOffCheckInForm()
    if not form.validate_on_submit():
        return _refused(checkin_id, "Not saved: please check the form.", 400, sign_form=form)
    refused = _save(
        lambda: courses.sign_off(
            checkin,
            outcome=form.outcome.data or "",
            note=form.note.data or "",
            by=current_user._get_current_object(),
            now=utcnow(),
            expected_version=form.version.data,
        ),
        checkin_id,
        sign_form=form,
    )
    if refused is not None:
        return refused
    flash("Check-in signed off.", "success")
    return redirect(url_for("staff.checkin", checkin_id=checkin_id) + "#main")
