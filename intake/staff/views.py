"""Front-desk routes: the queue, one submission, and the workflow actions on it.

Searching by last name, reference or date of birth is patient data, so the queue's filter form
is POSTed and the search term never appears in a URL (nor is it stored in the session cookie).
Pages of a filtered list are POSTed too, carrying the filters in hidden fields.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from intake.auth.decorators import role_required
from intake.extensions import db
from intake.forms.base import BaseForm
from intake.models import Note, Submission, User
from intake.services import audit, courses, patients, reviews, risk, workflow
from intake.services import queue as qs
from intake.services.insurance import PRIOR_AUTH_WORDS
from intake.staff import bp, live
from intake.staff.filters import QueueFilterForm, audit_filters
from intake.staff.forms import AssignForm, ContactAttemptForm, NoteForm, StatusForm, choices
from intake.staff.insurance_history import history_panel
from intake.staff.queue_rows import queue_rows

QUEUE_ROLES = ("front_desk", "clinician")


class _StatusLabels(dict[str, str]):
    """``workflow.STATUSES`` for a lookup per line; an unknown status shows as its code."""

    def __missing__(self, status: str) -> str:
        return status


STATUS_LABELS = _StatusLabels(workflow.STATUSES)
#: How many times a contact attempt is tried again when the submission changed at that moment.
CONTACT_RETRIES = 3


@bp.app_context_processor
def staff_header() -> dict[str, object]:
    """The workflow's words and times for staff pages (the urgent figure: ``staff.live``)."""
    return {
        "status_label": lambda s: workflow.STATUSES.get(s, s),
        "status_labels": STATUS_LABELS,
        "format_time": workflow.format_time,
        "waited": qs.waited,
        "phq9_band": qs.phq9_band,
        "pathway_titles": qs.pathway_titles,
        "prior_auth_labels": PRIOR_AUTH_WORDS,
        "queue_rows": queue_rows,
    }


def _me() -> User:
    return current_user._get_current_object()


@bp.route("/", methods=["GET", "POST"])
@role_required(*QUEUE_ROLES)
def queue() -> ResponseReturnValue:
    # Identifying search terms are only accepted in a POST body, never from a URL.
    if request.method == "POST":
        form = QueueFilterForm.read(request.form)
    else:
        form = QueueFilterForm.read(request.args, allow_search=False)
    filters = form.filters(viewer_id=_me().id)
    # Unfiltered, the pinned rows are the header's unacknowledged urgent ones: its count (one
    # statement the header sends anyway) is theirs, so they are not counted twice.
    header = None if filters.active else live.urgent_header()
    pinned = qs.pinned(filters, total=header.unacknowledged if header else None)
    page = qs.listing(filters, pinned_total=pinned.total)
    # Urgent check-ins of courses of care, pinned above the queue whatever its filters.
    checkins = courses.urgent_open_checkins()
    html = render_template(
        "staff/queue.html",
        form=form,
        filters=filters,
        pinned=pinned,
        page=page,
        sorts=qs.SORTS,
        urgent_checkins=checkins,
        urgent_list_limit=courses.URGENT_LIST_LIMIT,
    )
    # Each page shows names and dates of birth: a view of patient data, recorded with what was
    # shown and how many matched, never the search term. Recorded after rendering, because the
    # commit expires the loaded rows; the page is only sent once its view is on record.
    matching = {"matching": int(pinned.total) + int(page.total)}
    if pinned.total.more or page.total.more:
        matching["matching_more_than"] = True  # a count stops at its cap (qs.count_cap)
    audit.record(
        "queue_viewed",
        detail={
            "page": page.page,
            "shown": len(pinned.rows) + len(page.items),
            **matching,
            "filters": audit_filters(filters),
            **({"checkins_shown": [c.id for c in checkins]} if checkins else {}),
        },
    )
    db.session.commit()
    return html


