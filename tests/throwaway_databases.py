"""Throwaway PostgreSQL databases: create one with a random name, drop it afterwards.

Shared by the suite's ``database_url`` fixture, the production-config tests and the production
smoke script, so that each creates and drops databases the same way (and none needs pytest).
"""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa

#: The local server CI and ``make test-postgres`` use when nothing else is said.
DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class DatabaseUnavailable(RuntimeError):
    """The PostgreSQL server could not be reached."""


def server_url() -> str:
    """``INTAKE_TEST_DATABASE_URL`` when it names a PostgreSQL server, else the local default."""
    url = os.environ.get("INTAKE_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else DEFAULT_SERVER_URL


def create_database(server: str, prefix: str = "intake_test") -> tuple[str, sa.Engine]:
    """Create ``<prefix>_<random>`` on ``server``; return its URL and an admin engine for
    ``drop_database``. Raises ``DatabaseUnavailable`` when the server does not answer."""
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", connect_args=_timeout(server))
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        raise DatabaseUnavailable(str(exc).splitlines()[0]) from exc
    url = sa.engine.make_url(server).set(database=name)
    return url.render_as_string(hide_password=False), admin


def drop_database(admin: sa.Engine, url: str) -> None:
    """End every connection to the database at ``url`` and drop it."""
    name = sa.engine.make_url(url).database
    with admin.connect() as conn:
        conn.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _timeout(server: str) -> dict[str, int]:
    """A short connect timeout, so an absent server is reported in seconds, not minutes."""
    return {"connect_timeout": 5} if server.startswith("postgresql") else {}
