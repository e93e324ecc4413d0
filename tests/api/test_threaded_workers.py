"""``POST /api/v1/intakes`` in one process serving several requests at once, as gunicorn's
``gthread`` workers do (docs/operations.md, "Deploying": ``--worker-class gthread --threads 8``).

Each thread's request has its own application context, so its own database session and
connection: intakes sent at once from eight threads are each stored once, under their own
``Idempotency-Key``, with the id their 201 gave. And a worker of eight threads keeps eight
connections open between requests, rather than opening one per request under load.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from answer_documents import sample_answers
from flask import Flask
from sqlalchemy import event, select

from config import ProductionConfig, TestingConfig
from intake.extensions import db
from intake.models import Submission
from tests.conftest import app_in_context

#: ``--threads`` in the documented gunicorn command.
THREADS = 8
ROUNDS = 3


@pytest.fixture
def threaded_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The test app with production's connection pool (the rest as the suite's ``app``)."""
    config = type(
        "ThreadedConfig",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": ProductionConfig.SQLALCHEMY_ENGINE_OPTIONS,
        },
    )
    with app_in_context(config, tmp_path) as app:
        yield app


def _token(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["api-token", "create", "kiosk"])
    assert result.exit_code == 0, result.output
    return str(result.output.strip().splitlines()[-1])


def test_intakes_sent_at_once_from_eight_threads_are_each_stored_once(
    threaded_app: Flask,
) -> None:
    token = _token(threaded_app)
    start = threading.Barrier(THREADS)
    answered: dict[str, tuple[int, int]] = {}  # key -> (status, id)
    failures: list[BaseException] = []

    def kiosk(n: int) -> None:
        client = threaded_app.test_client()
        try:
            for round_ in range(ROUNDS):
                key = f"thread-{n}-{round_}"
                document = sample_answers()
                document["patient"]["last_name"] = f"Reyes-{n}-{round_}"
                start.wait(timeout=30)
                response = client.post(
                    "/api/v1/intakes",
                    json=document,
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                )
                body = response.get_json() or {}
                answered[key] = (response.status_code, body.get("id", 0))
        except BaseException as exc:  # reported by the test below
            failures.append(exc)
            start.abort()

    threads = [threading.Thread(target=kiosk, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert len(answered) == THREADS * ROUNDS
    assert {status for status, _id in answered.values()} == {201}
    db.session.rollback()
    stored = dict(
        db.session.execute(
            select(Submission.idempotency_key, Submission.id).where(
                Submission.idempotency_key.is_not(None)
            )
        ).all()
    )
    assert stored == {key: ident for key, (_status, ident) in answered.items()}
    names = db.session.scalars(select(Submission.last_name)).all()
    assert sorted(names) == sorted(f"Reyes-{n}-{r}" for n in range(THREADS) for r in range(ROUNDS))


def test_a_worker_of_eight_threads_keeps_eight_connections(threaded_app: Flask) -> None:
    """Eight requests at once hold eight connections; given back, the pool keeps them, so the
    next eight open none (with SQLAlchemy's default of five kept, three were closed and opened
    again on every such round)."""
    opened: list[object] = []

    def note(dbapi_connection: object, _record: object) -> None:
        opened.append(dbapi_connection)

    db.engine.dispose()  # none open before the first round
    event.listen(db.engine, "connect", note)
    try:
        for _round in range(ROUNDS):
            held = [db.engine.connect() for _ in range(THREADS)]
            for conn in held:
                conn.close()
    finally:
        event.remove(db.engine, "connect", note)
    assert len(opened) == THREADS
