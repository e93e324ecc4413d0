"""Storing a submitted intake: validate, evaluate, store, exactly once.

The wizard and the JSON API go through ``submit_document``; the demo seeder, which bulk-inserts,
uses the same ``evaluate_document``, ``models.submission.row_values`` and ``pathway_codes``. So
the stored answers, the evaluation, the indexed columns and the pathway rows are always
produced the same way.

Like every service this flushes and never commits: the wizard's submit view and the API view
commit once, so the submission, the draft's link to it (and whatever else the request changed)
are stored together or not at all. A race shows at the flush, where the unique constraints and
the draft's version counter are checked: the session is rolled back there (it cannot go on
after a failed flush on PostgreSQL), so the caller must have nothing else pending.

The id and reference of a stored submission are known at the flush; the caller reads them
before its commit, so a connection lost right after COMMIT can no longer turn a stored intake
into an error (reading ``submission.id`` after the commit used to query the database again).
The API's ``Idempotency-Key`` goes with the submission: a retry finds the first one instead of
storing the intake twice, even when two retries race (the unique constraint decides).

An urgent submission's alert (``services.alerts.submission_stored``) is added in the same
transaction: the outbox rows commit with the submission or not at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from intake.extensions import db
from intake.models import Draft, Submission
from intake.models.submission import new_submission
from intake.services import alerts, audit, patients
from intake.services.codes import submission_reference

log = logging.getLogger(__name__)

_REFERENCE_ATTEMPTS = 5


class AlreadySubmitted(Exception):
    """The draft was already turned into a submission (double click, back button, second tab)."""

    def __init__(self, submission: Submission) -> None:
        super().__init__(f"draft already submitted as {submission.reference}")
        self.submission = submission


@dataclass(frozen=True)
class Idempotency:
    """An API request's ``Idempotency-Key``, the token that sent it and its body's digest."""

    token_id: int
    key: str
    request_sha256: str


class KeyAlreadyUsed(Exception):
    """A submission with this token and ``Idempotency-Key`` is already stored."""

    def __init__(self, submission: Submission) -> None:
        super().__init__(f"idempotency key already used by submission {submission.id}")
        self.submission = submission


def request_digest(document: object) -> str:
    """SHA-256 of the document as canonical JSON: the same answers give the same digest however
    they were spaced or ordered, so a retry is recognised as the same request."""
    # ASCII escapes: a lone surrogate (valid JSON, refused later by the contract) must still
    # give a digest, not a UnicodeEncodeError.
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def find_by_idempotency_key(token_id: int, key: str) -> Submission | None:
    """The submission stored for this token and key, if any."""
    return db.session.scalar(
        select(Submission).where(
            Submission.api_token_id == token_id, Submission.idempotency_key == key
        )
    )


def today() -> date:
    """The evaluation date used when none is given: today's date in UTC."""
    return datetime.now(UTC).date()


