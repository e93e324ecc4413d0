"""The front desk's insurance panel and the printable prior-authorization packet.

A save from an out-of-date page is refused with a comparison: the other person's saved values
beside the ones just typed (kept in the form). From there a save only happens by a deliberate
"Save my version over theirs", which names the version that page showed; re-sending the old
form conflicts again. "Keep their version" simply reloads the panel.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intake import pdf_jobs
from intake.auth.decorators import role_required
from intake.extensions import db
from intake.models import InsuranceVerification, Submission
from intake.models.insurance import CHECKLIST_FIELDS, TRACKING_FIELDS
from intake.pages import evaluation_of, get_submission, user_names
from intake.rules import RULESET
from intake.services import audit, card_photos
from intake.services.insurance import (
    FIELD_LABELS,
    INSURANCE_ROLES,
    PRIOR_AUTH_WORDS,
    ChecklistValues,
    InvalidVerification,
    StaleVerification,
    save_verification,
    verification_of,
)
from intake.services.pdf_cache import PdfTarget
from intake.services.prior_auth import build_packet
from intake.services.summary import build_summary
from intake.staff import bp
from intake.staff.insurance_forms import InsuranceChecklistForm

__all__ = ["INSURANCE_ROLES"]


def _typed(form: InsuranceChecklistForm) -> ChecklistValues:
    """What the form carries, trimmed as it would be stored (for comparing with a version)."""
    units = form.prior_auth_units.data
    return ChecklistValues(
        eligibility_confirmed=bool(form.eligibility_confirmed.data),
        prior_auth=form.prior_auth.data or "",
        prior_auth_reference=(form.prior_auth_reference.data or "").strip(),
        prior_auth_requested_on=form.prior_auth_requested_on.data,
        prior_auth_units=int(units) if units is not None else None,
        prior_auth_start=form.prior_auth_start.data,
        prior_auth_end=form.prior_auth_end.data,
        prior_auth_denial_reason=(form.prior_auth_denial_reason.data or "").strip(),
        appeal_on=form.appeal_on.data,
        appeal_outcome=form.appeal_outcome.data or "",
        notes=(form.notes.data or "").strip(),
    )


def _page(
    submission: Submission,
    form: InsuranceChecklistForm,
    *,
    conflict: InsuranceVerification | None = None,
    error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    if submission.partial:
        return _partial_page(submission, "insurance", status)
    record = verification_of(submission)
    names = user_names({record.updated_by_id if record else None})
    theirs = mine = None
    differing: list[str] = []
    if conflict is not None:
        names.update(user_names({conflict.updated_by_id}))
        theirs, mine = ChecklistValues.of(conflict), _typed(form)
        differing = theirs.differing(mine)
    return (
        render_template(
            "staff/insurance.html",
            submission=submission,
            summary=build_summary(submission.answers, evaluation_of(submission), RULESET),
            record=record,
            form=form,
            conflict=conflict,
            theirs=theirs,
            mine=mine,
            differing=differing,
            fields=CHECKLIST_FIELDS,
            tracking_fields=TRACKING_FIELDS,
            labels=FIELD_LABELS,
            error=error,
            card_photos=card_photos.photos_of_submission(submission.id),
            names=names,
            prior_auth_words=PRIOR_AUTH_WORDS,
        ),
        status,
    )


def _partial_page(submission: Submission, page: str, status: int = 200) -> ResponseReturnValue:
    """The insurance panel or packet of a partial submission: what the patient answered about
    insurance (usually nothing yet), no checklist: it is checked on the full submission."""
    return (
        render_template("staff/insurance_partial.html", s=submission, page=page),
        status,
    )


def _prepare_packet_pdf(submission: Submission) -> None:
    """The insurance panel and the packet link to the packet's PDF: opening either asks the
    worker for the PDF of what the packet shows now (a partial submission has none)."""
    if not submission.partial:
        pdf_jobs.prepare(PdfTarget.prior_auth(submission), submission)


@bp.get("/submissions/<int:submission_id>/insurance")
@role_required(*INSURANCE_ROLES)
def insurance(submission_id: int) -> ResponseReturnValue:
    """What the patient entered, the verification checklist, and the rules' coverage checklist."""
    submission = get_submission(submission_id)
    record = verification_of(submission)
    values = ChecklistValues.of(record)
    form = InsuranceChecklistForm(
        data={"version": record.version if record else 0}
        | {name: getattr(values, name) for name in CHECKLIST_FIELDS}
    )
    audit.record("submission_viewed", submission=submission, detail={"page": "insurance"})
    db.session.commit()
    page = _page(submission, form)
    _prepare_packet_pdf(submission)
    return page


