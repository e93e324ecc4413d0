"""Configuration classes, and the ``INTAKE_*`` environment variables that override them.

The environment is read by ``config_from_env()`` when the app is created, not when this module is
imported: importing once and comparing two class attributes read from the same variable is how
production once refused every key. Tests set variables with ``monkeypatch`` and build the app.

Production refuses to start when it would be unsafe: a guessable secret key (anyone could forge a
staff session cookie), no database URL (it would quietly write patient data to a local SQLite
file), rate limits kept in one worker's memory (each gunicorn worker would count on its own) or
a role that sees patient data signing in without two-factor.
Every refusal names the variable to set, and all of them are reported in one error.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

from intake.roles import PATIENT_DATA_ROLES, ROLES, parse_roles

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

#: The key development runs with when ``INTAKE_SECRET_KEY`` is not set; production refuses it.
DEV_SECRET_KEY = "dev-only-insecure-key"  # noqa: S105 - a known, refused development value
MIN_SECRET_KEY_LENGTH = 32
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(RuntimeError):
    """The configuration cannot be used; ``problems`` lists every reason, one per variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"The intake app refuses to start:\n{lines}")


def _flag(value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("must be 1/0, true/false, yes/no or on/off")


def _whole(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError
    return number


def _minutes(value: str) -> timedelta:
    minutes = _whole(value)
    if minutes == 0:
        raise ValueError
    return timedelta(minutes=minutes)


def _port(value: str) -> int:
    number = int(value)
    if not 0 < number < 65536:
        raise ValueError
    return number


def _seconds(value: str) -> float:
    number = float(value)
    if not 0 < number <= 600:
        raise ValueError
    return number


def _sweep_minutes(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 59:
        raise ValueError
    return number


def _reminder_days(value: str) -> int | None:
    if value.strip().lower() == "off":
        return None
    number = int(value)
    if not 1 <= number <= 6:
        raise ValueError
    return number


def _hour(value: str) -> int | None:
    if value.strip().lower() == "off":
        return None
    number = int(value)
    if not 0 <= number <= 23:
        raise ValueError
    return number


SMTP_SECURITY_MODES = ("starttls", "ssl", "none")


def _smtp_security(value: str) -> str:
    mode = value.strip().lower()
    if mode not in SMTP_SECURITY_MODES:
        raise ValueError
    return mode


def _base_url(value: str) -> str:
    from urllib.parse import urlsplit

    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ValueError
    return url


#: Host names a plain-http webhook or an unencrypted SMTP login may use (this machine only).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


#: Variable → (setting, parser, what a bad value should have been).
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "INTAKE_SECRET_KEY": ("SECRET_KEY", str, "text"),
    "INTAKE_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str.strip, "a database URL"),
    "INTAKE_RATELIMIT_STORAGE_URL": ("RATELIMIT_STORAGE_URI", str.strip, "a storage URL"),
    "INTAKE_RATELIMIT_KEY_PREFIX": ("RATELIMIT_KEY_PREFIX", str.strip, "text"),
    "INTAKE_SECURE_COOKIES": ("SESSION_COOKIE_SECURE", _flag, "1 or 0"),
    "INTAKE_PATIENT_IDLE_MINUTES": ("PATIENT_IDLE_TIMEOUT", _minutes, "a number of minutes"),
    "INTAKE_SUBMITTED_RESUME_MINUTES": (
        "SUBMITTED_RESUME_WINDOW",
        _minutes,
        "a number of minutes",
    ),
    "INTAKE_STAFF_IDLE_MINUTES": ("STAFF_IDLE_TIMEOUT", _minutes, "a number of minutes"),
    "INTAKE_REQUIRE_2FA_ADMIN": ("REQUIRE_2FA_ADMIN", _flag, "1 or 0"),
    "INTAKE_REQUIRE_2FA_ROLES": (
        "REQUIRE_2FA_ROLES",
        parse_roles,
        f"role codes separated by commas ({', '.join(ROLES)})",
    ),
    "INTAKE_ALLOW_NO_2FA": ("ALLOW_NO_2FA", _flag, "1 or 0"),
    "INTAKE_PROXY_COUNT": ("PROXY_COUNT", _whole, "a whole number"),
    "INTAKE_EVALUATION_RATE_LIMIT": ("EVALUATION_RATE_LIMIT", str, "a rate limit"),
    "INTAKE_LOGIN_RATE_LIMIT": ("LOGIN_RATE_LIMIT", str, "a rate limit"),
    "INTAKE_API_INTAKE_RATE_LIMIT": ("API_INTAKE_RATE_LIMIT", str, "a rate limit"),
    "INTAKE_ALLOW_SQLITE": ("ALLOW_SQLITE", _flag, "1 or 0"),
    "INTAKE_ALLOW_MEMORY_RATELIMIT": ("ALLOW_MEMORY_RATELIMIT", _flag, "1 or 0"),
    "INTAKE_CLINIC_PHONE": ("CLINIC_PHONE", str.strip, "text"),
    # Alerts (docs/operations.md, "Alerts"): the worker's queue, the staff link, SMTP.
    "INTAKE_HUEY_URL": ("HUEY_URL", str.strip, "sqlite:///path, redis://… or memory://"),
    "INTAKE_PUBLIC_URL": ("PUBLIC_URL", _base_url, "an http(s) URL with no query or fragment"),
    "INTAKE_FHIR_BASE_URL": (
        "FHIR_BASE_URL",
        _base_url,
        "an http(s) URL with no query or fragment",
    ),
    "INTAKE_UPLOAD_DIR": ("INTAKE_UPLOAD_DIR", str.strip, "a folder path"),
    "INTAKE_S3_BUCKET": ("INTAKE_S3_BUCKET", str.strip, "a bucket name"),
    "INTAKE_S3_ENDPOINT_URL": ("INTAKE_S3_ENDPOINT_URL", str.strip, "a URL"),
    "INTAKE_SMTP_HOST": ("SMTP_HOST", str.strip, "a host name"),
    "INTAKE_SMTP_PORT": ("SMTP_PORT", _port, "a port number"),
    "INTAKE_SMTP_SECURITY": ("SMTP_SECURITY", _smtp_security, "starttls, ssl or none"),
    "INTAKE_SMTP_USERNAME": ("SMTP_USERNAME", str.strip, "text"),
    "INTAKE_SMTP_PASSWORD": ("SMTP_PASSWORD", str, "text"),
    "INTAKE_SMTP_FROM": ("SMTP_FROM", str.strip, "an e-mail address"),
    "INTAKE_SMTP_TIMEOUT": ("SMTP_TIMEOUT", _seconds, "a number of seconds"),
    "INTAKE_ALERT_CLAIM_SECONDS": ("ALERT_CLAIM_SECONDS", _whole, "a whole number of seconds"),
    "INTAKE_ALERT_DIGEST_HOUR": (
        "ALERT_DIGEST_HOUR",
        _hour,
        "an hour from 0 to 23 (the clinic's time zone) or off",
    ),
    "INTAKE_CHECKIN_REMINDER_DAYS": (
        "CHECKIN_REMINDER_DAYS",
        _reminder_days,
        "a number of days from 1 to 6 (a link works for 7) or off",
    ),
    "INTAKE_CHECKIN_SWEEP_MINUTES": (
        "CHECKIN_SWEEP_MINUTES",
        _sweep_minutes,
        "a number of minutes from 1 to 59",
    ),
}


class Config:
    """Settings shared by every environment (the defaults the environment may override)."""

    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'intake.sqlite3'}"
    #: ``hide_parameters``: a database error's text (and any traceback logged with it) never
    #: carries the statement's parameters, which are patient answers.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {
        "pool_pre_ping": True,
        "hide_parameters": True,
    }
    #: Seconds to wait for a PostgreSQL connection before the request becomes a 503.
    DATABASE_CONNECT_TIMEOUT = 5
    MAX_CONTENT_LENGTH = 256 * 1024
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    #: Seconds of ``Strict-Transport-Security`` (0: none). Production: one year.
    HSTS_MAX_AGE = 0
    DRAFT_LIFETIME = timedelta(days=14)
    #: A browser forgets its unfinished form after this long without activity (shared devices).
    PATIENT_IDLE_TIMEOUT = timedelta(minutes=60)
    #: How long after sending a resume code still opens the confirmation (shared devices).
    SUBMITTED_RESUME_WINDOW = timedelta(minutes=30)
    #: The submitting browser sees its confirmation for this long after first opening it
    #: (a reload, a double click, the print version), then only with the resume code.
    CONFIRMATION_GRACE = timedelta(minutes=2)
    #: On a clinic device a resume code leaves the screen after this long.
    CLINIC_DEVICE_CODE_SECONDS = 60
    #: How long one process keeps the clinic's profile (name, phone, address, zone, hours)
    #: read from the database between requests (0: read it on every request). A change made
    #: on ``/admin/settings`` shows at once in the process that saved it, and within this many
    #: seconds in every other worker and instance (docs/operations.md, "Clinic settings").
    CLINIC_PROFILE_SECONDS = 5.0
    #: How long one process keeps its answer to "are urgent alerts failing?" for the queue's
    #: poll (``staff.live.kept_alert_trouble``; pages always ask afresh). Never more than half
    #: of ``QUEUE_POLL_SECONDS``: a delivery given up shows on an open page within one poll
    #: interval and this (docs/staff.md, "The queue updates itself"). 0: ask on every poll.
    ALERT_TROUBLE_SECONDS = 5.0
    STAFF_IDLE_TIMEOUT = timedelta(minutes=15)
    STAFF_MAX_SESSION = timedelta(hours=12)
    #: Roles that must sign in with two-factor: an account holding any of them without an
    #: authenticator sets one up at its next sign-in (after the password) before anything else.
    #: Production: every role that sees patient data. ``REQUIRE_2FA_ADMIN`` adds ``admin``.
    REQUIRE_2FA_ROLES: ClassVar[frozenset[str]] = frozenset()
    REQUIRE_2FA_ADMIN = False
    RATELIMIT_STORAGE_URI = "memory://"
    #: Prefix of the rate-limit keys, so several deployments (or test runs) can share one Redis.
    RATELIMIT_KEY_PREFIX = ""
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    #: Redis down: count each route's own limits in this process's memory until it is back
    #: (Flask-Limiter checks again after 1, 2, 4 … 32 s), so sign-in keeps working, still
    #: limited, instead of failing. No RATELIMIT_IN_MEMORY_FALLBACK list: that would replace
    #: every route's limits (and limit routes that have none) by one shared rule.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    #: Fail fast when Redis does not answer, so an outage costs a request one second at most.
    RATELIMIT_STORAGE_OPTIONS: ClassVar[dict[str, object]] = {
        "socket_connect_timeout": 1,
        "socket_timeout": 1,
    }
    #: How many reverse proxies sit in front of the app (0: none). Behind one, set it to 1 so the
    #: client's address (from X-Forwarded-For) is used for rate limits and the audit log.
    PROXY_COUNT = 0
    #: Unauthenticated evaluation requests per client address.
    EVALUATION_RATE_LIMIT = "120 per minute"
    #: Sign-in attempts per client address; the per-account lock (10 failures) is separate.
    LOGIN_RATE_LIMIT = "20 per minute;100 per hour"
    #: The clinic's phone number as patients should read it ("503-555-0100"), shown where the
    #: online form sends someone to call instead (under 12). Empty: "please call the clinic".
    #: A later clinic-settings page will own it.
    CLINIC_PHONE = ""
    #: ``POST /api/v1/intakes`` per API token (a kiosk sends one intake per patient).
    API_INTAKE_RATE_LIMIT = "60 per minute"
    #: Where the alert worker's queue lives (huey): ``sqlite:///path`` (no server: the default,
    #: in the instance folder, shared by the web server and ``flask worker`` on one machine),
    #: ``redis://host:port/db`` (production) or ``memory://`` (tests: enqueued tasks only wait;
    #: the sweep finds every due delivery anyway).
    HUEY_URL = f"sqlite:///{INSTANCE_DIR / 'huey.sqlite3'}"
    #: The staff site's address as people reach it ("https://intake.clinic.example"): alerts
    #: link to staff pages with it. Empty: the development address.
    PUBLIC_URL = ""
    #: The canonical base of the app's own FHIR definitions (Questionnaires, code systems):
    #: ``<base>/Questionnaire/asq``. Set it once to an address the clinic controls and keep it:
    #: EHRs store these URLs (docs/fhir.md).
    FHIR_BASE_URL = "https://intake.example.org/fhir"
    #: SMTP for e-mail alerts. No host: e-mail deliveries fail (and are retried) until one is set.
    #: Insurance card photos (docs/operations.md). No bucket: a local folder outside the web
    #: root (created 0700). A bucket: that S3-compatible store through boto3, credentials from
    #: the standard AWS environment; an endpoint URL for a store other than AWS.
    INTAKE_UPLOAD_DIR = str(INSTANCE_DIR / "uploads")
    INTAKE_S3_BUCKET = ""
    INTAKE_S3_ENDPOINT_URL = ""
    SMTP_HOST = ""
    SMTP_PORT = 587
    #: ``starttls`` (port 587), ``ssl`` (implicit TLS, port 465) or ``none`` (a relay on this
    #: machine only; production refuses a login without encryption to another host).
    SMTP_SECURITY = "starttls"
    SMTP_USERNAME = ""
    SMTP_PASSWORD = ""
    SMTP_FROM = "intake-alerts@localhost"
    SMTP_TIMEOUT = 10.0
    #: Hour of the day (the clinic's time zone) after which the day's digest of new submissions
    #: is sent (None, ``off`` in the environment: no digest).
    ALERT_DIGEST_HOUR: int | None = 8
    #: A worker's claim on a delivery it is sending; after this another worker may take it
    #: over (the first one died or hung). Longer than the SMTP and webhook timeouts.
    ALERT_CLAIM_SECONDS = 120
    #: Check-in invitations (docs/operations.md, "Check-in invitations"): one reminder this
    #: many days after the invitation went out, if the check-in is still open (None: none);
    #: and how often the worker looks for check-ins that fell due (minutes).
    CHECKIN_REMINDER_DAYS: int | None = 2
    CHECKIN_SWEEP_MINUTES = 10
    #: Webhooks must be https; plain http only to this machine (``LOCAL_HOSTS``) where allowed.
    ALLOW_LOCAL_HTTP_WEBHOOKS = True
    #: Production only: accept SQLite, or rate limits in one process's memory, when set.
    ALLOW_SQLITE = False
    ALLOW_MEMORY_RATELIMIT = False
    #: Production only: accept a ``REQUIRE_2FA_ROLES`` that leaves out a patient-data role.
    ALLOW_NO_2FA = False
    TESTING = False
    #: Variables that could not be read, filled in by ``config_from_env``.
    ENV_PROBLEMS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def problems(cls) -> list[str]:
        """Why this configuration cannot be used (empty when it can)."""
        return list(cls.ENV_PROBLEMS)

    @classmethod
    def check(cls) -> None:
        """Raise one ``ConfigError`` listing every problem, if there are any."""
        problems = cls.problems()
        if problems:
            raise ConfigError(problems)


