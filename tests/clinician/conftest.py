"""Fixtures of the clinician tests of the stored PDFs (tests/pdf_worker_queue.py has what they
build on): the wall clock the PDF flow reads, the Redis queue, a summary to download, and a
Redis that never answers (the alert tests' ``silent_redis``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from clinician_samples import rich_answers, store
from flask import Flask
from flask.testing import FlaskClient
from huey import Huey, RedisHuey
from pdf_worker_queue import Clock, Summary, forget_redis_queue, redis_worker_queue

from intake import pdf_jobs
from tests.alerts.test_queue_redis_hangs import silent_redis

__all__ = ["silent_redis"]  # the alert tests' hung Redis, for the PDF flow's (a fixture)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """``pdf_jobs``' wall clock, frozen until the test moves it."""
    frozen = Clock()
    monkeypatch.setattr(pdf_jobs, "_now", frozen, raising=False)
    return frozen


@pytest.fixture
def redis_queue(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisHuey]:
    """The production queue: Redis (a queue name of this test's own), with the render task."""
    huey = redis_worker_queue(app, monkeypatch)
    yield huey
    forget_redis_queue(huey)


@pytest.fixture(params=["sqlite", "redis"])
def any_queue(request: pytest.FixtureRequest) -> Huey:
    """Each real queue in turn: SQLite (one machine) and Redis (production)."""
    queue: Huey = request.getfixturevalue("queue" if request.param == "sqlite" else "redis_queue")
    return queue


@pytest.fixture
def summary(client: FlaskClient, login_as: Any) -> Summary:
    login_as("clinician")
    return Summary(client, store(rich_answers()).id)
