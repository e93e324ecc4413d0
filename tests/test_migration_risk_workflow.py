"""Migration 0013_risk_workflow on a database that holds urgent submissions and acknowledgements:
nothing is signed off by the upgrade, the acknowledgements stay, and it goes down and up again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from answer_documents import ASQ_YES, changed, sample_answers
from flask_migrate import downgrade, upgrade
from throwaway_databases import create_database, drop_database, server_url

from config import TestingConfig
from intake import create_app
from intake.answers import parse_answers
from intake.extensions import db
from intake.models.submission import row_values
from intake.rules import evaluate
from tests.conftest import PROJECT_ROOT

REVISION = "0013_risk_workflow"


def test_0013_keeps_acknowledgements_and_signs_nothing_off(tmp_path, database_url: str) -> None:  # type: ignore[no-untyped-def]
    admin = None
    if database_url.startswith("postgresql"):
        url, admin = create_database(server_url())
    else:
        url = f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
    app = create_app(type("C", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    migrations = str(PROJECT_ROOT / "migrations")
    day = date(2026, 11, 1)
    try:
        with app.app_context():
            upgrade(directory=migrations, revision="0011")
            meta = sa.MetaData()
            submission = sa.Table("submission", meta, autoload_with=db.engine)
            user = sa.Table("staff_user", meta, autoload_with=db.engine)
            ack = sa.Table("acknowledgement", meta, autoload_with=db.engine)
            now = datetime.now(UTC)
            with db.engine.begin() as conn:
                user_id = conn.execute(
                    user.insert()
                    .values(
                        email="desk@example.org",
                        password_hash="x",
                        roles="front_desk",
                        disabled=False,
                        failed_logins=0,
                        session_generation=1,
                        password_changed_at=now,
                        created_at=now,
                    )
                    .returning(user.c.id)
                ).scalar_one()
                for reference, changes, acked in (
                    ("ACKD", ASQ_YES, True),
                    ("WAIT", ASQ_YES, False),
                ):
                    answers = parse_answers(changed(sample_answers(), changes), day)
                    sid = conn.execute(
                        submission.insert()
                        .values(
                            **{  # only the columns this older schema has
                                name: value
                                for name, value in row_values(
                                    answers, evaluate(answers, day)
                                ).items()
                                if name in submission.c
                            },
                            reference=reference,
                            status="new",
                            source="api",
                            created_at=now,
                            submitted_at=now - timedelta(hours=1),
                            version=1,
                            acknowledged_at=now if acked else None,
                        )
                        .returning(submission.c.id)
                    ).scalar_one()
                    if acked:
                        conn.execute(
                            ack.insert().values(
                                submission_id=sid,
                                by_id=user_id,
                                at=now,
                                action="other",
                                note="kept",
                            )
                        )
            upgrade(directory=migrations)
            with db.engine.connect() as conn:
                rows = conn.execute(
                    sa.text(
                        "SELECT reference, risk_signed_off_at FROM submission "
                        "WHERE urgent AND risk_signed_off_at IS NULL ORDER BY reference"
                    )
                ).all()
                notes = conn.execute(sa.text("SELECT note FROM acknowledgement")).scalars().all()
                attempts = conn.execute(sa.text("SELECT count(*) FROM contact_attempt")).scalar()
            assert [r.reference for r in rows] == ["ACKD", "WAIT"]  # both wait for a clinician
            assert notes == ["kept"] and attempts == 0
            downgrade(directory=migrations, revision="0011")
            names = set(sa.inspect(db.engine).get_table_names())
            columns = {c["name"] for c in sa.inspect(db.engine).get_columns("submission")}
            assert not {"contact_attempt", "risk_assessment"} & names
            assert "risk_signed_off_at" not in columns
            upgrade(directory=migrations)
            db.engine.dispose()
    finally:
        if admin is not None:
            drop_database(admin, url)
