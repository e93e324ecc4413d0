"""Patient routes. Views stay thin: forms validate, ``wizard`` builds, ``services.drafts`` stores,
the view commits (once per request).

| URL | what |
|---|---|
| ``GET /`` | start page |
| ``POST /intake/start`` | start a new draft, go to the first step |
| ``GET|POST /intake/step/<step>`` | one wizard step (``STEP_NAMES``), the last is ``review`` |
| ``GET /intake/support`` | crisis support, shown right after a positive ASQ or PHQ-9 item 9 |
| ``POST /intake/support/send`` | send the answers so far as an urgent partial submission |
| ``GET /intake/support/sent`` | what was sent from the support page, crisis numbers, continue |
| ``GET|POST /resume`` | reopen a draft with its resume code and date of birth |
| ``GET /intake/done`` | confirmation: reference, next steps, educational summary (briefly) |
| ``GET /intake/done/print`` | the same, laid out for printing |
| ``POST /intake/finish`` | end this browser's patient session after sending |
| ``GET /intake/saved/hidden`` | clinic device: the saved page once the code is off the screen |

URLs carry no patient data. The session holds only ``draft_id`` and when this browser was last
active on the form: after ``PATIENT_IDLE_TIMEOUT`` without activity the browser forgets the
draft (a shared or clinic device must not show the last person's form to the next one); the
draft itself stays and reopens with its resume code and date of birth.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from sqlalchemy.orm.exc import StaleDataError

from intake import formats
from intake.clinic import follow_up
from intake.extensions import db, limiter
from intake.forms.patient import STEP_FORMS, STEP_NAMES, ResumeForm
from intake.i18n import gettext
from intake.images import MAX_BYTES, MAX_BYTES_LABEL, PhotoRefused, clean_photo, read_limited
from intake.models import Draft, Submission
from intake.patient import bp, device, language, wizard
from intake.services import card_photos, drafts, settings

SESSION_KEY = "draft_id"
SEEN_KEY = "draft_seen_at"
CLOSED_KEY = "draft_closed_idle"
#: When this browser first opened its confirmation (epoch seconds); see ``_confirmation``.
DONE_SHOWN_KEY = "done_shown_at"
FINISHED_KEY = "finished"
STEP_ACTIONS = ("next", "back", "save")
#: "Change" on the review page opens a step with ``?from=review`` (not patient data); the step
#: form carries it on as a hidden ``from`` field (through a 422 or 409 page, added or removed
#: rows and photos), and Next then goes back to the review instead of the following step.
RETURN_KEY = "from"
RETURN_TO = "review"
#: The hidden field with the fingerprint of the step's stored answers the page was drawn from
#: (``drafts.step_fingerprint``): a post drawn before the same step was saved elsewhere is
#: refused (409) instead of overwriting that change.
DRAWN_KEY = "drawn_from"
#: The idle clock's step (seconds): it moves, and the cookie is written, at most once a minute,
#: so most requests send no cookie (no re-signing; no stale copy to race another request).
SEEN_STEP = 60


PHOTO_STEP = "insurance"
PHOTO_FIELDS = {"front": "card_front", "back": "card_back"}
#: The insurance step's request may carry two photos; every other request keeps the app's limit.
PHOTO_REQUEST_LIMIT = 2 * MAX_BYTES + 512 * 1024


@bp.url_value_preprocessor
def allow_photo_uploads(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Raise the body limit for the insurance step only (runs before CSRF reads the form)."""
    if endpoint == "patient.step" and values and values.get("step") == PHOTO_STEP:
        request.max_content_length = PHOTO_REQUEST_LIMIT


@bp.before_request
def forget_idle_draft() -> None:
    """Forget this browser's draft after a while without activity; note it for the start page."""
    if SESSION_KEY not in session:
        return
    now = int(time.time())
    if SEEN_KEY not in session:
        session[SEEN_KEY] = now
        return
    idle = now - int(session[SEEN_KEY])
    if idle > current_app.config["PATIENT_IDLE_TIMEOUT"].total_seconds():
        session.pop(SESSION_KEY, None)
        session.pop(SEEN_KEY, None)
        session[CLOSED_KEY] = True
    elif idle >= SEEN_STEP:
        session[SEEN_KEY] = now