class DevelopmentConfig(Config):
    """Local development: SQLite in the instance folder, debug helpers allowed."""


class TestingConfig(Config):
    """The test suite: its own database, which each test run creates and drops."""

    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 - only ever used by the test suite
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = True
    #: Enqueued deliveries wait in memory (no consumer): tests run the sweep themselves.
    HUEY_URL = "memory://"


class ProductionConfig(Config):
    """Production: a real secret key, a database URL and shared rate limits, or no start."""

    SECRET_KEY = ""
    SQLALCHEMY_DATABASE_URI = ""
    SESSION_COOKIE_SECURE = True
    #: One year, with includeSubDomains: browsers that have seen the site over HTTPS refuse
    #: plain HTTP to it (and its subdomains) for a year after each visit.
    HSTS_MAX_AGE = 365 * 24 * 60 * 60
    REQUIRE_2FA_ROLES = PATIENT_DATA_ROLES
    ALLOW_LOCAL_HTTP_WEBHOOKS = False
    #: ``pool_size``: connections a worker process keeps open for reuse (opened as needed: a
    #: sync worker holds one). gunicorn's ``gthread`` workers (docs/operations.md, "Deploying":
    #: ``--threads 8``) need one per busy thread; with SQLAlchemy's default of 5 kept, a sixth
    #: concurrent request opened an overflow connection and closed it after, so under load
    #: PostgreSQL started a backend per request. At most 15 a process, as before (5 + 10).
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {
        **Config.SQLALCHEMY_ENGINE_OPTIONS,
        "pool_size": 10,
        "max_overflow": 5,
    }

    @classmethod
    def problems(cls) -> list[str]:
        """Every unsafe setting, each naming the variable that fixes it."""
        return [*super().problems(), *_production_problems(cls)]


