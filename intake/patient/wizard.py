"""The wizard's logic: step forms in, answers document out, and where a problem belongs.

Beside the patient views because it is made of the step forms: refilling and re-checking each
step from a draft, the first step still to finish, turning finished steps into an
intake-answers/1 document, and mapping a contract problem back to its step and field. Storing
drafts is ``intake.services.drafts``; storing the submission is ``services.submissions``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from intake.answers import CONTRACT, age_in_years
from intake.forms.base import formdata_from
from intake.forms.patient import (
    ASQ_POSITIVE,
    STEP_FORMS,
    STEP_NAMES,
    AsqForm,
    Phq9Form,
    SendPartialForm,
    SendPartialWithContactForm,
    StepForm,
    consent_form,
    is_minor,
)
from intake.models import Draft, Submission
from intake.services import card_photos, drafts, submissions
from intake.services.submissions import AlreadySubmitted, submit_document, submit_partial

#: The consent answers only someone under 18 gives (``GuardianConsentForm``).
GUARDIAN_FIELDS = ("guardian_name", "guardian_relationship")


def age_of(draft: Draft) -> int | None:
    """The patient's age today by the draft's date of birth (None before one is saved).

    "Today" is the evaluation date ``submit_document`` uses, so the consent step asks for a
    guardian exactly when the contract needs one.
    """
    born = draft.date_of_birth
    return None if born is None else age_in_years(born, submissions.today())


def form_class(draft: Draft, step: str) -> type[StepForm]:
    """The step's form for this draft: the review step names a guardian under 18."""
    if step == "review":
        return consent_form(age_of(draft))
    return STEP_FORMS[step]


def load_form(draft: Draft, step: str) -> StepForm:
    """The step's form filled with the stored answers (not validated)."""
    return form_class(draft, step)(formdata=formdata_from(drafts.step_snapshot(draft, step)))


def save_step(draft: Draft, step: str, form: StepForm) -> None:
    """Store a validated step's answers with what the draft keeps from them (the view commits).

    A date of birth of 18 or over drops guardian answers saved on the review step earlier.
    """
    born = form.date_of_birth.data if step == "about" else None
    adult = born is not None and not is_minor(age_in_years(born, submissions.today()))
    drafts.save_step(
        draft,
        step,
        form.snapshot(),
        date_of_birth=born,
        asq_positive=form.needs_support() if step == "asq" else False,
        forget={"review": GUARDIAN_FIELDS} if adult else None,
    )


def needs_crisis_page(step: str, form: StepForm) -> bool:
    """A positive ASQ (yes or declined to any question, "right now" included even after four
    "no" answers), or PHQ-9 item 9 above 0: show the support page before anything else."""
    if step == "asq":
        return form.needs_support()
    if step == "phq9":
        return form.item9_positive()
    return False


def right_now_answer(draft: Draft) -> str | None:
    """The draft's answer to ASQ question 5 ("right now"), if any was given."""
    stored = (drafts.step_snapshot(draft, "asq") or {}).get("thoughts_right_now") or [""]
    return stored[0] or None


def is_acute(draft: Draft, step: str | None = None, form: StepForm | None = None) -> bool:
    """Acute risk: yes, or declined, to ASQ question 5 (the crisis page); any other reason for
    the support page (a positive screen with question 5 "no", PHQ-9 item 9) is non-acute.

    On the ASQ step, ``form`` (its answers as just posted) decides; elsewhere the draft does.
    """
    if step == "asq" and isinstance(form, AsqForm):
        return form.acute()
    return right_now_answer(draft) in ASQ_POSITIVE


# Building the answers document --------------------------------------------------------------


@dataclass
class Built:
    """The answers document built from a draft, or the steps still to finish."""

    document: dict[str, Any]
    forms: dict[str, StepForm]
    incomplete: list[str]


def validated_forms(draft: Draft, steps: tuple[str, ...] = STEP_NAMES) -> dict[str, StepForm]:
    """Each step's form, refilled from the draft and validated in full (errors on the form)."""
    forms = {}
    for step in steps:
        form = form_class(draft, step)(
            formdata=formdata_from(drafts.step_snapshot(draft, step) or {}), meta={"csrf": False}
        )
        form.validate_step(partial=False)
        forms[step] = form
    return forms


def first_incomplete_step(draft: Draft) -> str:
    """The first step not yet answered in full: where resuming carries on (else the review).

    A step saved with "Save and finish later" or Back holds answers but may miss some, so
    having answers is not enough: the step must pass the same full check as its Next button.
    """
    for step in STEP_NAMES[:-1]:
        snapshot = drafts.step_snapshot(draft, step)
        if snapshot is None:
            return step
        form = STEP_FORMS[step](formdata=formdata_from(snapshot), meta={"csrf": False})
        if not form.validate_step(partial=False):
            return step
    return STEP_NAMES[-1]


def build_answers_document(draft: Draft, consent: StepForm | None = None) -> Built:
    """Turn the draft's per-step answers into an answers document (``CONTRACT``, /2).

    ``consent`` is the review step's form as just posted (its answers are not stored in the
    draft until the document is sent). Steps that are not complete are listed in ``incomplete``
    and left out of the document.
    """
    steps = STEP_NAMES if consent is None else STEP_NAMES[:-1]
    forms = validated_forms(draft, steps)
    if consent is not None:
        forms["review"] = consent
    document: dict[str, Any] = {"contract": CONTRACT}
    incomplete = []
    for step, form in forms.items():
        if form.errors or getattr(form, "form_errors", None):
            incomplete.append(step)
            continue
        document.update(form.answers())
    return Built(document, forms, incomplete)


