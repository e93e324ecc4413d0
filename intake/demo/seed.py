"""``seed(count)``: store ``count`` synthetic submissions with bulk inserts.

Every record is an answers document that went through ``parse_answers`` and is stored with the
same ``row_values`` and ``pathway_codes`` as a real submission, so demo rows are rows the app
could have stored. The rules are the expensive part, so a pool of clinical cores (600, up to
5,000 for a million records, so dates of birth spread too) is evaluated once each
(``evaluate_document``) and each record reuses its core's evaluation: dressing a core with a new
identity changes nothing the rules read (see ``identities``).

Fast enough for a million records (docs/operations.md, "The 1M benchmark database"): names come
from lists Faker fills once (``NameSource``; a Faker call costs ~80 µs), each core's evaluation
is serialised once, and on PostgreSQL the rows go in with ``COPY`` (ids drawn from the
sequence first, so the pathway, contact-attempt and risk-assessment rows can name them), each
submission row sent as soon as it is made (``_Maker``), so PostgreSQL stores one while Python
makes the next. A large seed is loaded in bulk: one transaction, with the indexes built after
the load (``intake.demo.bulk``); a smaller one is committed every ``BATCH`` records. On SQLite
with executemany ``INSERT ... RETURNING``, committed every ``BATCH``.
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from faker import Faker

from intake.answers import parse_answers
from intake.demo.bulk import deferred_indexes
from intake.demo.identities import dress
from intake.demo.scenarios import Rng, make_core
from intake.extensions import db
from intake.models import ContactAttempt, RiskAssessment, Submission, User
from intake.models.submission import SubmissionPathway, pathway_codes, row_values
from intake.models.workflow import status_rank
from intake.services.codes import random_code
from intake.services.submissions import evaluate_document

BATCH = 5000
#: From this many records (and at least as many as are stored already), a PostgreSQL seed is
#: loaded in bulk: one transaction, indexes built after the load (``bulk``).
BULK_MIN = 50_000
POOL = 600
#: Past 120,000 records, one core per 200 records, up to this many.
POOL_MAX = 5000
NAMES = 3000

Pool = list[tuple[dict[str, Any], dict[str, Any]]]


class NameSource:
    """What ``dress`` asks of Faker (``first_name``, ``last_name``, ``date_of_birth``), from
    lists Faker fills once: the same kinds of names at a fraction of the cost."""

    def __init__(self, fake: Any, rng: Rng, size: int = NAMES) -> None:
        self._fake, self._rng, self._size = fake, rng, size
        self._first = [fake.first_name() for _ in range(size)]
        self._last = [fake.last_name() for _ in range(size)]
        self._dates: dict[tuple[tuple[str, Any], ...], list[date]] = {}

    def first_name(self) -> str:
        return self._rng.choice(self._first)

    def last_name(self) -> str:
        return self._rng.choice(self._last)

    def date_of_birth(self, **kwargs: Any) -> date:
        key = tuple(sorted(kwargs.items()))
        if key not in self._dates:
            self._dates[key] = [self._fake.date_of_birth(**kwargs) for _ in range(self._size)]
        return self._rng.choice(self._dates[key])


def pool_size(count: int) -> int:
    """How many distinct cores ``count`` records are made from."""
    return max(1, min(count, max(POOL, min(POOL_MAX, count // 200))))


def build_pool(size: int, rng: Rng, fake: Any, today: date) -> Pool:
    """``size`` (core, evaluation) pairs; each core validated and evaluated once."""
    pool = []
    for _ in range(size):
        answers, evaluation = evaluate_document(dress(make_core(rng, today), rng, fake), today)
        pool.append((answers, evaluation))
    return pool


def demo_answers(
    pool: Pool, rng: Rng, fake: Any, today: date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A pool core with a fresh identity, validated: ``(answers, evaluation)``.

    Raises ``InvalidAnswers`` if an identity ever breaks the contract, instead of storing it.
    """
    core, evaluation = pool[rng.randrange(len(pool))]
    return parse_answers(dress(core, rng, fake), today), evaluation


def _status(rng: Rng, age_days: float) -> str:
    if age_days < 2:
        return rng.choices(["new", "in_review"], weights=[80, 20])[0]
    if age_days < 14:
        return rng.choices(
            ["new", "in_review", "needs_info", "insurance_verified", "scheduled"],
            weights=[20, 30, 15, 20, 15],
        )[0]
    return rng.choices(
        ["in_review", "needs_info", "insurance_verified", "scheduled", "closed", "withdrawn"],
        weights=[5, 5, 10, 25, 45, 10],
    )[0]


def _references(n: int) -> Iterator[str]:
    seen: set[str] = set()
    while len(seen) < n:
        code = random_code(8)
        ref = f"{code[:4]}-{code[4:]}"
        if ref not in seen:
            seen.add(ref)
            yield ref


