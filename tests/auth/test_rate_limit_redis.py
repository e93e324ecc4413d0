"""Login rate limits kept in Redis (``INTAKE_RATELIMIT_STORAGE_URL``), shared by every worker."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask

from config import TestingConfig
from intake import create_app
from intake.extensions import db, limiter


@pytest.fixture
def prefix() -> str:
    """A unique key prefix keeps repeated or parallel runs from sharing counters."""
    return f"intake-test-{uuid.uuid4().hex}"


@pytest.fixture
def redis_apps(database_url: str, redis_url: str, prefix: str) -> Iterator[tuple[Flask, Flask]]:
    """Two apps (as two gunicorn workers would be) sharing one Redis rate-limit store."""
    config = type(
        "RedisLimits",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": redis_url,
            "RATELIMIT_KEY_PREFIX": prefix,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "WTF_CSRF_ENABLED": False,
        },
    )
    first, second = create_app(config), create_app(config)
    yield first, second
    limiter.reset()
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()


def test_login_limit_is_shared_through_redis(
    redis_apps: tuple[Flask, Flask], redis_url: str, prefix: str
) -> None:
    import redis

    first, second = redis_apps
    form = {"email": "nobody@example.org", "password": "wrong-password-xyz"}
    statuses = [first.test_client().post("/staff/login", data=form).status_code for _ in range(2)]
    statuses.append(second.test_client().post("/staff/login", data=form).status_code)
    assert statuses == [401, 401, 401]
    # The fourth try is refused by the *first* app: the count lives in Redis, not in a worker.
    assert first.test_client().post("/staff/login", data=form).status_code == 429
    # And the counters really are in Redis, under this run's prefix.
    store = redis.Redis.from_url(redis_url)
    keys = store.keys(f"*{prefix}*")
    assert keys
    store.delete(*keys)