def _load(submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    return submission


def _render_submission(
    submission: Submission,
    *,
    status_form: StatusForm | None = None,
    contact_form: ContactAttemptForm | None = None,
    note_form: NoteForm | None = None,
    assign_form: AssignForm | None = None,
    error: str | None = None,
    code: int = 200,
) -> ResponseReturnValue:
    # First: it commits its audit event, which would expire whatever is loaded before it.
    insurance_history = history_panel(submission, _me())
    status_form = status_form or StatusForm(formdata=None, version=submission.version)
    status_form.to_status.choices = choices(
        {s: workflow.STATUSES[s] for s in workflow.allowed_transitions(submission.status)}
    )
    status_form.version.data = submission.version
    assign_form = assign_form or AssignForm(
        formdata=None, assignee=str(submission.assigned_to_id or "")
    )
    assign_form.assignee.choices = _assignee_choices()
    assign_form.version.data = submission.version
    me = _me()
    return render_template(
        "staff/submission.html",
        s=submission,
        a=submission.answers or {},
        ev=submission.evaluation or {},
        history=submission.status_history,
        notes=submission.notes,
        updated_by=submission.updated_by,
        editable={n.id for n in submission.notes if workflow.note_editable(n, me)},
        status_form=status_form,
        contact_form=contact_form or ContactAttemptForm(formdata=None),
        note_form=note_form or NoteForm(formdata=None),
        assign_form=assign_form,
        review=_latest_review(submission),
        matches=_matches(submission),
        linked=patients.linked_match(submission) is not None,
        earlier=patients.earlier_intakes(submission),
        patient_courses=courses.courses_from(submission),
        insurance_history=insurance_history,
        error=error,
    ), code


@bp.get("/submissions/<int:submission_id>")
@role_required(*QUEUE_ROLES)
def submission(submission_id: int) -> ResponseReturnValue:
    s = _load(submission_id)
    # The page also names the earlier patients it may be (their name, birth date, reference):
    # recorded too, as those submissions are shown.
    shown = sorted({m.candidate_id for m in patients.suggestions(s)})
    earlier = [e.id for e in patients.earlier_intakes(s)]
    detail = ({"matches_shown": shown} if shown else {}) | (
        {"earlier_shown": earlier} if earlier else {}
    )
    audit.record("submission_viewed", submission=s, detail=detail or None)
    db.session.commit()
    return _render_submission(s)


@bp.post("/submissions/<int:submission_id>/status")
@role_required(*QUEUE_ROLES)
def change_status(submission_id: int) -> ResponseReturnValue:
    s = _load(submission_id)
    form = StatusForm()
    form.to_status.choices = choices(workflow.STATUSES)
    if not form.validate_on_submit():
        return _render_submission(s, status_form=form, code=400)
    try:
        workflow.change_status(
            s, form.to_status.data or "", by=_me(), expected_version=form.version.data
        )
        db.session.commit()
    except workflow.EditConflict as exc:
        db.session.rollback()
        return _render_submission(_load(submission_id), error=str(exc), code=409)
    except workflow.InvalidTransition as exc:
        db.session.rollback()
        return _render_submission(_load(submission_id), error=str(exc), code=400)
    except StaleDataError:
        db.session.rollback()
        fresh = _load(submission_id)
        db.session.refresh(fresh)
        return _render_submission(fresh, error=str(workflow.conflict_for(fresh)), code=409)
    flash(f"Status changed to {workflow.STATUSES[s.status]}.", "success")
    return redirect(url_for("staff.submission", submission_id=s.id) + "#main")


def _latest_review(submission: Submission) -> dict[str, object] | None:
    """The clinician's latest review as the front desk reads it: the decision, the pathways
    by title, who and when, the note."""
    found = reviews.reviews_of(submission)
    if not found:
        return None
    review = found[0]
    reviewer = db.session.get(User, review.clinician_id) if review.clinician_id else None
    titles = qs.pathway_titles()
    return {
        "decision": review.decision,
        "pathways": [titles.get(code, code) for code in review.pathway_codes],
        "by": reviewer.email if reviewer else "a clinician",
        "at": review.created_at,
        "note": review.note,
    }


def _matches(submission: Submission) -> list[dict[str, object]]:
    """The returning-patient suggestions of ``submission`` with what the front desk compares:
    the earlier submission's reference, name, date of birth and when it came."""
    found = patients.suggestions(submission)
    candidates = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Submission).where(Submission.id.in_([m.candidate_id for m in found]))
        )
    }
    return [
        {"match": m, "candidate": candidates[m.candidate_id]}
        for m in found
        if m.candidate_id in candidates
    ]


MATCH_ACTIONS = {"confirm": patients.confirm, "reject": patients.reject, "undo": patients.undo}
MATCH_DONE = {
    "confirm": "Linked: the same patient's intakes are now one record.",
    "reject": "Recorded: not the same patient.",
    "undo": "Link undone: the intakes are separate records again.",
}


@bp.post(
    "/submissions/<int:submission_id>/matches/<int:match_id>/<any(confirm, reject, undo):action>"
)
@role_required("front_desk")
def decide_match(submission_id: int, match_id: int, action: str) -> ResponseReturnValue:
    """The front desk's answer to "is this the same patient?" (docs/staff.md)."""
    s = _load(submission_id)
    form = BaseForm()
    if not form.validate_on_submit():
        return _render_submission(s, error="This form had expired. Please try again.", code=400)
    try:
        MATCH_ACTIONS[action](s, match_id, by=_me())
        db.session.commit()
    except patients.MatchError as exc:
        db.session.rollback()
        return _render_submission(_load(submission_id), error=str(exc), code=409)
    flash(MATCH_DONE[action], "success")
    return redirect(url_for("staff.submission", submission_id=s.id) + "#patient-record")


