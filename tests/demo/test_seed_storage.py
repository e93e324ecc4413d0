"""What ``seed`` stores: every row a submission the app could have stored, in batches or in bulk;
a bulk seed (PostgreSQL) puts back every index and constraint it set aside, and an interrupted
one leaves the tables as they were."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from intake.answers import parse_answers
from intake.demo import seed as seeder
from intake.extensions import db
from intake.models import ContactAttempt, RiskAssessment, Submission
from intake.models.submission import SubmissionPathway, pathway_codes, row_values
from intake.rules import evaluate
from tests.factories import make_user

TABLES = ("submission", "submission_pathway", "contact_attempt", "risk_assessment")


class Interrupted(BaseException):
    """Stands for Ctrl-C in the middle of a seed."""


def _count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _schema() -> set[tuple[str, ...]]:
    """Every index and constraint of the tables a seed fills, as the catalog defines them."""
    indexes = db.session.execute(
        sa.text(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = ANY(:t)"
        ),
        {"t": list(TABLES)},
    ).all()
    constraints = db.session.execute(
        sa.text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), "
            "convalidated::text, condeferrable::text FROM pg_constraint "
            "WHERE conrelid = ANY(CAST(:t AS regclass[]))"
        ),
        {"t": list(TABLES)},
    ).all()
    return {tuple(row) for row in (*indexes, *constraints)}


def _submission_indexes() -> int:
    return db.session.scalar(
        sa.text("SELECT count(*) FROM pg_indexes WHERE tablename = 'submission'")
    )


@pytest.mark.usefixtures("app")
@pytest.mark.parametrize("bulk", [False, True])
def test_every_seeded_row_is_a_valid_submission(bulk: bool) -> None:
    """Each row: answers that ``parse_answers`` returns unchanged, the evaluation the rules give
    them, the columns ``row_values`` takes out of both, one pathway row per pathway; contact
    attempts and risk sign-offs only on urgent rows. (``bulk`` changes nothing on SQLite.)"""
    make_user("front_desk")
    make_user("clinician")
    db.session.commit()
    today = datetime.now(UTC).date()  # the seeder evaluates as of the UTC date
    assert seeder.seed(240, seed_value=11, bulk=bulk) == 240
    db.session.expire_all()
    submissions = db.session.scalars(sa.select(Submission)).all()
    assert len(submissions) == 240
    assert len({s.reference for s in submissions}) == 240
    for s in submissions:
        assert parse_answers(s.answers, today) == s.answers
        assert evaluate(s.answers, today) == s.evaluation
        expected: dict[str, Any] = row_values(s.answers, s.evaluation)
        assert {name: getattr(s, name) for name in expected} == expected
        assert sorted((p.code, p.submitted_at) for p in s.pathway_rows) == sorted(
            (code, s.submitted_at) for code in pathway_codes(s.evaluation)
        )
        assert s.source == "demo" and s.version == 1 and s.created_at == s.submitted_at
        assert len(s.contact_attempts) == (s.acknowledged_at is not None)
        assert len(s.risk_assessments) == (s.risk_signed_off_at is not None)
        if s.acknowledged_at is not None:
            assert s.urgent and s.contact_attempts[0].at == s.acknowledged_at
    assert any(s.acknowledged_at for s in submissions)
    assert any(s.risk_signed_off_at for s in submissions)
    assert _count(SubmissionPathway) == sum(len(pathway_codes(s.evaluation)) for s in submissions)
    assert _count(ContactAttempt) == sum(s.acknowledged_at is not None for s in submissions)
    assert _count(RiskAssessment) == sum(s.risk_signed_off_at is not None for s in submissions)


@pytest.mark.postgres
@pytest.mark.usefixtures("app")
def test_a_bulk_seed_loads_without_the_indexes_and_puts_every_one_back(
    is_postgres: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not is_postgres:
        pytest.skip("bulk loading is PostgreSQL's")
    make_user("front_desk")
    db.session.commit()
    before = _schema()
    # The migrations' secondary indexes on submission (more than twenty) are among them.
    assert sum(1 for row in before if row[0] == "submission" and len(row) == 3) > 20
    monkeypatch.setattr(seeder, "BATCH", 50)
    during: list[int] = []
    told: list[tuple[str, int]] = []
    seeder.seed(
        120,
        seed_value=2,
        bulk=True,
        progress=lambda _n: during.append(_submission_indexes()),
        say=lambda message: told.append((message, _submission_indexes())),
    )
    # Only the primary key was kept up to date during the load.
    assert during == [1, 1, 1]
    # The operator hears once, after the last record and before the rebuild, that it starts.
    assert len(told) == 1
    assert told[0][0].startswith("creating the ")
    assert told[0][1] == 1
    assert _schema() == before
    assert _count(Submission) == 120


@pytest.mark.postgres
@pytest.mark.usefixtures("app")
def test_an_interrupted_bulk_seed_leaves_the_tables_as_they_were(
    is_postgres: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not is_postgres:
        pytest.skip("bulk loading is PostgreSQL's")
    seeder.seed(30, seed_value=4, bulk=False)
    before = _schema(), _count(Submission), _count(SubmissionPathway)
    monkeypatch.setattr(seeder, "BATCH", 50)

    def interrupt(done: int) -> None:
        if done >= 100:
            raise Interrupted  # a BaseException, like Ctrl-C's KeyboardInterrupt

    with pytest.raises(Interrupted):
        seeder.seed(200, seed_value=5, bulk=True, progress=interrupt)
    assert (_schema(), _count(Submission), _count(SubmissionPathway)) == before


@pytest.mark.postgres
@pytest.mark.usefixtures("app")
def test_only_a_large_seed_into_a_smaller_table_is_loaded_in_bulk(
    is_postgres: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By default: bulk from ``BULK_MIN`` records, and only when the seed at least doubles the
    table (rebuilding every index over a large table to add a few rows costs more)."""
    if not is_postgres:
        pytest.skip("bulk loading is PostgreSQL's")
    monkeypatch.setattr(seeder, "BULK_MIN", 100)
    monkeypatch.setattr(seeder, "BATCH", 40)
    all_indexes = _submission_indexes()
    seen: list[int] = []
    seeder.seed(99, seed_value=6, progress=lambda _n: seen.append(_submission_indexes()))
    assert set(seen) == {all_indexes}  # under BULK_MIN: batches, indexes kept
    seen.clear()
    seeder.seed(120, seed_value=7, progress=lambda _n: seen.append(_submission_indexes()))
    assert set(seen) == {1}  # 120 more into 99: bulk
    seen.clear()
    seeder.seed(200, seed_value=8, progress=lambda _n: seen.append(_submission_indexes()))
    assert set(seen) == {all_indexes}  # 200 more into 219: batches
    assert _count(Submission) == 419