def review_sections(draft: Draft) -> Built:
    """What the review page shows: each answered step's form, refilled from the draft and
    validated in full, and the steps not finished yet.

    Only the steps before the review: its consent form is the page's own (``load_form``),
    and nothing is sent from a view of the page, so no document is built (``document`` stays
    empty; ``build_answers_document`` builds it when the form is sent).
    """
    forms = validated_forms(draft, PARTIAL_STEPS)
    incomplete = [
        step for step, form in forms.items() if form.errors or getattr(form, "form_errors", None)
    ]
    return Built({}, forms, incomplete)


class StepsIncomplete(Exception):
    """Some steps are not answered in full yet; nothing was sent."""

    def __init__(self, steps: list[str]) -> None:
        super().__init__(", ".join(steps))
        self.steps = steps


def submit_draft(draft: Draft, consent: StepForm) -> Submission:
    """Validate, evaluate and store the draft as a submission, exactly once.

    Raises ``StepsIncomplete`` (nothing sent), ``intake.answers.InvalidAnswers`` (nothing
    stored) or ``AlreadySubmitted`` (a double click, back button or second tab).
    After success the draft's answers are emptied: the submission now holds them. Nothing is
    committed: the view commits the submission, the draft's link to it and the emptied answers
    together.
    """
    existing = drafts.submission_for(draft)
    if existing is not None:
        raise AlreadySubmitted(existing)
    built = build_answers_document(draft, consent)
    if built.incomplete:
        raise StepsIncomplete(built.incomplete)
    submission = submit_document(built.document, source="wizard", draft=draft)
    card_photos.attach_to_submission(draft, submission.id)
    drafts.clear_answers(draft)
    return submission


# Sending what has been answered so far (the support page) -----------------------------------

#: The steps a partial submission can hold: all but the review (its consent and signature are
#: given when the form is sent in full).
PARTIAL_STEPS = STEP_NAMES[:-1]


@dataclass
class Partial:
    """What the support page would send: the steps answered in full, and whether it may."""

    document: dict[str, Any]
    answered: list[str]
    missing: list[str]
    #: "About you" is not finished: the page asks for the contact details itself.
    needs_contact: bool
    #: A positive screen in a finished step: what makes the partial urgent, so it can be sent.
    positive: bool


def partial_answers(draft: Draft) -> Partial:
    """The draft's saved steps that pass their full check (the others are left out, never
    guessed), as the document a partial submission stores."""
    forms = validated_forms(draft, PARTIAL_STEPS)
    document: dict[str, Any] = {"contract": CONTRACT}
    answered, missing = [], []
    for step, form in forms.items():
        # A step never saved is missing even when empty answers would pass (no medicines
        # listed is an answer the patient has not given yet).
        unsaved = drafts.step_snapshot(draft, step) is None
        if unsaved or form.errors or getattr(form, "form_errors", None):
            missing.append(step)
            continue
        document.update(form.answers())
        answered.append(step)
    asq, phq9 = forms["asq"], forms["phq9"]
    positive = ("asq" in answered and isinstance(asq, AsqForm) and asq.needs_support()) or (
        "phq9" in answered and isinstance(phq9, Phq9Form) and phq9.item9_positive()
    )
    return Partial(document, answered, missing, "about" not in answered, positive)


def send_form_class(draft: Draft) -> type[SendPartialForm]:
    """The support page's send form: with the contact fields while "About you" is unfinished."""
    return SendPartialWithContactForm if partial_answers(draft).needs_contact else SendPartialForm


def send_partial(draft: Draft, form: SendPartialForm) -> Submission:
    """Store the answers so far as an urgent partial submission (``submit_partial``; the view
    commits). Raises ``AlreadySubmitted`` (the first partial), ``NotUrgent`` or
    ``InvalidAnswers``, storing nothing."""
    partial = partial_answers(draft)
    document = dict(partial.document)
    contact = form.contact()
    if partial.needs_contact and contact is not None:
        document["contact"] = contact
    return submit_partial(document, draft=draft)


# Where a problem in the document belongs in the wizard -------------------------------------

_SECTION_STEPS = {
    "patient": "about",
    "concerns": "concerns",
    "phq9": "phq9",
    "gad7": "gad7",
    "asq": "asq",
    "medication_trials": "medications",
    "other_medications": "treatments",
    "psychotherapy_trials": "treatments",
    "neuromodulation": "treatments",
    "safety_screen": "safety",
    "preferences": "preferences",
    "insurance": "insurance",
    "consent": "review",
}
_INDEXED = re.compile(r"^(\w+)\[(\d+)\](?:\.(\w+))?$")


def problem_location(path: str) -> tuple[str, str | None]:
    """Map a document path to ``(step, field id)``; the field id may be None.

    ``patient.email`` → ``("about", "email")``; ``phq9.items[3]`` → ``("phq9", "item_4")``;
    ``medication_trials[2].name`` → ``("medications", "medication_trials-2-name")``.
    """
    section, _, rest = path.partition(".")
    head = section.split("[", 1)[0]
    step = _SECTION_STEPS.get(head, "review")
    if head in ("phq9", "gad7") and rest.startswith("items["):
        item = int(rest[len("items[") :].split("]", 1)[0])
        return step, f"item_{item + 1}"
    if head == "neuromodulation" and rest:
        return step, rest
    if head == "other_medications":
        return step, "other_medications"
    match = _INDEXED.match(path)
    if match:
        name, index, field = match.groups()
        return step, f"{name}-{index}-{field}" if field else f"{name}-{index}"
    return step, rest or None