@bp.get("/")
def start() -> ResponseReturnValue:
    """What the intake is, how long it takes, and that it is not for emergencies."""
    draft = _session_draft()
    active = draft is not None and draft.submission_id is None and not drafts.is_expired(draft)
    closed_idle = session.pop(CLOSED_KEY, False)
    finished = session.pop(FINISHED_KEY, False)
    thanks = thanks_lang = None
    if finished:
        # The thank-you after "Finish" is in the language the patient used; the page around it
        # is the session's (the next person on the device starts in the default language, as
        # on the tablet, and the switch says so truly). An older session's ``True``: the page's.
        thanks_lang = str(finished) if finished in language.LOCALES else language.page_language()
        with force_locale(thanks_lang):
            thanks = gettext(
                "Thank you. Your answers were sent to the clinic, and this device no longer "
                "shows them."
            )
    return render_template(
        "patient/start.html",
        has_draft=active,
        closed_idle=closed_idle,
        thanks=thanks,
        thanks_lang=thanks_lang,
    )


@bp.post("/intake/start")
def begin() -> ResponseReturnValue:
    """Start a new intake (a new person on this device gets a fresh draft)."""
    draft = drafts.create_draft()
    chosen = session.get(language.SESSION_LANG)
    if chosen in language.LOCALES:
        drafts.set_language(draft, str(chosen))  # the switch, pressed before starting
    draft_id = draft.id
    db.session.commit()
    session.pop(SESSION_KEY, None)
    session[SESSION_KEY] = draft_id
    session[SEEN_KEY] = int(time.time())
    return redirect(url_for("patient.step", step=STEP_NAMES[0]))


def _session_draft() -> Draft | None:
    return drafts.get_draft(session.get(SESSION_KEY))


def _current_draft() -> Draft | ResponseReturnValue:
    """The session's draft, or the response to send instead (start, expired, or done)."""
    draft = _session_draft()
    if draft is None:
        return redirect(url_for("patient.start"))
    if draft.submission_id is not None:
        return redirect(url_for("patient.done"))
    if drafts.is_expired(draft):
        session.pop(SESSION_KEY, None)
        return render_template("patient/expired.html"), 410
    return draft


def _step_context(draft: Draft, step: str, form: object, **extra: object) -> dict[str, object]:
    index = STEP_NAMES.index(step)
    return {
        "draft": draft,
        "step": step,
        "form": form,
        "step_number": index + 1,
        "step_count": len(STEP_NAMES),
        "steps": STEP_NAMES,
        "step_titles": {name: STEP_FORMS[name].title for name in STEP_NAMES},
        "resume_code": drafts.display_code(draft.resume_code),
        **extra,
    }


def _render_step(draft: Draft, step: str, form: object, status: int = 200, **extra: object):
    template = "patient/review.html" if step == "review" else "patient/step.html"
    if step == PHOTO_STEP:
        extra.setdefault("photos", card_photos.photos_of_draft(draft))
        extra.setdefault("photo_errors", {})
        extra["photo_fields"] = PHOTO_FIELDS
        extra["photo_max_label"] = MAX_BYTES_LABEL
    if device.is_clinic_device():
        device.without_autofill(form)
    if step == "review":
        extra.setdefault("built", wizard.review_sections(draft))
    extra.setdefault("returning", _returning())
    extra.setdefault("drawn_from", _drawn_from(draft, step))
    return render_template(template, **_step_context(draft, step, form, **extra)), status