def evaluate_document(document: object, as_of: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate and evaluate a document; returns ``(answers, evaluation)``.

    Raises ``intake.answers.InvalidAnswers`` listing every problem. Stores nothing.
    """
    from intake.answers import parse_answers
    from intake.rules import evaluate

    answers = parse_answers(document, as_of)
    return answers, evaluate(answers, as_of)


def build_submission(
    answers: dict[str, Any], evaluation: dict[str, Any], *, source: str, submitted_at: datetime
) -> Submission:
    """A new, unsaved ``Submission`` (``new_submission``: the columns from ``row_values`` and its
    pathway rows) with a fresh reference and the times."""
    return new_submission(
        answers,
        evaluation,
        reference=submission_reference(),
        status="new",
        created_at=submitted_at,
        submitted_at=submitted_at,
        source=source,
    )


def submit_document(
    document: object,
    *,
    source: str,
    draft: Draft | None = None,
    as_of: date | None = None,
    idempotency: Idempotency | None = None,
) -> Submission:
    """Validate, evaluate and store (flush, not commit) a document as a new submission, once.

    With a ``draft``, the draft is linked to the submission in the same transaction; a second
    attempt for the same draft (double click, two tabs, back button) raises ``AlreadySubmitted``
    carrying the first submission instead of storing a second one. With ``idempotency``, a
    submission already stored under that token and key raises ``KeyAlreadyUsed`` carrying it.
    Invalid documents raise ``InvalidAnswers`` and store nothing.

    The returned submission's ``id`` and ``reference`` are readable without the database until
    the caller commits (which expires them): read them first.
    """
    as_of = as_of or today()
    answers, evaluation = evaluate_document(document, as_of)
    if draft is not None and draft.submission_id is not None:
        raise AlreadySubmitted(db.session.get_one(Submission, draft.submission_id))
    for _attempt in range(_REFERENCE_ATTEMPTS):
        submission = build_submission(
            answers, evaluation, source=source, submitted_at=datetime.now(UTC)
        )
        if idempotency is not None:
            submission.api_token_id = idempotency.token_id
            submission.idempotency_key = idempotency.key
            submission.request_sha256 = idempotency.request_sha256
        if draft is not None and draft.partial_submission_id is not None:
            # The urgent partial sent from this draft's support page: this one completes it.
            submission.completes_id = draft.partial_submission_id
        try:
            # Its patient record first, so the row is inserted with it (no UPDATE after).
            patients.assign_record(submission)
            db.session.add(submission)
            db.session.flush()
            if draft is not None:
                draft.submission_id = submission.id
                db.session.flush()
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            if draft is not None:
                _raise_if_draft_submitted(draft.id)
            if idempotency is not None:
                _raise_if_key_used(idempotency)
            continue  # a reference collision: draw another one
        # A patient's own submission is recorded without their address (an IP address is a
        # HIPAA identifier); an API client's is an integration's, and is kept.
        audit.record(
            "submission_created",
            submission=submission,
            detail={"source": source, "urgent": submission.urgent}
            | ({"completes": submission.completes_id} if submission.completes_id else {}),
            with_address=source != "wizard",
        )
        # Suggestions of earlier patients it looks like (issue 16).
        patients.link_new(submission)
        # Urgent: the alert and its deliveries join this transaction (the outbox).
        alerts.submission_stored(submission)
        log.info("submission %s stored (source=%s)", submission.id, source)
        return submission
    raise RuntimeError("could not allocate a unique submission reference")


class NotUrgent(Exception):
    """A partial submission was asked for answers whose screen is not positive: nothing sent."""


def submit_partial(document: object, *, draft: Draft, as_of: date | None = None) -> Submission:
    """Store (flush, not commit) an urgent partial submission from the support page, once.

    ``document`` holds the steps answered in full so far (and ``contact`` when "About you" is
    not): ``answers.parse_partial`` validates it, ``rules.evaluate_screening`` gives it the
    suicide risk flags. It must be urgent (a positive screen), else ``NotUrgent``; invalid
    answers raise ``InvalidAnswers``; both store nothing. One per draft: a second attempt (a
    double click, two tabs) raises ``AlreadySubmitted`` carrying the first partial, as does a
    draft already sent in full. The draft stays open: its full submission later completes
    the partial (``submit_document`` links them). Read ``id``/``reference`` before the commit.
    """
    from intake.answers import parse_partial
    from intake.models.submission import is_urgent
    from intake.rules import evaluate_screening

    as_of = as_of or today()
    for sent in (draft.partial_submission_id, draft.submission_id):
        if sent is not None:
            raise AlreadySubmitted(db.session.get_one(Submission, sent))
    answers = parse_partial(document, as_of)
    evaluation = evaluate_screening(answers, as_of)
    if not is_urgent(evaluation):
        raise NotUrgent()
    for _attempt in range(_REFERENCE_ATTEMPTS):
        submission = build_submission(
            answers, evaluation, source="wizard", submitted_at=datetime.now(UTC)
        )
        submission.partial = True
        try:
            patients.assign_record(submission)
            db.session.add(submission)
            db.session.flush()
            draft.partial_submission_id = submission.id
            db.session.flush()
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            _raise_if_partial_sent(draft.id)
            continue  # a reference collision: draw another one
        audit.record(
            "submission_created",
            submission=submission,
            detail={"source": "wizard", "urgent": True, "partial": True},
            with_address=False,
        )
        patients.link_new(submission)
        # Always urgent: tier 1 is alerted in this transaction (the outbox), as for a full one.
        alerts.submission_stored(submission)
        log.info("partial submission %s stored", submission.id)
        return submission
    raise RuntimeError("could not allocate a unique submission reference")


def _raise_if_partial_sent(draft_id: int) -> None:
    """After a failed flush, tell apart a reference collision from a concurrent partial."""
    sent = db.session.execute(
        select(Draft.partial_submission_id, Draft.submission_id).where(Draft.id == draft_id)
    ).one_or_none()
    for submission_id in sent or ():
        if submission_id is not None:
            raise AlreadySubmitted(db.session.get_one(Submission, submission_id))


def _raise_if_draft_submitted(draft_id: int) -> None:
    """After a failed flush, tell apart a reference collision from a concurrent submit."""
    submission_id = db.session.scalar(select(Draft.submission_id).where(Draft.id == draft_id))
    if submission_id is not None:
        raise AlreadySubmitted(db.session.get_one(Submission, submission_id))


def _raise_if_key_used(idempotency: Idempotency) -> None:
    """After a failed flush, tell apart a reference collision from a concurrent retry."""
    existing = find_by_idempotency_key(idempotency.token_id, idempotency.key)
    if existing is not None:
        raise KeyAlreadyUsed(existing)
