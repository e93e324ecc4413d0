"""Drafts: storing the patient's answers in progress (create, find, save, clear, purge).

A draft keeps, per wizard step, the answers that passed that step's checks (``Draft.data``:
``{step: {field name: [values]}}``, only for questions that apply). The Flask session holds only
the draft's id. Drafts expire ``DRAFT_LIFETIME`` (14 days) after they were started.
What the step forms mean (building the document, which step is unfinished) is the wizard's,
in ``intake.patient.wizard``; this module only stores and never imports the forms.
Like every service it flushes and never commits: the wizard's view (or the ``purge-drafts``
command) commits, once per request. Nothing here logs answers.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection, Mapping
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import delete, select

from intake.extensions import db
from intake.models import Draft, Submission
from intake.services.codes import normalise_code, random_code

log = logging.getLogger(__name__)

RESUME_CODE_LENGTH = 12


def now() -> datetime:
    return datetime.now(UTC)


def create_draft() -> Draft:
    """Start a new draft with a fresh, unique resume code (flushed: its id is known)."""
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
    db.session.flush()
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


def step_fingerprint(draft: Draft, step: str) -> str:
    """A short fingerprint of the step's stored answers (16 hex characters).

    The step page carries the one it was drawn from (``drawn_from``), and the view compares it
    before saving: a page drawn before the same step was saved elsewhere (a second tab or
    window) is not stored over that change. Only this step's answers count, so another tab
    saving another step does not refuse this page. Cheap (one small JSON and SHA-256), so the
    saving POST stays as fast; an unsaved step has a fingerprint too (of ``null``).
    """
    return _fingerprint(step_snapshot(draft, step))


def answers_fingerprint(draft: Draft, steps: Collection[str]) -> str:
    """The fingerprint of every step in ``steps`` together: the review page carries the one
    of the answers it showed, so "Send" from a review drawn before another tab changed a step
    sends nothing the patient has not seen."""
    data = draft.data or {}
    return _fingerprint({step: data.get(step) for step in steps})


def _fingerprint(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def save_step(
    draft: Draft,
    step: str,
    snapshot: dict[str, list[str]],
    *,
    date_of_birth: date | None = None,
    asq_positive: bool = False,
    forget: Mapping[str, Collection[str]] | None = None,
) -> None:
    """Store a validated step's answers (only those to questions that apply), flushed.

    The "about you" step also keeps ``date_of_birth`` (for resuming); the ASQ step keeps
    ``asq_positive``. ``forget`` names answers saved on other steps that these answers make
    inapplicable (``{step: field names}``); they are removed in the same transaction. A draft
    saved meanwhile by another tab raises ``StaleDataError`` here.
    """
    data = dict(draft.data or {})
    for other, names in (forget or {}).items():
        if other in data:
            data[other] = {key: value for key, value in data[other].items() if key not in names}
    data[step] = snapshot
    draft.data = data
    if step == "about":
        draft.date_of_birth = date_of_birth
    if step == "asq":
        draft.asq_positive = asq_positive
    draft.updated_at = now()
    db.session.flush()


def find_for_resume(code: str, date_of_birth: date) -> Draft | None:
    """The draft with this code and date of birth, if it exists and has not expired."""
    draft = db.session.scalar(select(Draft).where(Draft.resume_code == normalise_code(code)))
    if draft is None or draft.date_of_birth is None or draft.date_of_birth != date_of_birth:
        return None
    if is_expired(draft):
        return None
    return draft


def purge_expired(at: datetime | None = None) -> int:
    """Delete unsubmitted drafts whose time is up, with their card photos (rows and files);
    returns how many (the caller commits)."""
    from intake.services import card_photos

    expired = (Draft.expires_at <= (at or now()), Draft.submission_id.is_(None))
    card_photos.purge_for_drafts(list(db.session.scalars(select(Draft.id).where(*expired))))
    result = db.session.execute(delete(Draft).where(*expired))
    return int(getattr(result, "rowcount", 0) or 0)  # a DELETE's result has a row count


def submission_for(draft: Draft) -> Submission | None:
    if draft.submission_id is None:
        return None
    return db.session.get(Submission, draft.submission_id)


def partial_for(draft: Draft) -> Submission | None:
    """The urgent partial submission sent from this draft's support page, if any."""
    if draft.partial_submission_id is None:
        return None
    return db.session.get(Submission, draft.partial_submission_id)


def clear_answers(draft: Draft) -> None:
    """Empty a submitted draft's answers (flushed): the submission now holds them."""
    draft.data = {}
    db.session.flush()


#: Where a draft keeps the patient's language: the "about you" step's answer to "Which language
#: do you prefer?" (``vocabulary.LANGUAGES``), the locale the patient pages are shown in.
LANGUAGE_STEP = "about"
LANGUAGE_FIELD = "preferred_language"


def language_of(draft: Draft) -> str | None:
    """The language the draft's patient chose (step 1's answer, or the switch), or None.

    A sent draft's answers are emptied; its submission's answers still say it, so the
    confirmation stays in the patient's language.
    """
    values = ((draft.data or {}).get(LANGUAGE_STEP) or {}).get(LANGUAGE_FIELD) or []
    if values:
        return str(values[0])
    submission = submission_for(draft) or partial_for(draft)
    if submission is not None:
        chosen = (submission.answers.get("patient") or {}).get(LANGUAGE_FIELD)
        return str(chosen) if chosen else None
    return None


def set_language(draft: Draft, code: str) -> None:
    """Make ``code`` the draft's language answer (the language switch), flushed; the other
    answers of the step stay as they are. A draft saved meanwhile raises ``StaleDataError``."""
    data = dict(draft.data or {})
    step = dict(data.get(LANGUAGE_STEP) or {})
    if step.get(LANGUAGE_FIELD) == [code]:
        return
    step[LANGUAGE_FIELD] = [code]
    data[LANGUAGE_STEP] = step
    draft.data = data
    draft.updated_at = now()
    db.session.flush()
