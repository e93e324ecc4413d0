"""Configuration classes, read from ``INTAKE_*`` environment variables.

Production refuses to start without a real secret key, because a guessable key would let anyone
forge a staff session cookie.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("INTAKE_SECRET_KEY", "dev-only-insecure-key")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "INTAKE_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'intake.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 256 * 1024
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("INTAKE_SECURE_COOKIES", False)
    DRAFT_LIFETIME = timedelta(days=14)
    #: A browser forgets its unfinished form after this long without activity (shared devices).
    PATIENT_IDLE_TIMEOUT = timedelta(
        minutes=int(os.environ.get("INTAKE_PATIENT_IDLE_MINUTES", "60"))
    )
    STAFF_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("INTAKE_STAFF_IDLE_MINUTES", "15")))
    STAFF_MAX_SESSION = timedelta(hours=12)
    REQUIRE_2FA_ADMIN = _env_bool("INTAKE_REQUIRE_2FA_ADMIN", False)
    RATELIMIT_STORAGE_URI = os.environ.get("INTAKE_RATELIMIT_STORAGE_URL", "memory://")
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    #: How many reverse proxies sit in front of the app (0: none). Behind one, set it to 1 so the
    #: client's address (from X-Forwarded-For) is used for rate limits and the audit log.
    PROXY_COUNT = int(os.environ.get("INTAKE_PROXY_COUNT", "0"))
    #: Unauthenticated evaluation requests per client address.
    EVALUATION_RATE_LIMIT = os.environ.get("INTAKE_EVALUATION_RATE_LIMIT", "120 per minute")
    #: Sign-in attempts per client address; the per-account lock (10 failures) is separate.
    LOGIN_RATE_LIMIT = os.environ.get("INTAKE_LOGIN_RATE_LIMIT", "20 per minute;100 per hour")
    TESTING = False


class DevelopmentConfig(Config):
    """Local development: SQLite in the instance folder, debug helpers allowed."""


class TestingConfig(Config):
    """The test suite: its own database, which each test run creates and drops."""

    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 - only ever used by the test suite
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = True


class ProductionConfig(Config):
    """Production: PostgreSQL and a real secret key, or the app does not start."""

    SESSION_COOKIE_SECURE = _env_bool("INTAKE_SECURE_COOKIES", True)

    @classmethod
    def check(cls) -> None:
        """Refuse to run production with the development key."""
        if cls.SECRET_KEY == Config.SECRET_KEY or len(cls.SECRET_KEY) < 32:
            raise RuntimeError("INTAKE_SECRET_KEY must be set to a random value of 32+ characters")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Pick the configuration class named by ``INTAKE_ENV`` (development by default)."""
    name = os.environ.get("INTAKE_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise RuntimeError(f"INTAKE_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from exc