@bp.get("/submissions/<int:submission_id>/insurance/photo/<any(front, back):side>")
@role_required(*INSURANCE_ROLES)
def card_photo(submission_id: int, side: str) -> ResponseReturnValue:
    """One side of the insurance card (a cleaned JPEG from the photo store), never cached,
    each view audited."""
    submission = get_submission(submission_id)
    photo = card_photos.photos_of_submission(submission.id).get(side)
    if photo is None:
        abort(404)
    try:
        data = card_photos.store().get(photo.storage_key)
    except Exception:
        abort(404)
    audit.record("card_photo_viewed", submission=submission, detail={"side": side})
    db.session.commit()
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = f'inline; filename="card-{side}.jpg"'
    return response


@bp.post("/submissions/<int:submission_id>/insurance")
@role_required(*INSURANCE_ROLES)
def save_insurance(submission_id: int) -> ResponseReturnValue:
    """Save the checklist unless someone else saved it since the version this save is based on.

    A plain save is based on ``version`` (the page as loaded); "Save my version over theirs" is
    based on ``seen_version`` (the other person's version, which the conflict page showed).
    """
    submission = get_submission(submission_id)
    if submission.partial:
        return _partial_page(submission, "insurance", 409)
    form = InsuranceChecklistForm()
    if not form.validate_on_submit():
        error = "; ".join(e for errors in form.errors.values() for e in errors)
        return _page(submission, form, error=error, status=422)
    save_over = bool(form.save_over.data)
    based_on = form.seen_version.data if save_over else form.version.data
    if based_on is None:
        return _page(submission, form, error="Reload the page and try again.", status=422)
    try:
        save_verification(
            submission,
            _typed(form),
            expected_version=based_on,
            user_id=current_user.id,
            saving_over=save_over,
        )
    except StaleVerification as exc:
        db.session.rollback()
        current = exc.current
        # ``version`` keeps what was posted, so the same form sent again conflicts again;
        # only the explicit "save over" button uses the version shown now.
        form.seen_version.data = current.version
        form.seen_version.raw_data = None  # else the field renders what was posted
        audit.record(
            "insurance_conflict",
            submission=submission,
            detail={"based_on": based_on, "current_version": current.version},
        )
        db.session.commit()
        return _page(submission, form, conflict=current, status=409)
    except InvalidVerification as exc:
        db.session.rollback()
        return _page(submission, form, error=str(exc), status=422)
    db.session.commit()
    if save_over:
        flash(
            f"Your version was saved over version {based_on}, "
            "which stays in the insurance history on the submission page.",
            "success",
        )
    else:
        flash("Insurance checklist saved.", "success")
    return redirect(url_for("staff.insurance", submission_id=submission.id))


@bp.get("/submissions/<int:submission_id>/prior-auth")
@role_required(*INSURANCE_ROLES)
def prior_auth(submission_id: int) -> ResponseReturnValue:
    """The prior-authorization packet: what a payer asks for, with what is still missing."""
    submission = get_submission(submission_id)
    audit.record("prior_auth_printed", submission=submission)
    db.session.commit()
    if submission.partial:
        return _partial_page(submission, "prior_auth")
    page = render_template(
        "staff/insurance_prior_auth.html",
        packet=build_packet(submission, evaluation_of(submission)),
        prior_auth_words=PRIOR_AUTH_WORDS,
    )
    _prepare_packet_pdf(submission)
    return page


@bp.get("/submissions/<int:submission_id>/prior-auth.pdf")
@role_required(*INSURANCE_ROLES)
def prior_auth_pdf(submission_id: int) -> ResponseReturnValue:
    """The same packet as a PDF on Letter paper: the one the job worker rendered for what it
    shows now, sent as stored; not rendered yet, the worker is asked and the page says so
    (202); with no worker to ask, rendered here (``intake.pdf_jobs``; docs/staff.md)."""
    submission = get_submission(submission_id)
    if submission.partial:
        audit.record("prior_auth_printed", submission=submission)
        db.session.commit()
        return _partial_page(submission, "prior_auth")
    ready = pdf_jobs.fetch(PdfTarget.prior_auth(submission), submission)
    if ready is None:
        return pdf_jobs.preparing_page(
            what=f"the prior-authorization packet of {submission.reference}",
            download_url=url_for("staff.prior_auth_pdf", submission_id=submission_id),
            back_url=url_for("staff.prior_auth", submission_id=submission_id),
            back_to="the packet",
        )
    pdf = ready.content
    audit.record("prior_auth_pdf_downloaded", submission=submission, detail={"bytes": len(pdf)})
    # Named before the commit, which expires the submission (after it, the row was read again).
    disposition = f'attachment; filename="prior-auth-{submission.reference}.pdf"'
    db.session.commit()
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": disposition})
