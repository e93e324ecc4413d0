"""The front desk's insurance panel and the printable prior-authorization packet."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from intake.auth.decorators import role_required
from intake.clinician import insurance_bp as bp
from intake.clinician.common import get_submission, user_names
from intake.clinician.forms import InsuranceForm
from intake.extensions import db
from intake.models import InsuranceVerification, Submission
from intake.rules import RULESET
from intake.services import audit
from intake.services.insurance import (
    PRIOR_AUTH_WORDS,
    InvalidVerification,
    StaleVerification,
    save_verification,
    verification_of,
)
from intake.services.summary import build_summary

#: Who works the insurance panel and the packet (docs/clinician.md, "Decisions").
INSURANCE_ROLES = ("front_desk",)


def _page(
    submission: Submission,
    form: InsuranceForm,
    *,
    conflict: InsuranceVerification | None = None,
    error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    record = verification_of(submission)
    names = user_names({record.updated_by_id if record else None})
    if conflict is not None:
        names.update(user_names({conflict.updated_by_id}))
    return (
        render_template(
            "staff/insurance.html",
            submission=submission,
            summary=build_summary(submission.answers, submission.evaluation, RULESET),
            record=record,
            form=form,
            conflict=conflict,
            error=error,
            names=names,
            prior_auth_words=PRIOR_AUTH_WORDS,
        ),
        status,
    )


@bp.get("/submissions/<int:submission_id>/insurance")
@role_required(*INSURANCE_ROLES)
def insurance(submission_id: int) -> ResponseReturnValue:
    """What the patient entered, the verification checklist, and the rules' coverage checklist."""
    submission = get_submission(submission_id)
    record = verification_of(submission)
    form = InsuranceForm(
        data={
            "version": record.version if record else 0,
            "eligibility_confirmed": record.eligibility_confirmed if record else False,
            "prior_auth": record.prior_auth if record else "unknown",
            "notes": record.notes if record else "",
        }
    )
    audit.record("submission_viewed", submission=submission, detail={"page": "insurance"})
    db.session.commit()
    return _page(submission, form)


@bp.post("/submissions/<int:submission_id>/insurance")
@role_required(*INSURANCE_ROLES)
def save_insurance(submission_id: int) -> ResponseReturnValue:
    """Save the checklist unless someone else saved it since this page was loaded."""
    submission = get_submission(submission_id)
    form = InsuranceForm()
    if not form.validate_on_submit():
        error = "; ".join(e for errors in form.errors.values() for e in errors)
        return _page(submission, form, error=error, status=422)
    try:
        record = save_verification(
            submission,
            expected_version=form.version.data,
            eligibility_confirmed=form.eligibility_confirmed.data,
            prior_auth=form.prior_auth.data,
            notes=form.notes.data or "",
            user_id=current_user.id,
        )
    except StaleVerification as exc:
        db.session.rollback()
        # The page shows their saved version; a save from it is based on that version.
        form.version.data = exc.current.version
        form.version.raw_data = None  # else the field renders the stale value that was posted
        return _page(submission, form, conflict=exc.current, status=409)
    except InvalidVerification as exc:
        db.session.rollback()
        return _page(submission, form, error=str(exc), status=422)
    audit.record(
        "insurance_updated",
        submission=submission,
        detail={
            "eligibility_confirmed": record.eligibility_confirmed,
            "prior_auth": record.prior_auth,
            "version": record.version,
        },
    )
    db.session.commit()
    flash("Insurance checklist saved.", "success")
    return redirect(url_for("insurance.insurance", submission_id=submission.id))


@bp.get("/submissions/<int:submission_id>/prior-auth")
@role_required(*INSURANCE_ROLES)
def prior_auth(submission_id: int) -> ResponseReturnValue:
    """The printable prior-authorization packet."""
    submission = get_submission(submission_id)
    audit.record("prior_auth_printed", submission=submission)
    db.session.commit()
    return render_template(
        "staff/insurance_prior_auth.html",
        submission=submission,
        summary=build_summary(submission.answers, submission.evaluation, RULESET),
        record=verification_of(submission),
        prior_auth_words=PRIOR_AUTH_WORDS,
    )
