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

import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from intake.extensions import db
from intake.models import Draft, Submission
from intake.models.submission import (
    SubmissionPathway,
    new_submission,
    pathway_codes,
    row_values,
)
from intake.models.workflow import status_rank
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


class StoredIntake(NamedTuple):
    """What a retry's answer needs of the submission stored under an ``Idempotency-Key``."""

    id: int
    reference: str
    request_sha256: str | None


class KeyAlreadyUsed(Exception):
    """A submission with this token and ``Idempotency-Key`` is already stored."""

    def __init__(self, submission: StoredIntake) -> None:
        super().__init__(f"idempotency key already used by submission {submission.id}")
        self.submission = submission


def request_digest(document: object) -> str:
    """SHA-256 of the document as canonical JSON: the same answers give the same digest however
    they were spaced or ordered, so a retry is recognised as the same request."""
    # ASCII escapes: a lone surrogate (valid JSON, refused later by the contract) must still
    # give a digest, not a UnicodeEncodeError.
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


_TABLE = cast(sa.Table, Submission.__table__)
_columns = _TABLE.c
#: Built once, with bound parameters (neither rebuilt nor cache-keyed per request), and Core:
#: three columns, where loading the whole ORM row would parse its answers and evaluation.
_BY_IDEMPOTENCY_KEY = select(_columns.id, _columns.reference, _columns.request_sha256).where(
    _columns.api_token_id == sa.bindparam("token_id"),
    _columns.idempotency_key == sa.bindparam("key"),
)


def find_by_idempotency_key(token_id: int, key: str) -> StoredIntake | None:
    """The submission stored for this token and key, if any."""
    row = db.session.execute(_BY_IDEMPOTENCY_KEY, {"token_id": token_id, "key": key}).first()
    return StoredIntake(*row) if row is not None else None


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
    pathway rows) with a fresh reference and the times (for tests that store one themselves;
    ``submit_document`` inserts the same values with ``_insert``)."""
    return new_submission(
        answers,
        evaluation,
        reference=submission_reference(),
        status="new",
        created_at=submitted_at,
        submitted_at=submitted_at,
        source=source,
    )


_INSERT_SUBMISSION = sa.insert(_TABLE).returning(_columns.id)
_INSERT_PATHWAYS = sa.insert(cast(sa.Table, SubmissionPathway.__table__))


@functools.cache
def _unset_columns() -> dict[str, Any]:
    """The value of every column a new submission does not set itself: its scalar default
    (``version`` 1, ``partial`` false, ...), else NULL. A column with a computed default has
    to be set by ``_new_row`` (``_insert`` refuses a row without it). A column with only a
    server default would be sent NULL here, overriding it: refused, so that a migration adding
    one also gives the model a Python default."""
    server_only = [
        column.key
        for column in _TABLE.columns
        if column.server_default is not None and column.default is None and not column.primary_key
    ]
    if server_only:
        raise RuntimeError(f"submission columns with only a server default: {server_only}")
    return {
        column.key: default.arg if isinstance(default, ScalarElementColumnDefault) else None
        for column in _TABLE.columns
        if not column.primary_key and ((default := column.default) is None or default.is_scalar)
    }


def _new_row(
    answers: dict[str, Any], evaluation: dict[str, Any], *, source: str, **columns: Any
) -> dict[str, Any]:
    """Every column of a new submission's row but its id: what ``build_submission`` gives an
    ORM object (``row_values``, a fresh reference, status "new" and its rank, the times), the
    defaults, and ``columns``."""
    submitted_at = datetime.now(UTC)
    return {
        **_unset_columns(),
        **row_values(answers, evaluation),
        "reference": submission_reference(),
        "status": "new",
        "status_rank": status_rank("new"),
        "created_at": submitted_at,
        "submitted_at": submitted_at,
        "source": source,
        **columns,
    }


def _insert(row: dict[str, Any], pathways: list[str]) -> int:
    """Insert a submission's row and its ``submission_pathway`` rows (two Core statements; the
    ORM's unit of work for them was the costliest part of an API intake) and return its id."""
    if len(row) != len(_TABLE.columns) - 1:  # every column but the id
        raise ValueError("a submission row must give every column")
    submission_id = int(db.session.execute(_INSERT_SUBMISSION, row).scalar_one())
    if pathways:
        db.session.execute(
            _INSERT_PATHWAYS,
            [
                {"submission_id": submission_id, "code": code, "submitted_at": row["submitted_at"]}
                for code in pathways
            ],
        )
    return submission_id


def _as_stored(row: dict[str, Any], submission_id: int) -> Submission:
    """The inserted row as the session's persistent ``Submission``, without reading it back:
    every column is known (``_new_row``), so none is expired; its relationships load when
    first read. A row of a rolled-back transaction can leave an expired object under the same
    id in the session (SQLite reuses the ids of rolled-back rows): it is let go first."""
    stale = db.session.identity_map.get(identity_key(Submission, submission_id))
    if stale is not None:
        db.session.expunge(stale)
    submission = Submission(id=submission_id, **row)
    make_transient_to_detached(submission)
    db.session.add(submission)
    return submission


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
    columns: dict[str, Any] = {}
    if idempotency is not None:
        columns.update(
            api_token_id=idempotency.token_id,
            idempotency_key=idempotency.key,
            request_sha256=idempotency.request_sha256,
        )
    if draft is not None and draft.partial_submission_id is not None:
        # The urgent partial sent from this draft's support page: this one completes it.
        columns["completes_id"] = draft.partial_submission_id
    pathways = pathway_codes(evaluation)
    for _attempt in range(_REFERENCE_ATTEMPTS):
        row = _new_row(answers, evaluation, source=source, **columns)
        try:
            # Its patient record first, so the row is inserted with it (no UPDATE after).
            row["patient_id"] = patients.record_for(row["completes_id"])
            submission_id = _insert(row, pathways)
            if draft is not None:
                draft.submission_id = submission_id
                db.session.flush()
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            if draft is not None:
                _raise_if_draft_submitted(draft.id)
            if idempotency is not None:
                _raise_if_key_used(idempotency)
            continue  # a reference collision: draw another one
        submission = _as_stored(row, submission_id)
        # A patient's own submission is recorded without their address (an IP address is a
        # HIPAA identifier); an API client's is an integration's, and is kept.
        audit.record_row(
            "submission_created",
            submission_id=submission_id,
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
    pathways = pathway_codes(evaluation)
    for _attempt in range(_REFERENCE_ATTEMPTS):
        row = _new_row(answers, evaluation, source="wizard", partial=True)
        try:
            row["patient_id"] = patients.record_for(None)
            submission_id = _insert(row, pathways)
            draft.partial_submission_id = submission_id
            db.session.flush()
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            _raise_if_partial_sent(draft.id)
            continue  # a reference collision: draw another one
        submission = _as_stored(row, submission_id)
        audit.record_row(
            "submission_created",
            submission_id=submission_id,
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
