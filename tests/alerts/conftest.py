"""Fixtures of the alert tests: a real SMTP server and a real webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.alerts.servers import SmtpServer, WebhookReceiver


@pytest.fixture(autouse=True)
def no_digest(app: Flask) -> None:
    """No daily digest unless a test asks for one (the sweep would send it at the real hour)."""
    app.config["ALERT_DIGEST_HOUR"] = None


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_SECURITY="none")
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    hooks = WebhookReceiver()
    hooks.start()
    yield hooks
    hooks.stop()
