"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from intake.extensions import db


def test_models_and_migrations_agree(app: Flask) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


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
                    values = row_values(answers, evaluate(answers, day))
                    del values["acute"]
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
