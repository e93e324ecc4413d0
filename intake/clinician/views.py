"""The pathway summary (HTML and PDF) and the clinician's review."""

from __future__ import annotations

from typing import cast

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from intake import pdf_jobs
from intake.auth.decorators import role_required
from intake.clinician import bp
from intake.clinician.context import current_ruleset, summary_context
from intake.clinician.course_forms import StartCourseForm
from intake.clinician.courses import course_panel
from intake.clinician.forms import ReviewForm, RiskAssessmentForm
from intake.extensions import db
from intake.models import Submission, User
from intake.pages import get_submission
from intake.rules import Ruleset
from intake.services import audit, courses, risk, workflow
from intake.services.patients import earlier_intakes
from intake.services.pdf_cache import PdfTarget
from intake.services.reviews import (
    Course,
    ReviewError,
    pathway_choices,
    record_review,
)
from intake.services.summary import (
    Reevaluation,
)

#: Who may read summaries and record reviews (docs/clinician.md, "Decisions").
CLINICIAN_ROLES = ("clinician",)


def _me() -> User:
    return cast(User, current_user._get_current_object())


@bp.get("/")
@role_required(*CLINICIAN_ROLES)
def urgent() -> ResponseReturnValue:
    """The clinician's urgent list: every urgent submission no clinician has signed off, acute
    first, then oldest first, whatever the front desk did (the clinician's landing page)."""
    page = risk.unsigned(request.args.get("page", 1, type=int) or 1)
    # The urgent check-ins of courses of care no clinician has signed off, below the intakes.
    checkins = courses.urgent_unsigned_checkins()
    html = render_template(
        "clinician/urgent.html",
        page=page,
        checkins=checkins,
        urgent_list_limit=courses.URGENT_LIST_LIMIT,
    )
    audit.record(
        "urgent_list_viewed",
        detail={
            "page": page.page,
            "shown": len(page.rows),
            "matching": page.total,
            **({"checkins_shown": [c.id for c in checkins]} if checkins else {}),
        },
    )
    db.session.commit()
    return html


def _review_form(ruleset: Ruleset) -> ReviewForm:
    form = ReviewForm()
    form.pathways.choices = {code: f"{title} ({code})" for code, title in pathway_choices(ruleset)}
    return form


def _audit_view(
    submission: Submission,
    context: dict[str, object],
    page: str,
    courses_shown: list[int] | None = None,
) -> None:
    detail: dict[str, object] = {"page": page}
    if earlier := cast("list[Submission]", context["earlier"]):
        detail["earlier_shown"] = [e.id for e in earlier]  # the same patient's other intakes
    if courses_shown:
        detail["courses_shown"] = courses_shown  # the patient's courses, with their status
    audit.record("submission_viewed", submission=submission, detail=detail)
    reevaluation = cast("Reevaluation | None", context["reevaluation"])
    if reevaluation is not None:
        audit.record(
            "evaluated",
            submission=submission,
            detail={
                "ruleset_version": reevaluation.new_ruleset["version"],
                "ruleset_sha256": reevaluation.new_ruleset["sha256"],
                "changed": reevaluation.changed,
                "stored": False,
            },
        )


@bp.get("/submissions/<int:submission_id>")
@role_required(*CLINICIAN_ROLES)
def summary(submission_id: int) -> ResponseReturnValue:
    """One page per submission: flags first, scores, history, safety, pathways, coverage."""
    submission = get_submission(submission_id)
    context = summary_context(submission)
    shown = [c.id for c in courses.courses_from(submission)]
    html = render_template(
        "clinician/summary.html",
        form=_review_form(current_ruleset()),
        risk_form=_risk_form(submission),
        **context,
        **course_panel(submission),
    )
    # The stored PDF's key, read before the commit for the same reason.
    target = PdfTarget.summary(submission)
    key = pdf_jobs.key_to_prepare(target, submission)
    # Recorded after rendering, as the queue does: the commit expires the loaded submission, and
    # drawing the page after it read the whole row (both JSON documents) a second time. The
    # page is only sent once its view is on record.
    _audit_view(submission, context, "clinician_summary", shown)
    db.session.commit()
    # The PDF of this version, made by the worker before it is asked for.
    pdf_jobs.prepare(target, submission, key=key)
    return html


def render_summary(
    submission: Submission,
    *,
    course_form: StartCourseForm,
    course_error: str | None,
    code: int,
) -> ResponseReturnValue:
    """The summary with a refused "Start a course of care" form and its messages."""
    context = summary_context(submission)
    return (
        render_template(
            "clinician/summary.html",
            form=_review_form(current_ruleset()),
            risk_form=_risk_form(submission),
            course_error=course_error,
            **context,
            **course_panel(submission, course_form),
        ),
        code,
    )


def _risk_form(
    submission: Submission, form: RiskAssessmentForm | None = None
) -> RiskAssessmentForm:
    """The risk assessment form, carrying the version of the submission this page shows."""
    form = form or RiskAssessmentForm(formdata=None)
    form.version.raw_data = []  # drawn from ``data``, not from what was posted
    form.version.data = submission.version
    return form