def seed(
    count: int,
    *,
    seed_value: int | None = None,
    days: int = 180,
    progress: Callable[[int], None] | None = None,
    bulk: bool | None = None,
    say: Callable[[str], None] | None = None,
) -> int:
    """Store ``count`` synthetic submissions; returns how many were stored.

    On PostgreSQL a large seed (``bulk``; by default ``count`` of at least ``BULK_MIN`` and at
    least the submissions already stored) is one transaction with the filled tables' indexes
    set aside (``bulk.deferred_indexes``); otherwise each ``BATCH`` records are committed.
    Nothing is kept of a seed that fails in bulk, and only whole batches otherwise.
    ``say`` hears of the slow step after the last record (the bulk load's index rebuild).
    """
    rng = random.Random(seed_value if seed_value is not None else secrets.randbits(32))  # noqa: S311 - demo data
    fake = Faker(["en_US", "es_MX"])
    fake.seed_instance(rng.randint(0, 2**31))
    now = datetime.now(UTC)
    existing = set(db.session.scalars(sa.select(Submission.reference)))
    make = _Maker(count, rng, fake, now, days, existing)
    records = (make() for _ in range(count))
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            if bulk is None:
                bulk = count >= max(BULK_MIN, len(existing))
            _copy_all(records, count, progress, bulk=bulk, say=say)
        else:
            _insert_all(records, count, progress)
    except BaseException:
        db.session.rollback()
        raise
    return count


class _Maker:
    """Makes the records one at a time, each when it is asked for (so PostgreSQL stores one
    while the next is made): a pool core with a new identity, validated, its row and its risk
    records. The pool and the accounts are read when it is made, before any ``COPY`` starts."""

    def __init__(
        self, count: int, rng: Rng, fake: Any, now: datetime, days: int, existing: set[str]
    ) -> None:
        self.rng, self.now, self.days, self.today = rng, now, days, now.date()
        self.pool = build_pool(pool_size(count), rng, fake, self.today)
        self.names = NameSource(fake, rng)
        # Each core's evaluation and pathway codes, worked out once (the records share them).
        self.shared = {id(evaluation): _Shared(evaluation) for _core, evaluation in self.pool}
        # Urgent rows older than a few hours were called by the first front-desk account, and
        # those older than a day signed off by the first clinician account (when there are such
        # accounts); the rest wait on the queue's pins and the clinicians' list, as in a week.
        self.caller_id = _first_account("front_desk")
        self.signer_id = _first_account("clinician")
        self.refs = (r for r in _references(count + len(existing)) if r not in existing)

    def __call__(self) -> Record:
        rng, caller_id, signer_id = self.rng, self.caller_id, self.signer_id
        answers, evaluation = demo_answers(self.pool, rng, self.names, self.today)
        # Newer submissions are more common: a skewed spread over ``days``.
        age_days = self.days * rng.random() ** 2
        submitted_at = self.now - timedelta(days=age_days)
        row = row_values(answers, evaluation)
        called = row["urgent"] and caller_id is not None and age_days > 0.1
        contacted_at = submitted_at + timedelta(minutes=rng.randint(5, 90))
        signed = called and signer_id is not None and age_days > 1
        signed_at = contacted_at + timedelta(minutes=rng.randint(10, 240))
        row |= {
            "reference": next(self.refs),
            "status": (status := _status(rng, age_days)),
            "status_rank": status_rank(status),
            "created_at": submitted_at,
            "submitted_at": submitted_at,
            "source": "demo",
            "version": 1,
            "acknowledged_at": contacted_at if called else None,
            "risk_signed_off_at": signed_at if signed else None,
        }
        contact = (
            {
                "by_id": caller_id,
                "at": contacted_at,
                "outcome": rng.choice(("reached", "reached", "left_voicemail", "no_answer")),
                "note": "Demo: spoke with the patient; safety plan reviewed.",
            }
            if called
            else None
        )
        assessment = (
            {
                "clinician_id": signer_id,
                "assessed_at": signed_at,
                "recorded_at": signed_at,
                "outcome": rng.choice(("no_current_risk", "safety_plan", "safety_plan")),
                "note": "Demo: brief safety assessment by phone.",
            }
            if signed
            else None
        )
        return row, self.shared[id(evaluation)], (contact, assessment)


class _Shared:
    """What every record of one core shares: its evaluation as JSON, and its pathway codes."""

    def __init__(self, evaluation: dict[str, Any]) -> None:
        self.evaluation_json = json.dumps(evaluation)
        self.pathways = pathway_codes(evaluation)


Risk = tuple[dict[str, Any] | None, dict[str, Any] | None]
Record = tuple[dict[str, Any], _Shared, Risk]


def _first_account(role: str) -> int | None:
    """The id of the first enabled account with ``role``, if any."""
    return db.session.scalar(
        sa.select(User.id)
        .where(User.roles_csv.like(f"%{role}%"), User.disabled.is_(False))
        .order_by(User.id)
    )