def _assignee_choices() -> list[SelectChoice]:
    return choices({"": "Nobody", **{str(u.id): u.email for u in workflow.assignable_staff()}})


@bp.post("/submissions/<int:submission_id>/assign")
@role_required(*QUEUE_ROLES)
def assign(submission_id: int) -> ResponseReturnValue:
    """Assign the submission to a colleague (or to nobody), against the version shown."""
    s = _load(submission_id)
    form = AssignForm()
    form.assignee.choices = _assignee_choices()
    if not form.validate_on_submit():
        return _render_submission(s, assign_form=form, code=400)
    chosen = int(form.assignee.data) if form.assignee.data else None
    try:
        assignee = workflow.assign(s, chosen, by=_me(), expected_version=form.version.data)
        db.session.commit()
    except workflow.EditConflict as exc:
        db.session.rollback()
        return _render_submission(_load(submission_id), error=str(exc), code=409)
    except workflow.WorkflowError as exc:
        db.session.rollback()
        form.assignee.errors = [str(exc)]
        return _render_submission(_load(submission_id), assign_form=form, code=400)
    except StaleDataError:
        db.session.rollback()
        fresh = _load(submission_id)
        db.session.refresh(fresh)
        return _render_submission(fresh, error=str(workflow.conflict_for(fresh)), code=409)
    flash(f"Assigned to {assignee.email}." if assignee else "Assigned to nobody.", "success")
    return redirect(url_for("staff.submission", submission_id=s.id) + "#workflow-heading")


@bp.post("/submissions/<int:submission_id>/contact-attempts")
@role_required(*QUEUE_ROLES)
def record_contact_attempt(submission_id: int) -> ResponseReturnValue:
    """A call to the patient of an urgent submission; the first one acknowledges it."""
    s = _load(submission_id)
    form = ContactAttemptForm()
    if not form.validate_on_submit():
        return _render_submission(s, contact_form=form, code=400)
    # An attempt only adds a record, so when someone else changed the submission at the same
    # moment it is safe to try again on fresh data, a few times.
    for _attempt in range(CONTACT_RETRIES):
        try:
            risk.record_contact_attempt(
                s, by=_me(), outcome=form.outcome.data or "", note=form.note.data
            )
            db.session.commit()
            break
        except risk.RiskError as exc:
            db.session.rollback()
            form.note.errors = [*form.note.errors, str(exc)]
            return _render_submission(_load(submission_id), contact_form=form, code=400)
        except StaleDataError:
            db.session.rollback()
            s = _load(submission_id)
            db.session.refresh(s)
    else:
        form.note.errors = [
            *form.note.errors,
            "Not saved: others kept changing this submission. Please check it and try again.",
        ]
        return _render_submission(s, contact_form=form, code=409)
    flash("Contact attempt recorded.", "success")
    return redirect(url_for("staff.submission", submission_id=s.id) + "#risk")


@bp.post("/submissions/<int:submission_id>/notes")
@role_required(*QUEUE_ROLES)
def add_note(submission_id: int) -> ResponseReturnValue:
    s = _load(submission_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_submission(s, note_form=form, code=400)
    workflow.add_note(s, by=_me(), body=form.body.data or "")
    db.session.commit()
    flash("Note added.", "success")
    return redirect(url_for("staff.submission", submission_id=s.id) + "#notes")


@bp.route("/submissions/<int:submission_id>/notes/<int:note_id>", methods=["GET", "POST"])
@role_required(*QUEUE_ROLES)
def edit_note(submission_id: int, note_id: int) -> ResponseReturnValue:
    s = _load(submission_id)
    note = db.session.get(Note, note_id)
    if note is None or note.submission_id != s.id:
        abort(404)
    form = NoteForm(obj=note) if request.method == "GET" else NoteForm()
    error = None
    if not workflow.note_editable(note, _me()):
        error = (
            "Only the author can edit a note, for 10 minutes after writing it. "
            "Add a new note with the correction instead."
        )
        return render_template("staff/note_edit.html", s=s, note=note, form=form, error=error), (
            400 if request.method == "POST" else 200
        )
    if form.validate_on_submit():
        try:
            workflow.edit_note(note, by=_me(), body=form.body.data or "")
            db.session.commit()
        except workflow.WorkflowError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            flash("Note saved.", "success")
            return redirect(url_for("staff.submission", submission_id=s.id) + "#notes")
    return render_template("staff/note_edit.html", s=s, note=note, form=form, error=error)
