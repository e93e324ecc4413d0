"""Drafts: the patient's answers in progress, and turning them into a submission.

A draft keeps, per wizard step, the answers that passed that step's checks (``Draft.data``:
``{step: {field name: [values]}}``, only for questions that apply). The Flask session holds only
the draft's id. Drafts expire ``DRAFT_LIFETIME`` (14 days) after they were started.
Nothing here logs answers.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from intake.extensions import db
from intake.forms.base import formdata_from
from intake.forms.patient import STEP_FORMS, STEP_NAMES, StepForm
from intake.models import Draft, Submission
from intake.services.codes import normalise_code, random_code

log = logging.getLogger(__name__)

RESUME_CODE_LENGTH = 12


def now() -> datetime:
    return datetime.now(UTC)


def create_draft() -> Draft:
    """Start a new draft with a fresh, unique resume code."""
    for _attempt in range(5):
        code = random_code(RESUME_CODE_LENGTH)
        if db.session.scalar(select(Draft.id).where(Draft.resume_code == code)) is None:
            break
    started = now()
    draft = Draft(
        resume_code=code,
        data={},
        created_at=started,
        updated_at=started,
        expires_at=started + current_app.config["DRAFT_LIFETIME"],
    )
    db.session.add(draft)
    db.session.commit()
    log.info("draft %s started", draft.id)
    return draft


def get_draft(draft_id: object) -> Draft | None:
    if not isinstance(draft_id, int):
        return None
    return db.session.get(Draft, draft_id)


def is_expired(draft: Draft, at: datetime | None = None) -> bool:
    return draft.submission_id is None and draft.expires_at <= (at or now())


def display_code(code: str) -> str:
    """``ABCDEFGHJKMN`` → ``ABCD-EFGH-JKMN``, easier to read and copy."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def step_snapshot(draft: Draft, step: str) -> dict[str, list[str]] | None:
    return (draft.data or {}).get(step)


def load_form(draft: Draft, step: str) -> StepForm:
    """The step's form filled with the stored answers (not validated)."""
    return STEP_FORMS[step](formdata=formdata_from(step_snapshot(draft, step)))


def save_step(draft: Draft, step: str, form: StepForm) -> None:
    """Store a validated step's answers (only those to questions that apply) and commit.

    The "about you" step also copies the date of birth (for resuming); the ASQ step sets
    ``asq_positive``.
    """
    draft.data = {**(draft.data or {}), step: form.snapshot()}
    if step == "about":
        draft.date_of_birth = form.date_of_birth.data
    if step == "asq":
        draft.asq_positive = form.needs_support()
    draft.updated_at = now()
    db.session.commit()


def needs_crisis_page(step: str, form: StepForm) -> bool:
    """A positive ASQ (or "yes" to the ASQ's "right now" question even after four "no"
    answers), or PHQ-9 item 9 above 0: show crisis support before anything else."""
    if step == "asq":
        return form.needs_support()
    if step == "phq9":
        return form.item9_positive()
    return False


def find_for_resume(code: str, date_of_birth: date) -> Draft | None:
    """The draft with this code and date of birth, if it exists and has not expired."""
    draft = db.session.scalar(select(Draft).where(Draft.resume_code == normalise_code(code)))
    if draft is None or draft.date_of_birth is None or draft.date_of_birth != date_of_birth:
        return None
    if is_expired(draft):
        return None
    return draft


def purge_expired(at: datetime | None = None) -> int:
    """Delete unsubmitted drafts whose time is up; returns how many were deleted."""
    result = db.session.execute(
        delete(Draft).where(Draft.expires_at <= (at or now()), Draft.submission_id.is_(None))
    )
    db.session.commit()
    return result.rowcount or 0


def submission_for(draft: Draft) -> Submission | None:
    if draft.submission_id is None:
        return None
    return db.session.get(Submission, draft.submission_id)


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
        form = STEP_FORMS[step](
            formdata=formdata_from(step_snapshot(draft, step) or {}), meta={"csrf": False}
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
        snapshot = step_snapshot(draft, step)
        if snapshot is None:
            return step
        form = STEP_FORMS[step](formdata=formdata_from(snapshot), meta={"csrf": False})
        if not form.validate_step(partial=False):
            return step
    return STEP_NAMES[-1]


def build_answers_document(draft: Draft, consent: StepForm | None = None) -> Built:
    """Turn the draft's per-step answers into an intake-answers/1 document.

    ``consent`` is the review step's form as just posted (its answers are not stored in the
    draft until the document is sent). Steps that are not complete are listed in ``incomplete``
    and left out of the document.
    """
    steps = STEP_NAMES if consent is None else STEP_NAMES[:-1]
    forms = validated_forms(draft, steps)
    if consent is not None:
        forms["review"] = consent
    document: dict[str, Any] = {"contract": "intake-answers/1"}
    incomplete = []
    for step, form in forms.items():
        if form.errors or getattr(form, "form_errors", None):
            incomplete.append(step)
            continue
        document.update(form.answers())
    return Built(document, forms, incomplete)


class StepsIncomplete(Exception):
    def __init__(self, steps: list[str]) -> None:
        super().__init__(", ".join(steps))
        self.steps = steps


def submit_draft(draft: Draft, consent: StepForm) -> Submission:
    """Validate, evaluate and store the draft as a submission, exactly once.

    Raises ``StepsIncomplete`` (nothing sent), ``intake.answers.InvalidAnswers`` (nothing
    stored) or ``AlreadySubmitted`` (a double click, back button or second tab).
    After success the draft's answers are emptied: the submission now holds them.
    """
    from intake.services.submissions import AlreadySubmitted, submit_document

    existing = submission_for(draft)
    if existing is not None:
        raise AlreadySubmitted(existing)
    built = build_answers_document(draft, consent)
    if built.incomplete:
        raise StepsIncomplete(built.incomplete)
    submission = submit_document(built.document, source="wizard", draft=draft)
    draft.data = {}
    db.session.commit()
    return submission


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
        index = int(rest[len("items[") :].split("]", 1)[0])
        return step, f"item_{index + 1}"
    if head == "neuromodulation" and rest:
        return step, rest
    if head == "other_medications":
        return step, "other_medications"
    match = _INDEXED.match(path)
    if match:
        name, index, field = match.groups()
        return step, f"{name}-{index}-{field}" if field else f"{name}-{index}"
    return step, rest or None
