"""Redis down: rate-limited routes keep working, limited per process, never a 500 (issue 9).

The rate-limit store points at a port nothing listens on, as when Redis is stopped. Flask-Limiter
then counts each route's own limits in this process's memory (``RATELIMIT_IN_MEMORY_FALLBACK_
ENABLED``), so a sign-in still works and guessing is still refused.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from answer_documents import AS_OF_ISO, sample_answers
from flask import Flask

from config import TestingConfig
from intake import create_app
from intake.extensions import db, limiter
from tests.conftest import empty_tables
from tests.factories import make_user


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def no_redis_app(database_url: str) -> Iterator[Flask]:
    config = type(
        "RedisDown",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{_closed_port()}/0",
            "LOGIN_RATE_LIMIT": "3 per minute",
            "EVALUATION_RATE_LIMIT": "2 per minute",
            "WTF_CSRF_ENABLED": False,
        },
    )
    app = create_app(config)
    with app.app_context():
        yield app
        db.session.remove()
        empty_tables()
        db.engine.dispose()
    # The limiter is one object for the whole process: leave it believing its store is alive.
    limiter._storage_dead = False


def test_sign_in_works_and_is_still_limited_without_redis(no_redis_app: Flask) -> None:
    make_user("front_desk", email="desk@example.org", password="correct horse battery 9")
    db.session.commit()
    client = no_redis_app.test_client()
    ok = client.post(
        "/staff/login", data={"email": "desk@example.org", "password": "correct horse battery 9"}
    )
    assert ok.status_code == 302
    wrong = {"email": "nobody@example.org", "password": "wrong-password-xyz"}
    other = no_redis_app.test_client()
    statuses = [other.post("/staff/login", data=wrong).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]  # 3 per minute, counted in this process


def test_evaluations_and_resume_work_without_redis(no_redis_app: Flask) -> None:
    client = no_redis_app.test_client()
    url = f"/api/v1/evaluations?as_of={AS_OF_ISO}"
    statuses = [client.post(url, json=sample_answers()).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    resume = client.post("/resume", data={"code": "ABCD-EFGH", "date_of_birth": "1985-04-12"})
    assert resume.status_code == 422  # not found, said plainly; not a 500
