"""Shared fixtures: an app on a freshly migrated database, a client, a CLI runner.

The suite runs on SQLite by default. Set ``INTAKE_TEST_DATABASE_URL`` to a PostgreSQL server URL
(for example ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) to run the very same tests
on PostgreSQL: a database with a random name is created for the run and dropped afterwards.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from throwaway_databases import DatabaseUnavailable, create_database, drop_database

from config import TestingConfig
from intake import create_app
from intake.extensions import db, limiter

if TYPE_CHECKING:
    from huey import SqliteHuey

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _create_postgres_database(server_url: str) -> tuple[str, sa.Engine]:
    """Create a throwaway database on the server and return its URL and an admin engine."""
    try:
        return create_database(server_url)
    except DatabaseUnavailable as exc:
        pytest.exit(f"INTAKE_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}", 2)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The database this test run uses, migrated to the newest revision."""
    server_url = os.environ.get("INTAKE_TEST_DATABASE_URL")
    admin = None
    if server_url:
        url, admin = _create_postgres_database(server_url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    _migrate(url)
    yield url
    if admin is not None:
        drop_database(admin, url)


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(_config_for(url))
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
        db.engine.dispose()


def _config_for(url: str) -> type[TestingConfig]:
    return type("RunConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A fresh app per test (card photos in the test's own folder); every table is emptied
    afterwards."""
    with app_in_context(_config_for(database_url), tmp_path) as app:
        yield app


@contextlib.contextmanager
def app_in_context(config: type[TestingConfig], tmp_path: Path) -> Iterator[Flask]:
    """An app of ``config`` (card photos in ``tmp_path``) inside its app context, with fresh
    in-process rate limits; afterwards its session is closed, every table emptied and its
    connections closed. The ``app`` fixture, and any test's app of another configuration."""
    app = create_app(config)
    app.config["INTAKE_UPLOAD_DIR"] = str(tmp_path / "uploads")
    limiter.reset()
    with app.app_context():
        yield app
        db.session.remove()
        empty_tables()
        db.engine.dispose()


def empty_tables() -> None:
    """Delete every row of every table (between tests), the append-only audit log included."""
    with db.engine.begin() as conn, _audit_triggers_off(conn):
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@contextlib.contextmanager
def _audit_triggers_off(conn: sa.Connection) -> Iterator[None]:
    """Let the cleanup between tests empty the append-only audit tables (migration 0009).

    On PostgreSQL the superuser the tests connect as turns triggers off for this transaction;
    SQLite cannot, so its triggers are dropped and created again from their own stored SQL.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        yield
        return
    triggers = conn.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    ).all()
    for name, _ in triggers:
        conn.execute(sa.text(f'DROP TRIGGER "{name}"'))
    yield
    for _, sql in triggers:
        conn.execute(sa.text(sql))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture
def redis_url() -> str:
    """The tests' Redis (``tests/redis_helpers.py``): skips without one, fails under CI."""
    from redis_helpers import require_redis

    return require_redis()


# --- staff accounts (added by the staff/auth work) ---------------------------------------------


@pytest.fixture
def login_as(app: Flask, client: FlaskClient):  # type: ignore[no-untyped-def]
    """``login_as("front_desk", "admin")`` creates a user with those roles and signs ``client``
    in as them (without the password step). Returns the user."""
    import time

    from intake.auth.sessions import LOGIN_AT, SEEN_AT, SESSION_TOKEN, open_session_record
    from tests.factories import make_user

    def _login(*roles: str, user=None, on=None):  # type: ignore[no-untyped-def]
        user = user or make_user(*roles)
        target = on or client
        now = int(time.time())
        token = open_session_record(user)
        db.session.commit()
        with target.session_transaction() as sess:
            sess[SESSION_TOKEN] = token
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            sess[LOGIN_AT] = now
            sess[SEEN_AT] = now
        return user

    return _login


# --- the PDF worker (tests/pdf_worker_queue.py) ------------------------------------------------


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every call of the HTML-to-PDF renderer during the test, counted (it still renders)."""
    from pdf_worker_queue import count_renders

    return count_renders(monkeypatch)


@pytest.fixture
def queue(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SqliteHuey:
    """A real huey queue (SQLite, in the test's folder) with the app's PDF render task on it,
    as ``flask worker`` has; ``pdf_worker_queue.run_worker`` runs what is queued. (The alert
    worker's process tests define a ``queue`` of their own.)"""
    from pdf_worker_queue import worker_queue

    return worker_queue(app, tmp_path, monkeypatch)