@bp.post("/submissions/<int:submission_id>/risk-assessment")
@role_required(*CLINICIAN_ROLES)
def risk_assessment(submission_id: int) -> ResponseReturnValue:
    """Record a risk assessment: it signs the urgent submission off (clinicians only)."""
    submission = get_submission(submission_id)
    form = RiskAssessmentForm()
    error, code = None, 400
    if form.validate_on_submit():
        try:
            risk.record_assessment(
                submission,
                by=_me(),
                assessed_at=form.assessed_at.data,
                outcome=form.outcome.data or "",
                note=form.note.data,
                expected_version=form.version.data,
            )
            db.session.commit()
        except workflow.EditConflict as exc:
            error, code = str(exc), 409
        except risk.RiskError as exc:
            error = str(exc)
        except StaleDataError:
            db.session.rollback()
            fresh = get_submission(submission_id)
            db.session.refresh(fresh)
            error, code = str(workflow.conflict_for(fresh)), 409
        else:
            flash("Risk assessment recorded: signed off.", "success")
            return redirect(
                url_for("clinician.summary", submission_id=submission.id) + "#risk-heading"
            )
    db.session.rollback()
    submission = get_submission(submission_id)
    context = summary_context(submission)
    # A refused sign-off shows the summary as it now is, with the new version: what changed
    # (a newer call, another sign-off) is on the page before the clinician sends it again.
    return (
        render_template(
            "clinician/summary.html",
            form=_review_form(current_ruleset()),
            risk_form=_risk_form(submission, form),
            risk_error=error,
            **context,
            **course_panel(submission),
        ),
        code,
    )


@bp.get("/submissions/<int:submission_id>.pdf")
@role_required(*CLINICIAN_ROLES)
def summary_pdf(submission_id: int) -> ResponseReturnValue:
    """The summary as a PDF: the one the job worker rendered for what it shows now, sent as
    stored. Not rendered yet: the worker is asked and the page says so (202); with no worker
    to ask (``memory://``: development without ``flask worker``, the tests) or when its queue
    cannot be reached, it is rendered here rather than not at all (docs/clinician.md, "PDF")."""
    submission = get_submission(submission_id)
    ready = pdf_jobs.fetch(PdfTarget.summary(submission), submission)
    if ready is None:
        return pdf_jobs.preparing_page(
            what=submission.reference,
            download_url=url_for("clinician.summary_pdf", submission_id=submission_id),
            back_url=url_for("clinician.summary", submission_id=submission_id),
            back_to="the summary",
        )
    content, rendered_here = ready.content, ready.rendered_here
    audit.record(
        "pdf_downloaded",
        submission=submission,
        detail={"bytes": len(content), "rendered_here": rendered_here}
        | (
            {"earlier": earlier} if (earlier := [e.id for e in earlier_intakes(submission)]) else {}
        ),
    )
    # Named before the commit, which expires the submission (read after it, the whole row was
    # loaded again, both JSON documents, for its reference).
    disposition = f'inline; filename="summary-{submission.reference}.pdf"'
    db.session.commit()
    return Response(
        content, mimetype="application/pdf", headers={"Content-Disposition": disposition}
    )


def _course(form: ReviewForm) -> Course | None:
    """The planned course the form carries (None when no sessions were given)."""
    sessions = form.course_sessions.data
    if sessions is None:
        return None
    taper = form.course_taper_sessions.data
    return Course(
        sessions=int(sessions),
        taper_sessions=int(taper) if taper is not None else 0,
        protocol=form.course_protocol.data or "",
    )


@bp.get("/submissions/<int:submission_id>/fhir")
@role_required(*CLINICIAN_ROLES)
def summary_fhir(submission_id: int) -> ResponseReturnValue:
    """The submission as a FHIR Bundle (docs/fhir.md), downloaded as a file for an EHR."""
    from intake.fhir import MEDIA_TYPE
    from intake.services.fhir_export import as_json, record_bundle_read, submission_bundle

    submission = get_submission(submission_id)
    document = submission_bundle(submission)
    record_bundle_read(submission, document)
    db.session.commit()
    return Response(
        as_json(document),
        mimetype=MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="intake-{submission.reference}.fhir.json"'
        },
    )


def _field_target(form: ReviewForm, name: str) -> str:
    """The id a message about ``name`` links to: a choice list's first option (as the error
    summary macro links a radio list), a single input itself."""
    field = form[name]
    return f"{field.id}-0" if field.type in ("RadioField", "MultiCheckboxField") else field.id


@bp.post("/submissions/<int:submission_id>/review")
@role_required(*CLINICIAN_ROLES)
def review(submission_id: int) -> ResponseReturnValue:
    """Store a review (agree, or different pathways) and show the summary again."""
    submission = get_submission(submission_id)
    ruleset = current_ruleset()
    form = _review_form(ruleset)
    # The refused page's error summary lists the form's own errors, each linked to its field;
    # these are the service's, linked to the field they name (a string: the whole review).
    error: str | list[tuple[str, str]] | None = None
    if submission.partial:
        error = "A partial submission has no pathways to review: review its full submission."
    elif not form.validate_on_submit():
        pass
    else:
        try:
            record_review(
                submission,
                clinician_id=current_user.id,
                decision=form.decision.data or "",
                codes=form.pathways.data or [],
                note=form.note.data or "",
                ruleset=ruleset,
                diagnoses=form.diagnoses.data or [],
                course=_course(form),
            )
        except ReviewError as exc:
            error = [(_field_target(form, exc.field), str(exc))] if exc.field else str(exc)
        else:
            db.session.commit()
            flash("Review saved.", "success")
            return redirect(url_for("clinician.summary", submission_id=submission.id) + "#main")
    db.session.rollback()
    context = summary_context(submission)
    return (
        render_template(
            "clinician/summary.html",
            form=form,
            risk_form=_risk_form(submission),
            review_error=error,
            **context,
            **course_panel(submission),
        ),
        422,
    )
