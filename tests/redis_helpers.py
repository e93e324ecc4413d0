"""The Redis the tests use (``INTAKE_TEST_REDIS_URL``, else database 15 on this machine), and
the one check every Redis test makes before it: is one answering there?

A test that needs Redis calls :func:`require_redis` (or takes the ``redis_url`` fixture of
``tests/conftest.py``, which does): without a Redis it skips with the reason, except under CI
(``CI`` set), where a missing Redis is a failure, not a quietly skipped test.
"""

from __future__ import annotations

import os

import pytest

#: Database 15: what a test writes stays out of the development server's database 0.
REDIS_URL = os.environ.get("INTAKE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def require_redis(url: str = REDIS_URL) -> str:
    """``url``, once a Redis there answers a PING within a second; else skip (fail under CI).
    Refused, timed out connecting (a firewalled host) or answering nothing once connected (a
    hung server) alike: each second bounded, never a hung test run."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        message = f"Redis is not reachable at {url}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url
