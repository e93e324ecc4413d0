"""``create_app`` with the production configuration, read from the environment at creation.

Refusals need no database: the check runs before anything is bound. The good environment points
at a throwaway PostgreSQL database (and a Redis URL), builds the app and runs the documented
commands in a real ``flask`` subprocess. Those tests skip when PostgreSQL is unreachable, except
under CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from throwaway_databases import DatabaseUnavailable, create_database, drop_database, server_url

from config import DEV_SECRET_KEY, ENVIRONMENT, ConfigError, config_from_env
from intake import create_app
from intake.extensions import db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 24 + "-random-enough"
REDIS_URL = os.environ.get("INTAKE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """``INTAKE_ENV=production`` and none of the other ``INTAKE_*`` settings from the shell."""
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("INTAKE_ENV", "production")
    return monkeypatch


def _refusals() -> list[str]:
    with pytest.raises(ConfigError) as caught:
        create_app()
    return caught.value.problems


def test_nothing_set_is_refused_once_for_every_variable(production_env) -> None:
    problems = _refusals()
    assert [p.split()[0] for p in problems] == [
        "INTAKE_SECRET_KEY",
        "INTAKE_DATABASE_URL",
        "INTAKE_RATELIMIT_STORAGE_URL",
    ]
    with pytest.raises(ConfigError) as caught:
        create_app()
    message = str(caught.value)
    assert all(problem in message for problem in problems)


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("INTAKE_SECRET_KEY", "", "is not set"),
        ("INTAKE_SECRET_KEY", "short-key", "is 9 characters"),
        ("INTAKE_SECRET_KEY", DEV_SECRET_KEY, "development key"),
        ("INTAKE_DATABASE_URL", "", "is not set"),
        ("INTAKE_DATABASE_URL", "sqlite:////tmp/intake.sqlite3", "INTAKE_ALLOW_SQLITE=1"),
        ("INTAKE_RATELIMIT_STORAGE_URL", "memory://", "INTAKE_ALLOW_MEMORY_RATELIMIT=1"),
        ("INTAKE_PROXY_COUNT", "one", "must be a whole number"),
        ("INTAKE_SECURE_COOKIES", "maybe", "must be 1 or 0"),
    ],
)
def test_each_unsafe_setting_is_refused_by_name(production_env, variable, value, words) -> None:
    good = {
        "INTAKE_SECRET_KEY": GOOD_KEY,
        "INTAKE_DATABASE_URL": "postgresql+psycopg://intake@db.invalid/intake",
        "INTAKE_RATELIMIT_STORAGE_URL": REDIS_URL,
    }
    for name, setting in {**good, variable: value}.items():
        production_env.setenv(name, setting)
    problems = _refusals()
    assert len(problems) == 1, problems
    assert problems[0].startswith(variable)
    assert words in problems[0]
    if variable == "INTAKE_SECRET_KEY" and value:
        assert value not in problems[0]  # a key is never echoed, not even a bad one


def test_sqlite_and_memory_limits_start_when_explicitly_allowed(production_env, tmp_path) -> None:
    production_env.setenv("INTAKE_SECRET_KEY", GOOD_KEY)
    production_env.setenv("INTAKE_DATABASE_URL", f"sqlite:///{tmp_path / 'one.sqlite3'}")
    production_env.setenv("INTAKE_ALLOW_SQLITE", "1")
    production_env.setenv("INTAKE_RATELIMIT_STORAGE_URL", "memory://")
    production_env.setenv("INTAKE_ALLOW_MEMORY_RATELIMIT", "yes")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.test_client().get("/healthz").get_json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not used",
    }
    with app.app_context():
        db.engine.dispose()


def test_development_needs_nothing_and_reads_the_environment_when_called() -> None:
    config = config_from_env({})
    assert config.SECRET_KEY == DEV_SECRET_KEY
    assert config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    config.check()
    later = config_from_env({"INTAKE_STAFF_IDLE_MINUTES": "5", "INTAKE_SECURE_COOKIES": "on"})
    assert later.STAFF_IDLE_TIMEOUT.total_seconds() == 300
    assert later.SESSION_COOKIE_SECURE is True
    with pytest.raises(ConfigError, match="INTAKE_ENV must be one of"):
        config_from_env({"INTAKE_ENV": "prod"})


# --- a good production environment, on PostgreSQL ---------------------------------------------


@pytest.fixture(scope="module")
def production_database() -> Iterator[str]:
    """A throwaway, empty PostgreSQL database for this module; dropped afterwards."""
    try:
        url, admin = create_database(server_url(), prefix="intake_prod_test")
    except DatabaseUnavailable as exc:
        message = f"PostgreSQL is not reachable at {server_url()}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield url
    drop_database(admin, url)


def _good_env(database_url: str) -> dict[str, str]:
    return {
        "INTAKE_ENV": "production",
        "INTAKE_SECRET_KEY": GOOD_KEY,
        "INTAKE_DATABASE_URL": database_url,
        "INTAKE_RATELIMIT_STORAGE_URL": REDIS_URL,
    }


@pytest.mark.postgres
def test_good_production_environment_starts_and_answers_healthz(
    production_env, production_database: str
) -> None:
    for name, value in _good_env(production_database).items():
        production_env.setenv(name, value)
    app: Flask = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == production_database
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}
    with app.app_context():
        db.engine.dispose()


def _flask(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``flask --app intake ARGS`` in a subprocess, with only ``env`` for ``INTAKE_*``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "intake", *args],
        cwd=PROJECT_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.postgres
def test_documented_commands_succeed_in_production(production_database: str) -> None:
    env = _good_env(production_database)
    upgrade = _flask("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    user = _flask(
        "user", "create", "desk@clinic.example", "--role", "front_desk", "--role", "clinician",
        env={**env, "INTAKE_USER_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert user.returncode == 0, user.stderr
    assert "Created desk@clinic.example (clinician, front_desk)." in user.stdout
    token = _flask("api-token", "create", "kiosk", env=env)
    assert token.returncode == 0, token.stderr
    assert len(token.stdout.strip().splitlines()[-1]) >= 32


def test_commands_refuse_an_unsafe_production_environment_by_name() -> None:
    result = _flask("db", "upgrade", env={"INTAKE_ENV": "production"})
    assert result.returncode != 0
    for variable in ("INTAKE_SECRET_KEY", "INTAKE_DATABASE_URL", "INTAKE_RATELIMIT_STORAGE_URL"):
        assert variable in result.stderr


def test_evaluate_builds_no_app_so_production_settings_do_not_matter(tmp_path) -> None:
    import json

    from answer_documents import sample_answers

    document = tmp_path / "answers.json"
    document.write_text(json.dumps(sample_answers()))
    result = _flask(
        "evaluate", str(document), "--as-of", "2026-11-01", env={"INTAKE_ENV": "production"}
    )
    assert result.returncode == 0, result.stderr
    assert "pathways" in result.stdout
