"""``seed(count)``: store ``count`` synthetic submissions with bulk inserts.

Every record is an answers document that went through ``parse_answers`` and is stored with the
same ``row_values`` as a real submission, so demo rows are rows the app could have stored. The
rules are the expensive part, so a pool of a few hundred clinical cores is evaluated once each
(``evaluate_document``) and each record reuses its core's evaluation: dressing a core with a
new identity changes nothing the rules read (see ``identities``).
"""

from __future__ import annotations

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
from intake.models import Acknowledgement, Submission, User
from intake.models.submission import row_values
from intake.models.workflow import ACKNOWLEDGEMENT_ACTIONS
from intake.services.codes import random_code
from intake.services.submissions import evaluate_document

BATCH = 2000
POOL = 600

Pool = list[tuple[dict[str, Any], dict[str, Any]]]


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
    pool = build_pool(min(POOL, max(count, 1)), rng, fake, today)
    acknowledger = db.session.scalar(
        sa.select(User)
        .where(User.roles_csv.like("%front_desk%"), User.disabled.is_(False))
        .order_by(User.id)
    )
    existing = set(db.session.scalars(sa.select(Submission.reference)))
    refs = (r for r in _references(count + len(existing)) if r not in existing)
    stored = 0
    while stored < count:
        rows = []
        for _ in range(min(BATCH, count - stored)):
            answers, evaluation = demo_answers(pool, rng, fake, today)
            # Newer submissions are more common: a skewed spread over ``days``.
            age_days = days * rng.random() ** 2
            submitted_at = now - timedelta(days=age_days)
            row = row_values(answers, evaluation)
            acked = row["urgent"] and acknowledger is not None and age_days > 0.1
            row |= {
                "reference": next(refs),
                "status": _status(rng, age_days),
                "created_at": submitted_at,
                "submitted_at": submitted_at,
                "source": "demo",
                "version": 1,
                "acknowledged_at": submitted_at + timedelta(minutes=rng.randint(5, 90))
                if acked
                else None,
            }
            rows.append(row)
        result = db.session.execute(
            sa.insert(Submission).returning(Submission.id, Submission.acknowledged_at), rows
        )
        acks = [
            {
                "submission_id": sid,
                "by_id": acknowledger.id,
                "at": at,
                "action": rng.choice(list(ACKNOWLEDGEMENT_ACTIONS)[:3]),
                "note": "Demo: spoke with the patient; safety plan reviewed.",
            }
            for sid, at in result.all()
            if at is not None and acknowledger is not None
        ]
        if acks:
            db.session.execute(sa.insert(Acknowledgement), acks)
        db.session.commit()
        stored += len(rows)
        if progress:
            progress(stored)
    return stored