def _production_problems(cls: type[Config]) -> list[str]:
    found = []
    key = cls.SECRET_KEY or ""
    if not key:
        found.append(
            f"INTAKE_SECRET_KEY is not set: set it to a random value of "
            f"{MIN_SECRET_KEY_LENGTH}+ characters"
        )
    elif key == DEV_SECRET_KEY:
        found.append("INTAKE_SECRET_KEY is the development key: set a random value of its own")
    elif len(key) < MIN_SECRET_KEY_LENGTH:
        found.append(
            f"INTAKE_SECRET_KEY is {len(key)} characters: set a random value of "
            f"{MIN_SECRET_KEY_LENGTH}+ characters"
        )
    url = cls.SQLALCHEMY_DATABASE_URI or ""
    if not url:
        found.append(
            "INTAKE_DATABASE_URL is not set: set it to the PostgreSQL database, "
            "e.g. postgresql+psycopg://intake@db.internal/intake"
        )
    elif url.lower().startswith("sqlite") and not cls.ALLOW_SQLITE:
        found.append(
            "INTAKE_DATABASE_URL is SQLite: use PostgreSQL, or set INTAKE_ALLOW_SQLITE=1 "
            "to accept SQLite"
        )
    storage = cls.RATELIMIT_STORAGE_URI or ""
    if storage.lower().startswith("memory://") and not cls.ALLOW_MEMORY_RATELIMIT:
        found.append(
            "INTAKE_RATELIMIT_STORAGE_URL is not set or memory:// (each worker would count on "
            "its own): set it to redis://…, or set INTAKE_ALLOW_MEMORY_RATELIMIT=1 with a "
            "single worker"
        )
    without = sorted(PATIENT_DATA_ROLES - set(cls.REQUIRE_2FA_ROLES))
    if without and not cls.ALLOW_NO_2FA:
        found.append(
            f"INTAKE_REQUIRE_2FA_ROLES leaves out {', '.join(without)}, which see patient data: "
            f"add {'them' if len(without) > 1 else 'it'}, or set INTAKE_ALLOW_NO_2FA=1 to let "
            "those roles sign in without two-factor"
        )
    found.extend(_alert_problems(cls))
    return found


