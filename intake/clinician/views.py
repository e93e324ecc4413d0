"""The pathway summary (HTML and PDF) and the clinician's review."""

from __future__ import annotations

from typing import cast

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intake.auth.decorators import role_required
from intake.clinician import bp
from intake.clinician.forms import ReviewForm
from intake.extensions import db
from intake.models import Submission
from intake.pages import evaluation_of, get_submission, user_names
from intake.rules import RULESET, Ruleset
from intake.services import audit
from intake.services.reviews import (
    ReviewError,
    pathway_choices,
    record_review,
    reviews_of,
)
from intake.services.summary import (
    Reevaluation,
    build_partial_summary,
    build_summary,
    reevaluate,
)

#: Who may read summaries and record reviews (docs/clinician.md, "Decisions").
CLINICIAN_ROLES = ("clinician",)


def current_ruleset() -> Ruleset:
    """The ruleset new evaluations use; re-evaluations compare against it."""
    return RULESET


def _context(submission: Submission) -> dict[str, object]:
    ruleset = current_ruleset()
    reviews = reviews_of(submission)
    names = user_names({r.clinician_id for r in reviews})
    review = reviews[0] if reviews else None
    if submission.partial:
        # Sent from the support page before the form was finished: its own summary (what was
        # answered, the screening flags); no pathways to re-evaluate (docs/staff.md).
        summary: object = build_partial_summary(submission.answers, evaluation_of(submission))
        reevaluation = None
    else:
        summary = build_summary(submission.answers, evaluation_of(submission), ruleset)
        reevaluation = reevaluate(submission.answers, evaluation_of(submission), ruleset)
    return {
        "submission": submission,
        "summary": summary,
        "reevaluation": reevaluation,
        "review": review,
        "reviewer": names.get(review.clinician_id) if review else None,
        "reviews": reviews,
        "reviewers": names,
        "titles": dict(pathway_choices(ruleset)),
    }


def _review_form(ruleset: Ruleset) -> ReviewForm:
    form = ReviewForm()
    form.pathways.choices = {code: f"{title} ({code})" for code, title in pathway_choices(ruleset)}
    return form


def _audit_view(submission: Submission, context: dict[str, object], page: str) -> None:
    audit.record("submission_viewed", submission=submission, detail={"page": page})
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
    context = _context(submission)
    _audit_view(submission, context, "clinician_summary")
    db.session.commit()
    return render_template(
        "clinician/summary.html", form=_review_form(current_ruleset()), **context
    )


@bp.get("/submissions/<int:submission_id>.pdf")
@role_required(*CLINICIAN_ROLES)
def summary_pdf(submission_id: int) -> ResponseReturnValue:
    """The same summary as a PDF, rendered offline by WeasyPrint."""
    from intake.services.pdf import html_to_pdf

    submission = get_submission(submission_id)
    context = _context(submission)
    html = render_template("clinician/summary_pdf.html", **context)
    pdf = html_to_pdf(html, base_url=request.host_url, static_folder=str(current_app.static_folder))
    audit.record("pdf_downloaded", submission=submission, detail={"bytes": len(pdf)})
    db.session.commit()
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="summary-{submission.reference}.pdf"'},
    )


@bp.post("/submissions/<int:submission_id>/review")
@role_required(*CLINICIAN_ROLES)
def review(submission_id: int) -> ResponseReturnValue:
    """Store a review (agree, or different pathways) and show the summary again."""
    submission = get_submission(submission_id)
    ruleset = current_ruleset()
    form = _review_form(ruleset)
    error = None
    if submission.partial:
        error = "A partial submission has no pathways to review: review its full submission."
    elif not form.validate_on_submit():
        error = "; ".join(e for errors in form.errors.values() for e in errors)
    else:
        try:
            record_review(
                submission,
                clinician_id=current_user.id,
                decision=form.decision.data or "",
                codes=form.pathways.data or [],
                note=form.note.data or "",
                ruleset=ruleset,
            )
        except ReviewError as exc:
            error = str(exc)
        else:
            db.session.commit()
            flash("Review saved.", "success")
            return redirect(url_for("clinician.summary", submission_id=submission.id))
    db.session.rollback()
    context = _context(submission)
    return (
        render_template("clinician/summary.html", form=form, review_error=error, **context),
        422,
    )
