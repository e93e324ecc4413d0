"""The alert settings read from the environment, and what production refuses or warns about."""

from __future__ import annotations

import pytest

from config import ConfigError, config_from_env, production_warnings

GOOD = {
    "INTAKE_ENV": "production",
    "INTAKE_SECRET_KEY": "k" * 40,
    "INTAKE_DATABASE_URL": "postgresql+psycopg://intake@db.invalid/intake",
    "INTAKE_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/15",
    "INTAKE_HUEY_URL": "redis://127.0.0.1:6379/13",
    "INTAKE_PUBLIC_URL": "https://intake.clinic.example",
    "INTAKE_SMTP_HOST": "smtp.clinic.example",
    "INTAKE_SMTP_USERNAME": "alerts",
    "INTAKE_SMTP_PASSWORD": "pw",
}


def test_the_smtp_and_queue_settings_come_from_the_environment() -> None:
    config = config_from_env(
        {
            **GOOD,
            "INTAKE_SMTP_PORT": "465",
            "INTAKE_SMTP_SECURITY": "SSL",
            "INTAKE_SMTP_FROM": "alerts@clinic.example",
            "INTAKE_SMTP_TIMEOUT": "5",
            "INTAKE_ALERT_DIGEST_HOUR": "7",
            "INTAKE_PUBLIC_URL": "https://intake.clinic.example/",
        }
    )
    config.check()
    assert (config.SMTP_HOST, config.SMTP_PORT, config.SMTP_SECURITY) == (
        "smtp.clinic.example",
        465,
        "ssl",
    )
    assert (config.SMTP_USERNAME, config.SMTP_PASSWORD) == ("alerts", "pw")
    assert (config.SMTP_FROM, config.SMTP_TIMEOUT) == ("alerts@clinic.example", 5.0)
    assert config.ALERT_DIGEST_HOUR == 7
    assert config.PUBLIC_URL == "https://intake.clinic.example"
    assert config.HUEY_URL == "redis://127.0.0.1:6379/13"
    assert not config.ALLOW_LOCAL_HTTP_WEBHOOKS
    assert production_warnings(config) == []
    assert config_from_env({"INTAKE_ALERT_DIGEST_HOUR": "off"}).ALERT_DIGEST_HOUR is None


def test_the_check_in_reminder_and_sweep_come_from_the_environment() -> None:
    assert config_from_env({}).CHECKIN_REMINDER_DAYS == 2  # the default
    assert config_from_env({}).CHECKIN_SWEEP_MINUTES == 10
    config = config_from_env(
        {"INTAKE_CHECKIN_REMINDER_DAYS": "3", "INTAKE_CHECKIN_SWEEP_MINUTES": "5"}
    )
    assert (config.CHECKIN_REMINDER_DAYS, config.CHECKIN_SWEEP_MINUTES) == (3, 5)
    assert config_from_env({"INTAKE_CHECKIN_REMINDER_DAYS": "off"}).CHECKIN_REMINDER_DAYS is None


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("INTAKE_SMTP_PORT", "0", "INTAKE_SMTP_PORT must be a port number"),
        ("INTAKE_SMTP_SECURITY", "tls", "INTAKE_SMTP_SECURITY must be starttls, ssl or none"),
        ("INTAKE_SMTP_SECURITY", "none", "INTAKE_SMTP_SECURITY is none for another host"),
        ("INTAKE_PUBLIC_URL", "intake.clinic.example", "INTAKE_PUBLIC_URL must be an http(s)"),
        ("INTAKE_PUBLIC_URL", "http://intake.clinic.example", "must start with https://"),
        ("INTAKE_HUEY_URL", "memory://", "INTAKE_HUEY_URL is memory://"),
        ("INTAKE_ALERT_DIGEST_HOUR", "24", "INTAKE_ALERT_DIGEST_HOUR must be an hour"),
        # A reminder after the link has expired would be no reminder: 1 to 6 days.
        ("INTAKE_CHECKIN_REMINDER_DAYS", "7", "INTAKE_CHECKIN_REMINDER_DAYS must be a number"),
        ("INTAKE_CHECKIN_REMINDER_DAYS", "0", "INTAKE_CHECKIN_REMINDER_DAYS must be a number"),
        ("INTAKE_CHECKIN_SWEEP_MINUTES", "60", "INTAKE_CHECKIN_SWEEP_MINUTES must be a number"),
    ],
)
def test_production_refuses_unsafe_alert_settings(variable: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config_from_env({**GOOD, variable: value}).check()
    assert words in str(raised.value)


def test_a_relay_on_this_machine_may_go_without_encryption() -> None:
    config = config_from_env(
        {**GOOD, "INTAKE_SMTP_HOST": "localhost", "INTAKE_SMTP_SECURITY": "none"}
    )
    config.check()


def test_production_warns_without_a_public_url_or_smtp_and_on_a_sqlite_queue() -> None:
    environ = {
        k: v
        for k, v in GOOD.items()
        if k not in {"INTAKE_PUBLIC_URL", "INTAKE_SMTP_HOST", "INTAKE_HUEY_URL"}
    }
    config = config_from_env(environ)
    config.check()  # it starts (the default queue is a SQLite file) ...
    warnings = " ".join(production_warnings(config))  # ... and says what is missing
    assert "INTAKE_PUBLIC_URL is not set" in warnings
    assert "INTAKE_SMTP_HOST is not set" in warnings
    assert "INTAKE_HUEY_URL is SQLite" in warnings


def test_an_unusable_queue_does_not_stop_the_web_side_but_stops_the_worker(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from config import TestingConfig
    from intake import create_app

    blocked = tmp_path / "a-file"
    blocked.write_text("")
    config = type("C", (TestingConfig,), {"HUEY_URL": f"sqlite:///{blocked}/cannot/huey.sqlite3"})
    app = create_app(config)  # starts: enqueueing is only a shortcut
    assert "huey_problem" in app.extensions
    with app.app_context():  # (the alert tests' own app is current otherwise)
        result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0
    assert "INTAKE_HUEY_URL cannot be used" in result.output


def test_the_worker_refuses_a_memory_queue() -> None:
    from config import TestingConfig
    from intake import create_app

    result = create_app(TestingConfig).test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0
    assert "INTAKE_HUEY_URL is memory://" in result.output