@bp.route("/intake/step/<step>", methods=["GET", "POST"])
def step(step: str) -> ResponseReturnValue:
    """Show a step (refilled from the draft) or handle its buttons.

    Next validates in full; Back, "Save and finish later" and adding or removing a row validate
    only what was typed (missing answers are fine, malformed ones are not). Nothing is stored
    from a page with errors; the page comes back with every error and everything typed.
    A page drawn before this step was saved elsewhere (another tab) is not stored: it comes
    back (409) with what is stored now. Opened from the review ("Change"), Next goes back there.
    """
    if step not in STEP_FORMS:
        abort(404)
    draft = _current_draft()
    if not isinstance(draft, Draft):
        return draft
    if request.method == "GET":
        return _render_step(draft, step, wizard.load_form(draft, step))
    action = request.form.get("action", "next")
    if step == "review" and action not in ("back", "save"):
        return _submit(draft)
    drawn = request.form.get(DRAWN_KEY)
    # The review's Back and "Save and finish later" store only its own consent answers.
    checked = drawn is not None and step != "review"
    current = drafts.step_fingerprint(draft, step) if checked else None
    if current is not None and drawn != current:
        again = _posted_again(draft, step, action)
        if again is not None:
            return again
        # This step was saved elsewhere after the page was drawn: storing it would silently
        # undo that change. Show what is stored now (nothing of this post is kept, no photo).
        form = wizard.load_form(draft, step)
        return _render_step(draft, step, form, 409, stale=True, drawn_from=current)
    returning = _returning()
    removing = None
    if step == PHOTO_STEP and action in ("remove_photo-front", "remove_photo-back"):
        # "Remove the photo": keeps what was typed (checked as Back does), then this page again.
        removing, action = action.rsplit("-", 1)[1], "save"
    form = wizard.form_class(draft, step)()
    repeating = getattr(form, "repeating", None)
    row_action = repeating and (action == "add_row" or action.startswith("remove_row-"))
    if action not in STEP_ACTIONS and not row_action:
        action = "next"
    cleaned: dict[str, Any] = {}
    photo_errors: dict[str, str] = {}
    if step == PHOTO_STEP:
        cleaned, photo_errors = _read_photos()
    valid = form.validate_step(partial=action != "next", formdata=request.form)
    if not valid or photo_errors:
        if photo_errors:
            return _render_step(draft, step, form, 422, photo_errors=photo_errors)
        # A positive answer on a page with other problems: crisis support comes first, above
        # the errors, instead of waiting until the page is complete.
        crisis_now = wizard.needs_crisis_page(step, form)
        acute = crisis_now and wizard.is_acute(draft, step, form)
        return _render_step(draft, step, form, 422, crisis_now=crisis_now, acute=acute)
    if row_action:
        _change_rows(form, str(repeating), action)
    stored: list[str | None] = []
    replaced: list[str | None] = []
    try:
        for side, photo in cleaned.items():
            stored.append(card_photos.put_file(photo))
            replaced.append(card_photos.attach_to_draft(draft, side, str(stored[-1]), photo))
        if removing is not None:
            replaced.append(card_photos.remove_from_draft(draft, removing))
        wizard.save_step(draft, step, form)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        card_photos.delete_files(stored)
        return _render_step(draft, step, form, 409, stale=True)
    card_photos.delete_files(replaced)
    if removing is not None:
        return _step_again(step, returning, "card-photos")
    target = _target(step, action, returning=returning)
    if row_action:
        return _step_again(step, returning, str(repeating))
    if wizard.needs_crisis_page(step, form):
        return redirect(url_for("patient.support", next=target))
    return _go(target)