#: The submission columns the seeder writes from a record's row (every NOT NULL column,
#: ``acknowledged_at`` and ``risk_signed_off_at``); ``answers`` and ``evaluation`` too.
_COLUMNS = (
    "reference",
    "status",
    "urgent",
    "acute",
    "ruleset_version",
    "ruleset_sha256",
    "created_at",
    "submitted_at",
    "last_name",
    "last_name_folded",
    "date_of_birth",
    "primary_concern",
    "coverage_type",
    "source",
    "version",
    "acknowledged_at",
    "risk_signed_off_at",
    "status_rank",
    "phq9_total",
    "top_flag",
    "payer_folded",
    "email_folded",
    "phone_digits",
)
_CONTACT_COLUMNS: tuple[str, ...] = ("by_id", "at", "outcome", "note")
_ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "clinician_id",
    "assessed_at",
    "recorded_at",
    "outcome",
    "note",
)
#: The tables a seed fills (``bulk.deferred_indexes`` sets their indexes aside).
FILLED = ("submission", "submission_pathway", "contact_attempt", "risk_assessment")


def _copy_all(
    records: Iterator[Record],
    count: int,
    progress: Callable[[int], None] | None,
    *,
    bulk: bool,
    say: Callable[[str], None] | None = None,
) -> None:
    """PostgreSQL: ``COPY`` every record, a batch at a time; in bulk, one transaction with the
    indexes set aside, else a commit after each batch."""
    with deferred_indexes(db.session.connection(), FILLED, say) if bulk else nullcontext():
        stored = 0
        while stored < count:
            size = min(BATCH, count - stored)
            _copy_batch(itertools.islice(records, size), size)
            stored += size
            if not bulk:
                db.session.commit()
            if progress:
                progress(stored)
    db.session.commit()


def _copy_batch(records: Iterator[Record], size: int) -> None:
    """``COPY`` ``size`` records, with ids taken from the sequence first (so the pathway and
    risk rows can name them). Each submission row is sent as soon as it is made, so PostgreSQL
    stores it while Python makes the next; the small rows follow from memory."""
    connection = db.session.connection()
    ids = list(
        connection.execute(
            sa.text(
                "SELECT nextval(pg_get_serial_sequence('submission', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": size},
        ).scalars()
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    pathways: list[tuple[Any, ...]] = []
    risk: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]] = ([], [])
    columns = ", ".join(("id", *_COLUMNS, "answers", "evaluation"))
    with cursor.copy(f"COPY submission ({columns}) FROM STDIN") as copy:
        for submission_id, (row, shared, records_of) in zip(ids, records, strict=True):
            copy.write_row(
                (
                    submission_id,
                    *[row[name] for name in _COLUMNS],
                    json.dumps(row["answers"]),
                    shared.evaluation_json,
                )
            )
            submitted_at = row["submitted_at"]
            pathways.extend((submission_id, code, submitted_at) for code in shared.pathways)
            for rows, record, names in zip(
                risk, records_of, (_CONTACT_COLUMNS, _ASSESSMENT_COLUMNS), strict=True
            ):
                if record is not None:
                    rows.append((submission_id, *[record[name] for name in names]))
    with cursor.copy(
        "COPY submission_pathway (submission_id, code, submitted_at) FROM STDIN"
    ) as copy:
        for pathway in pathways:
            copy.write_row(pathway)
    for table, names, rows in (
        ("contact_attempt", _CONTACT_COLUMNS, risk[0]),
        ("risk_assessment", _ASSESSMENT_COLUMNS, risk[1]),
    ):
        if rows:
            with cursor.copy(
                f"COPY {table} (submission_id, {', '.join(names)}) FROM STDIN"
            ) as copy:
                for values in rows:
                    copy.write_row(values)


def _insert_all(
    records: Iterator[Record], count: int, progress: Callable[[int], None] | None
) -> None:
    """Other databases (SQLite): executemany ``INSERT ... RETURNING id``, a commit a batch."""
    stored = 0
    while stored < count:
        batch = list(itertools.islice(records, min(BATCH, count - stored)))
        _insert_batch(batch)
        db.session.commit()
        stored += len(batch)
        if progress:
            progress(stored)


def _insert_batch(batch: list[Record]) -> None:
    """Executemany ``INSERT ... RETURNING id``, then the rows that name the ids."""
    columns = (*_COLUMNS, "answers", "evaluation")
    rows = [{name: row[name] for name in columns} for row, _shared, _risk in batch]
    ids = db.session.execute(sa.insert(Submission).returning(Submission.id), rows).scalars().all()
    pathway_rows = [
        {"submission_id": submission_id, "code": code, "submitted_at": row["submitted_at"]}
        for submission_id, (row, shared, _risk) in zip(ids, batch, strict=True)
        for code in shared.pathways
    ]
    if pathway_rows:
        db.session.execute(sa.insert(SubmissionPathway), pathway_rows)
    for model, which in ((ContactAttempt, 0), (RiskAssessment, 1)):
        records = [
            {"submission_id": submission_id, **record}
            for submission_id, (_row, _shared, risk) in zip(ids, batch, strict=True)
            if (record := risk[which]) is not None
        ]
        if records:
            db.session.execute(sa.insert(model), records)
