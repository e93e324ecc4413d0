"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from intake.extensions import db


def test_models_and_migrations_agree(app: Flask) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def stored_then(table: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The values of ``row_values`` that the older schema ``table`` has columns for."""
    return {name: value for name, value in values.items() if name in table.c}


def test_0008_marks_stored_acute_evaluations(tmp_path, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """Upgrading a database that holds submissions fills ``acute`` from their stored flags."""
    from datetime import UTC, date, datetime

    import sqlalchemy as sa
    from answer_documents import ASQ_ACUTE, ASQ_YES, changed, sample_answers
    from flask_migrate import upgrade
    from throwaway_databases import create_database, drop_database, server_url

    from config import TestingConfig
    from intake import create_app
    from intake.answers import parse_answers
    from intake.models.submission import row_values
    from intake.rules import evaluate
    from tests.conftest import PROJECT_ROOT

    admin = None
    if database_url.startswith("postgresql"):
        url, admin = create_database(server_url())
    else:
        url = f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
    config = type("C", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    day = date(2026, 11, 1)
    try:
        with app.app_context():
            upgrade(directory=str(PROJECT_ROOT / "migrations"), revision="0007")
            table = sa.Table("submission", sa.MetaData(), autoload_with=db.engine)
            with db.engine.begin() as conn:
                for reference, changes in (("ACUT", ASQ_ACUTE), ("NONA", ASQ_YES), ("CALM", {})):
                    answers = parse_answers(changed(sample_answers(), changes), day)
                    values = stored_then(table, row_values(answers, evaluate(answers, day)))
                    now = datetime.now(UTC)
                    conn.execute(
                        table.insert().values(
                            **values,
                            reference=reference,
                            status="new",
                            source="api",
                            created_at=now,
                            submitted_at=now,
                            version=1,
                        )
                    )
            upgrade(directory=str(PROJECT_ROOT / "migrations"))
            with db.engine.connect() as conn:
                rows = conn.execute(sa.text("SELECT reference, acute FROM submission")).all()
            db.engine.dispose()
        assert {reference: bool(acute) for reference, acute in rows} == {
            "ACUT": True,
            "NONA": False,
            "CALM": False,
        }
    finally:
        if admin is not None:
            drop_database(admin, url)


def test_0011_moves_pathways_to_the_join_table_and_back(tmp_path, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """Upgrading fills ``submission_pathway`` from each stored evaluation (in SQL, per
    dialect); downgrading rebuilds ``pathway_codes`` from the evaluations in their order."""
    from datetime import UTC, date, datetime

    import sqlalchemy as sa
    from answer_documents import ASQ_ACUTE, ASQ_YES, changed, sample_answers
    from flask_migrate import downgrade, upgrade
    from throwaway_databases import create_database, drop_database, server_url

    from config import TestingConfig
    from intake import create_app
    from intake.answers import parse_answers
    from intake.models.submission import row_values
    from intake.rules import evaluate
    from tests.conftest import PROJECT_ROOT

    # reference, answers changed, evaluation kept as is (None: no pathways key at all).
    stored = (
        ("CALM", {}, True),
        ("NONA", ASQ_YES, True),
        ("ACUT", ASQ_ACUTE, True),
        ("NONE", {}, False),
    )
    # What each should hold, written out: rules v2's pathways for these answers, in order.
    expected = {
        "CALM": ["tms_plus_cbt", "tms_plus_medication_review"],
        "NONA": ["safety_check", "tms_plus_cbt", "tms_plus_medication_review"],
        "ACUT": ["crisis_support", "medication_evaluation", "psychotherapy"],
        "NONE": [],
    }
    admin = None
    if database_url.startswith("postgresql"):
        url, admin = create_database(server_url())
    else:
        url = f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
    config = type("C", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    day = date(2026, 11, 1)
    migrations = str(PROJECT_ROOT / "migrations")
    try:
        with app.app_context():
            upgrade(directory=migrations, revision="0009")
            table = sa.Table("submission", sa.MetaData(), autoload_with=db.engine)
            with db.engine.begin() as conn:
                for reference, changes, keep in stored:
                    answers = parse_answers(changed(sample_answers(), changes), day)
                    evaluation = evaluate(answers, day)
                    if not keep:
                        evaluation = {k: v for k, v in evaluation.items() if k != "pathways"}
                    now = datetime.now(UTC)
                    conn.execute(
                        table.insert().values(
                            **stored_then(table, row_values(answers, evaluation)),
                            pathway_codes="",
                            reference=reference,
                            status="new",
                            source="api",
                            created_at=now,
                            submitted_at=now,
                            version=1,
                        )
                    )
            upgrade(directory=migrations)
            with db.engine.connect() as conn:
                rows = conn.execute(
                    sa.text(
                        "SELECT s.reference, p.code FROM submission_pathway p "
                        "JOIN submission s ON s.id = p.submission_id"
                    )
                ).all()
            joined: dict[str, set[str]] = {}
            for reference, code in rows:
                joined.setdefault(reference, set()).add(code)
            assert joined == {ref: set(codes) for ref, codes in expected.items() if codes}

            downgrade(directory=migrations, revision="0009")
            with db.engine.connect() as conn:
                found = conn.execute(sa.text("SELECT reference, pathway_codes FROM submission"))
                back = {reference: codes for reference, codes in found}
                tables = sa.inspect(conn).get_table_names()
            db.engine.dispose()
        assert back == {
            ref: f",{','.join(codes)}," if codes else "" for ref, codes in expected.items()
        }
        assert "submission_pathway" not in tables
    finally:
        if admin is not None:
            drop_database(admin, url)


def test_0016_fills_the_worklist_columns_and_drops_them_again(tmp_path, database_url: str) -> None:  # type: ignore[no-untyped-def]
    """Upgrading fills the worklist's copies from what each row already holds: the status's
    place in the workflow, the PHQ-9 total and first flag of the stored evaluation, the folded
    payer name and the latest clinician review's decision; downgrading removes them."""
    from datetime import UTC, date, datetime, timedelta

    import sqlalchemy as sa
    from answer_documents import ASQ_YES, changed, sample_answers
    from flask_migrate import downgrade, upgrade
    from throwaway_databases import create_database, drop_database, server_url

    from config import TestingConfig
    from intake import create_app
    from intake.answers import parse_answers
    from intake.models.submission import row_values
    from intake.rules import evaluate
    from tests.conftest import PROJECT_ROOT

    day = date(2026, 11, 1)
    calm = parse_answers(
        changed(sample_answers(), {"insurance.payer_name": "  Blue Crôss Ünited "}), day
    )
    risky = parse_answers(changed(sample_answers(), {**ASQ_YES, "phq9.items": [3] * 9}), day)
    # reference, answers, status; what the worklist columns must hold, written out here.
    stored = (("CALM", calm, "closed"), ("RISK", risky, "needs_info"))
    expected = {
        "CALM": (5, sum(calm["phq9"]["items"]), None, "blue cross united", "different"),
        "RISK": (2, 27, "suicide_risk", "aetna", None),
    }
    admin = None
    if database_url.startswith("postgresql"):
        url, admin = create_database(server_url())
    else:
        url = f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
    config = type("C", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    migrations = str(PROJECT_ROOT / "migrations")
    try:
        with app.app_context():
            upgrade(directory=migrations, revision="0014_partial_submission")
            table = sa.Table("submission", sa.MetaData(), autoload_with=db.engine)
            reviews = sa.Table("clinician_review", sa.MetaData(), autoload_with=db.engine)
            now = datetime.now(UTC)
            with db.engine.begin() as conn:
                ids = {}
                for reference, answers, status in stored:
                    evaluation = evaluate(answers, day)
                    ids[reference] = conn.execute(
                        table.insert().values(
                            **stored_then(table, row_values(answers, evaluation)),
                            reference=reference,
                            status=status,
                            source="api",
                            created_at=now,
                            submitted_at=now,
                            version=1,
                        )
                    ).inserted_primary_key[0]
                for decision, at in (("agree", now - timedelta(hours=2)), ("different", now)):
                    conn.execute(
                        reviews.insert().values(
                            submission_id=ids["CALM"],
                            decision=decision,
                            pathway_codes=[],
                            suggested_codes=[],
                            ruleset_sha256="",
                            note="",
                            created_at=at,
                        )
                    )
            upgrade(directory=migrations)
            with db.engine.connect() as conn:
                found = conn.execute(
                    sa.text(
                        "SELECT reference, status_rank, phq9_total, top_flag, payer_folded, "
                        "review_decision FROM submission"
                    )
                ).all()
            assert {row[0]: tuple(row[1:]) for row in found} == expected
            downgrade(directory=migrations, revision="0014_partial_submission")
            with db.engine.connect() as conn:
                columns = {c["name"] for c in sa.inspect(conn).get_columns("submission")}
            db.engine.dispose()
        assert not columns & {"status_rank", "phq9_total", "top_flag", "payer_folded"}
    finally:
        if admin is not None:
            drop_database(admin, url)