def _read_photos() -> tuple[dict[str, Any], dict[str, str]]:
    """The insurance step's uploaded photos, each decoded and cleaned, and the message for
    each field whose file is refused (not an image, too large, unreadable)."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for side, field in PHOTO_FIELDS.items():
        upload = request.files.get(field)
        if upload is None or not upload.filename:
            continue
        try:
            cleaned[side] = clean_photo(read_limited(upload.stream))
        except PhotoRefused as exc:
            errors[field] = gettext(str(exc))  # images.py's message, in the catalogue
        finally:
            upload.close()  # a large upload is a temporary file: closed now, not at exit
    return cleaned, errors


def _change_rows(form: Any, name: str, action: str) -> None:
    rows = form[name]
    if action == "add_row":
        if len(rows.entries) < rows.max_entries:
            rows.append_entry()
        return
    # The button names the row as it was posted; blank rows were already dropped, so find the
    # row by its posted name, not by its place in what is left.
    target = f"{rows.name}-{action.rsplit('-', 1)[1]}"
    rows.entries = [entry for entry in rows.entries if entry.name != target]


def _posted_again(draft: Draft, step: str, action: str) -> ResponseReturnValue | None:
    """A page posted again with the answers already stored (Next pressed twice with JavaScript
    off: the browser shows the second answer): nothing to store, so it goes on where the first
    post went instead of reporting a change from another tab. None when anything differs (or
    a photo, a row button): then it is a change made elsewhere."""
    if action not in STEP_ACTIONS or any(upload.filename for upload in request.files.values()):
        return None
    form = wizard.form_class(draft, step)()
    if not form.validate_step(partial=action != "next", formdata=request.form):
        return None
    if form.snapshot() != drafts.step_snapshot(draft, step):
        return None
    target = _target(step, action, returning=_returning())
    if wizard.needs_crisis_page(step, form):
        return redirect(url_for("patient.support", next=target))
    return _go(target)


def _returning() -> bool:
    """Whether this step page was opened with "Change" on the review (the link's query on a
    GET, the form's hidden field on a POST)."""
    source = request.form if request.method == "POST" else request.args
    return source.get(RETURN_KEY) == RETURN_TO


def _drawn_from(draft: Draft, step: str) -> str:
    """The fingerprint the page carries: the one it was first drawn from, kept through a 422
    page (a change made elsewhere meanwhile is still caught on the next post), else the stored
    answers' as they are now (a GET, or a page from before the field existed)."""
    if request.method == "POST":
        posted = request.form.get(DRAWN_KEY)
        if posted:
            return posted
    return _fingerprint_now(draft, step)


def _fingerprint_now(draft: Draft, step: str) -> str:
    """A step's stored answers' fingerprint; the review's is every step's it shows."""
    if step == "review":
        return drafts.answers_fingerprint(draft, STEP_NAMES[:-1])
    return drafts.step_fingerprint(draft, step)


def _step_again(step: str, returning: bool, anchor: str) -> ResponseReturnValue:
    """This step again (a row or photo added or removed), still on the way back to the review
    when it was opened from there."""
    values: dict[str, Any] = {"step": step, "_anchor": anchor}
    if returning:
        values[RETURN_KEY] = RETURN_TO
    return redirect(url_for("patient.step", **values))


def _target(step: str, action: str, *, returning: bool = False) -> str:
    """Where a saved step goes: Back to the step before, Save to the saved page, Next to the
    next step, or back to the review when the step was opened from it ("Change").

    The review page lists every step that is not finished (its summary at the top and a note
    in the section), and one step's answers never make another step unfinished (each is
    checked on its own; a new date of birth under 18 makes the review's own form ask for a
    guardian), so Next from a changed step needs no check of the other steps here (the saving
    POST stays as cheap as before).
    """
    index = STEP_NAMES.index(step)
    if action == "save":
        return "saved"
    if action == "back":
        return STEP_NAMES[max(index - 1, 0)]
    if returning:
        return RETURN_TO
    return STEP_NAMES[min(index + 1, len(STEP_NAMES) - 1)]


def _go(target: str) -> ResponseReturnValue:
    if target == "saved":
        return redirect(url_for("patient.saved"))
    return redirect(url_for("patient.step", step=target))


def _submit(draft: Draft) -> ResponseReturnValue:
    from intake.answers import InvalidAnswers
    from intake.services.submissions import AlreadySubmitted

    form = wizard.form_class(draft, "review")()
    drawn = request.form.get(DRAWN_KEY)
    current = _fingerprint_now(draft, "review")
    if drawn is not None and drawn != current:
        # A step was changed in another tab after this review was drawn: what would be sent
        # is not what the patient read. The review again, as stored now (the ticks and the
        # signature typed are kept), nothing sent.
        form.validate_step(formdata=request.form)
        return _render_step(draft, "review", form, 409, changed_elsewhere=True, drawn_from=current)
    if not form.validate_step(formdata=request.form):
        return _render_step(draft, "review", form, 422)
    try:
        wizard.submit_draft(draft, form)
    except AlreadySubmitted:
        db.session.rollback()
    except wizard.StepsIncomplete:
        return _render_step(draft, "review", form, 422, incomplete=True)
    except InvalidAnswers as exc:
        db.session.rollback()
        located = [(p, *wizard.problem_location(p.path)) for p in exc.problems]
        return _render_step(draft, "review", form, 422, problems=located)
    db.session.commit()  # the submission, the draft's link to it and its emptied answers
    session.pop(DONE_SHOWN_KEY, None)  # this browser may now see its confirmation
    return redirect(url_for("patient.done"))


@bp.get("/intake/support")
def support() -> ResponseReturnValue:
    """The support page, then the intake can be continued.

    Acute risk (ASQ question 5 yes or declined): crisis support now (988, 911, the front desk).
    Otherwise (a positive screen, PHQ-9 item 9): a calm page saying a clinician will want to
    talk about safety, and when to call or text 988 or call 911 now.
    """
    draft = _current_draft()
    if not isinstance(draft, Draft):
        return draft
    target = request.args.get("next", "")
    if target != "saved" and target not in STEP_FORMS:
        target = STEP_NAMES[0]
    continue_url = (
        url_for("patient.saved") if target == "saved" else url_for("patient.step", step=target)
    )
    return _render_support(draft, continue_url)


def _render_support(
    draft: Draft, continue_url: str, form: object = None, status: int = 200, **extra: object
) -> ResponseReturnValue:
    """The support page, with the choice to send the answers so far (docs/wizard.md)."""
    sent = drafts.partial_for(draft)
    partial = None if sent is not None else wizard.partial_answers(draft)
    if partial is not None and partial.positive and form is None:
        form = wizard.send_form_class(draft)()
    if form is not None and device.is_clinic_device():
        device.without_autofill(form)
    return render_template(
        "patient/support.html",
        continue_url=continue_url,
        acute=wizard.is_acute(draft),
        right_now=wizard.right_now_answer(draft),
        sent=sent,
        partial=partial,
        form=form,
        step_titles={name: STEP_FORMS[name].title for name in STEP_NAMES},
        **extra,
    ), status


@bp.post("/intake/support/send")
def send_partial() -> ResponseReturnValue:
    """Send the answers so far to the clinic as an urgent partial submission, on the patient's
    explicit choice (the support page's button). Once per draft: a second press (a double
    click, a second tab) shows what was sent the first time. The form stays open to finish.
    """
    from intake.answers import InvalidAnswers
    from intake.services.submissions import AlreadySubmitted, NotUrgent

    draft = _current_draft()
    if not isinstance(draft, Draft):
        return draft
    continue_url = url_for("patient.resume_here")
    if draft.partial_submission_id is not None:
        return redirect(url_for("patient.partial_sent"))
    form = wizard.send_form_class(draft)()
    if not form.validate_step(formdata=request.form):
        return _render_support(draft, continue_url, form, 422)
    try:
        wizard.send_partial(draft, form)
    except AlreadySubmitted:
        db.session.rollback()
        return redirect(url_for("patient.partial_sent"))
    except NotUrgent:
        return redirect(url_for("patient.support"))
    except InvalidAnswers:
        db.session.rollback()
        return _render_support(draft, continue_url, form, 422, not_sent=True)
    db.session.commit()  # the partial submission, its audit event and the draft's link to it
    return redirect(url_for("patient.partial_sent"))


@bp.get("/intake/support/sent")
def partial_sent() -> ResponseReturnValue:
    """After sending from the support page: what was sent, what happens next, the crisis
    numbers, and the way back to finish the form."""
    draft = _current_draft()
    if not isinstance(draft, Draft):
        return draft
    sent = drafts.partial_for(draft)
    if sent is None:
        return redirect(url_for("patient.support"))
    return render_template(
        "patient/support_sent.html",
        sent=sent,
        acute=sent.acute,
        continue_url=url_for("patient.resume_here"),
    )


@bp.get("/intake/saved")
def saved() -> ResponseReturnValue:
    """The resume code and how to come back. The browser session stays on the draft."""
    draft = _current_draft()
    if not isinstance(draft, Draft):
        return draft
    return render_template(
        "patient/saved.html",
        resume_code=drafts.display_code(draft.resume_code),
        expires_on=settings.local_day(draft.expires_at),
        has_birth_date=draft.date_of_birth is not None,
        hide_after=current_app.config["CLINIC_DEVICE_CODE_SECONDS"]
        if device.is_clinic_device()
        else None,
    )


@bp.get("/intake/saved/hidden")
def saved_hidden() -> ResponseReturnValue:
    """On a clinic device, the "saved" page a minute later: the code is off the screen."""
    draft = _current_draft()
    if not isinstance(draft, Draft):
        return draft
    return render_template("patient/saved_hidden.html")


@bp.post("/intake/leave")
def leave() -> ResponseReturnValue:
    """Forget the draft in this browser (a shared device); the resume code still works."""
    session.pop(SESSION_KEY, None)
    return redirect(url_for("patient.start"))


@bp.post("/intake/finish")
def finish() -> ResponseReturnValue:
    """ "Finish" after sending: end this browser's patient session, so the next person sees
    nothing of it (the confirmation reopens only with the resume code, for a short while)."""
    used = language.page_language()  # the draft's language, read before the session goes
    session.clear()
    session[FINISHED_KEY] = used
    return redirect(url_for("patient.start"))


@bp.route("/resume", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def resume() -> ResponseReturnValue:
    """Reopen a draft with its resume code and date of birth (rate-limited per address)."""
    form = ResumeForm()
    failed = False
    if request.method == "POST" and form.validate_step(formdata=request.form):
        born = form.date_of_birth.data  # a date: the form has just validated it
        draft = drafts.find_for_resume(form.code.data, born) if born is not None else None
        if draft is not None and _sent_too_long_ago(draft):
            return render_template("patient/resume.html", form=form, sent_closed=True), 422
        if draft is not None:
            session.pop(SESSION_KEY, None)
            session.pop(DONE_SHOWN_KEY, None)
            session[SESSION_KEY] = draft.id
            if draft.submission_id is not None:
                return redirect(url_for("patient.done"))
            return redirect(url_for("patient.step", step=_first_unfinished(draft)))
        failed = True
    if device.is_clinic_device():
        device.without_autofill(form)
    status = 422 if request.method == "POST" else 200
    return render_template("patient/resume.html", form=form, failed=failed), status


def _sent_too_long_ago(draft: Draft) -> bool:
    """A sent intake stops reopening with its code after ``SUBMITTED_RESUME_WINDOW``."""
    submission = drafts.submission_for(draft)
    if submission is None:
        return False
    window = current_app.config["SUBMITTED_RESUME_WINDOW"]
    return datetime.now(UTC) - submission.submitted_at > window


def _first_unfinished(draft: Draft) -> str:
    """The first step whose saved answers are not complete (a step saved half-done counts)."""
    return wizard.first_incomplete_step(draft)


def _submitted() -> tuple[Draft, Submission] | None:
    draft = _session_draft()
    if draft is None:
        return None
    submission = drafts.submission_for(draft)
    if submission is None:
        return None
    return draft, submission


@bp.get("/intake/done")
def done() -> ResponseReturnValue:
    """Confirmation: the reference, what happens next, the educational summary."""
    return _confirmation(printable=False)


@bp.get("/intake/done/print")
def done_print() -> ResponseReturnValue:
    return _confirmation(printable=True)


def _confirmation(*, printable: bool) -> ResponseReturnValue:
    """The confirmation, for the browser that sent the form (or reopened it with its code).

    On a shared device the next person must not find it: it shows for
    ``CONFIRMATION_GRACE`` after it is first opened (a reload, a double click, the print
    version), then the page says it was shown and how to see it again.
    """
    found = _submitted()
    if found is None:
        return redirect(url_for("patient.start"))
    _draft, submission = found
    now = int(time.time())
    first = int(session.setdefault(DONE_SHOWN_KEY, now))
    if now - first > current_app.config["CONFIRMATION_GRACE"].total_seconds():
        return render_template("patient/done_closed.html")
    from intake.rules.education import default_education, patient_summary

    # In the patient's language: the education texts and reasons through the catalogue.
    summary = patient_summary(submission.evaluation, say=gettext) if submission.evaluation else []
    flags = {flag["code"] for flag in (submission.evaluation or {}).get("flags", [])}
    profile = settings.clinic_profile()
    answers = submission.answers
    next_steps = follow_up(
        settings.clinic_availability(),
        urgent=submission.urgent,
        agrees_to_contact=bool((answers.get("consent") or {}).get("agrees_to_contact")),
        preferred_contact=(answers.get("patient") or {}).get("preferred_contact"),
        phone=profile.phone,
        address=profile.address,
        say=gettext,
        locale=formats.current_locale(),
    )
    return render_template(
        "patient/done.html",
        next_steps=next_steps,
        submission=submission,
        acute="suicide_risk_acute" in flags,
        right_now=(submission.answers.get("asq") or {}).get("thoughts_right_now"),
        # A self-pay patient has no insurance card to bring.
        self_pay=(answers.get("insurance") or {}).get("coverage_type") == "self_pay",
        summary=summary,
        disclaimer=gettext(default_education().disclaimer),
        printable=printable,
    )


@bp.get("/intake/continue")
def resume_here() -> ResponseReturnValue:
    """Carry on with this browser's draft at the first step not yet saved."""
    draft = _current_draft()
    if not isinstance(draft, Draft):
        return draft
    return redirect(url_for("patient.step", step=_first_unfinished(draft)))
