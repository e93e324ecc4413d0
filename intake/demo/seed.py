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
sequence first, so the pathway, contact-attempt and risk-assessment rows can name them),
committed every ``BATCH`` records; on SQLite with executemany ``INSERT ... RETURNING``.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from faker import Faker

from intake.answers import parse_answers
from intake.demo.identities import dress
from intake.demo.scenarios import Rng, make_core
from intake.extensions import db
from intake.models import ContactAttempt, RiskAssessment, Submission, User
from intake.models.submission import SubmissionPathway, pathway_codes, row_values
from intake.models.workflow import status_rank
from intake.services.codes import random_code
from intake.services.submissions import evaluate_document

BATCH = 5000
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
) -> int:
    """Store ``count`` synthetic submissions; returns how many were stored."""
    rng = random.Random(seed_value if seed_value is not None else secrets.randbits(32))  # noqa: S311 - demo data
    fake = Faker(["en_US", "es_MX"])
    fake.seed_instance(rng.randint(0, 2**31))
    now = datetime.now(UTC)
    today = now.date()
    pool = build_pool(pool_size(count), rng, fake, today)
    names = NameSource(fake, rng)
    # Each core's evaluation and pathway codes, worked out once (the records share them).
    shared = {id(evaluation): _Shared(evaluation) for _core, evaluation in pool}
    # Urgent rows older than a few hours were called by the first front-desk account, and those
    # older than a day signed off by the first clinician account (when there are such accounts);
    # the rest wait on the queue's pins and the clinicians' list, as in a real week.
    caller_id = _first_account("front_desk")
    signer_id = _first_account("clinician")
    existing = set(db.session.scalars(sa.select(Submission.reference)))
    refs = (r for r in _references(count + len(existing)) if r not in existing)
    store = _copy_batch if db.session.get_bind().dialect.name == "postgresql" else _insert_batch
    stored = 0
    while stored < count:
        batch = []
        for _ in range(min(BATCH, count - stored)):
            answers, evaluation = demo_answers(pool, rng, names, today)
            # Newer submissions are more common: a skewed spread over ``days``.
            age_days = days * rng.random() ** 2
            submitted_at = now - timedelta(days=age_days)
            row = row_values(answers, evaluation)
            called = row["urgent"] and caller_id is not None and age_days > 0.1
            contacted_at = submitted_at + timedelta(minutes=rng.randint(5, 90))
            signed = called and signer_id is not None and age_days > 1
            signed_at = contacted_at + timedelta(minutes=rng.randint(10, 240))
            row |= {
                "reference": next(refs),
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
            batch.append((row, shared[id(evaluation)], (contact, assessment)))
        store(batch)
        db.session.commit()
        stored += len(batch)
        if progress:
            progress(stored)
    return stored


class _Shared:
    """What every record of one core shares: its evaluation as JSON, and its pathway codes."""

    def __init__(self, evaluation: dict[str, Any]) -> None:
        self.evaluation_json = json.dumps(evaluation)
        self.pathways = pathway_codes(evaluation)


Risk = tuple[dict[str, Any] | None, dict[str, Any] | None]
Batch = list[tuple[dict[str, Any], _Shared, Risk]]


def _first_account(role: str) -> int | None:
    """The id of the first enabled account with ``role``, if any."""
    return db.session.scalar(
        sa.select(User.id)
        .where(User.roles_csv.like(f"%{role}%"), User.disabled.is_(False))
        .order_by(User.id)
    )


#: The submission columns the seeder writes (every NOT NULL column, ``acknowledged_at`` and
#: ``risk_signed_off_at``).
_COLUMNS = (
    "reference",
    "status",
    "urgent",
    "acute",
    "answers",
    "evaluation",
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


def _copy_batch(batch: Batch) -> None:
    """PostgreSQL: ``COPY`` the rows, with ids taken from the sequence first."""
    connection = db.session.connection()
    ids = list(
        connection.execute(
            sa.text(
                "SELECT nextval(pg_get_serial_sequence('submission', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": len(batch)},
        ).scalars()
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    columns = ", ".join(("id", *_COLUMNS))
    with cursor.copy(f"COPY submission ({columns}) FROM STDIN") as copy:
        for submission_id, (row, shared, _risk) in zip(ids, batch, strict=True):
            values = {**row, "answers": json.dumps(row["answers"])}
            values["evaluation"] = shared.evaluation_json
            copy.write_row((submission_id, *(values[name] for name in _COLUMNS)))
    with cursor.copy(
        "COPY submission_pathway (submission_id, code, submitted_at) FROM STDIN"
    ) as copy:
        for submission_id, (row, shared, _risk) in zip(ids, batch, strict=True):
            for code in shared.pathways:
                copy.write_row((submission_id, code, row["submitted_at"]))
    for table, names, which in (
        ("contact_attempt", _CONTACT_COLUMNS, 0),
        ("risk_assessment", _ASSESSMENT_COLUMNS, 1),
    ):
        with cursor.copy(f"COPY {table} (submission_id, {', '.join(names)}) FROM STDIN") as copy:
            for submission_id, (_row, _shared, risk) in zip(ids, batch, strict=True):
                if (record := risk[which]) is not None:
                    copy.write_row((submission_id, *(record[name] for name in names)))


def _insert_batch(batch: Batch) -> None:
    """Other databases (SQLite): executemany ``INSERT ... RETURNING id``."""
    rows = [{name: row[name] for name in _COLUMNS} for row, _shared, _risk in batch]
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