def _alert_problems(cls: type[Config]) -> list[str]:
    """Alerts that could not reach anyone safely: an in-memory queue (the worker, another
    process, would never see it), a plain-http staff link, a password sent unencrypted."""
    found = []
    if (cls.HUEY_URL or "").lower().startswith("memory://"):
        found.append(
            "INTAKE_HUEY_URL is memory:// (the worker is another process and would never see "
            "it): set it to redis://… or a sqlite:/// file the web server and worker share"
        )
    if cls.PUBLIC_URL and not cls.PUBLIC_URL.startswith("https://"):
        found.append("INTAKE_PUBLIC_URL must start with https:// (alerts link staff to it)")
    host = (cls.SMTP_HOST or "").lower()
    if host and cls.SMTP_SECURITY == "none" and host not in LOCAL_HOSTS:
        found.append(
            "INTAKE_SMTP_SECURITY is none for another host (messages and any password would "
            "cross the network unencrypted): set starttls or ssl, or relay through this "
            "machine (INTAKE_SMTP_HOST=localhost)"
        )
    return found


def production_warnings(cls: type[Config]) -> list[str]:
    """What production runs with but should not for long: logged when the app starts."""
    warnings = []
    if not cls.PUBLIC_URL:
        warnings.append(
            "INTAKE_PUBLIC_URL is not set: alerts link to http://localhost; set the staff "
            "site's https:// address"
        )
    if not cls.SMTP_HOST:
        warnings.append("INTAKE_SMTP_HOST is not set: e-mail alerts cannot be sent")
    if (cls.HUEY_URL or "").lower().startswith("sqlite"):
        warnings.append(
            "INTAKE_HUEY_URL is SQLite: the web server and `flask worker` must share its file "
            "(one machine); use redis://… with several"
        )
    return warnings


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env(environ: Mapping[str, str] | None = None) -> type[Config]:
    """The configuration class named by ``INTAKE_ENV`` (development by default), with the
    ``INTAKE_*`` variables set in ``environ`` (``os.environ`` by default) applied on top."""
    environ = os.environ if environ is None else environ
    name = environ.get("INTAKE_ENV", "development")
    try:
        base = CONFIGS[name]
    except KeyError:
        raise ConfigError([f"INTAKE_ENV must be one of {sorted(CONFIGS)}, not {name!r}"]) from None
    settings: dict[str, Any] = {}
    problems = []
    for variable, (setting, parse, expected) in ENVIRONMENT.items():
        raw = environ.get(variable)
        if raw is None:
            continue
        try:
            settings[setting] = parse(raw)
        except ValueError:
            problems.append(f"{variable} must be {expected}, not {raw!r}")
    settings["ENV_PROBLEMS"] = tuple(problems)
    return type(base.__name__, (base,), settings)
