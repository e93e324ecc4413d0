"""``POST /api/v1/intakes`` is rate-limited per API token, not per address: 429 in JSON with
``Retry-After`` once a token has sent its share; other tokens carry on."""

from __future__ import annotations

import pytest
from answer_documents import sample_answers
from flask import Flask
from flask.testing import FlaskClient

from config import Config, ProductionConfig, config_from_env
from intake.extensions import db
from intake.services.api_tokens import create_token
from tests.committed import committed_count

#: The documented default (docs/operations.md), written out.
DEFAULT_LIMIT = "60 per minute"


@pytest.fixture
def tokens(app: Flask) -> tuple[str, str]:
    first, second = create_token("kiosk-1"), create_token("kiosk-2")
    db.session.commit()
    return first, second


def _send(client: FlaskClient, token: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/intakes",
        json=sample_answers(),
        headers={"Authorization": f"Bearer {token}"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_the_default_is_sixty_a_minute_in_every_environment() -> None:
    assert Config.API_INTAKE_RATE_LIMIT == DEFAULT_LIMIT
    assert ProductionConfig.API_INTAKE_RATE_LIMIT == DEFAULT_LIMIT
    assert config_from_env(
        {"INTAKE_API_INTAKE_RATE_LIMIT": "5 per second"}
    ).API_INTAKE_RATE_LIMIT == ("5 per second")


def test_a_token_over_its_limit_gets_429_json_with_retry_after(
    app: Flask, client: FlaskClient, tokens: tuple[str, str]
) -> None:
    from intake.models import Submission

    app.config["API_INTAKE_RATE_LIMIT"] = "3 per minute"
    first, second = tokens
    for _ in range(3):
        assert _send(client, first).status_code == 201
    refused = _send(client, first)
    assert refused.status_code == 429
    assert refused.is_json
    body = refused.get_json()
    assert body["error"] == "Too many requests"
    assert "3 per 1 minute" in body["detail"]
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert body["retry_after"] == retry_after
    assert committed_count(Submission) == 3  # the refused one was not stored
    # Another token is counted on its own.
    assert _send(client, second).status_code == 201


def test_the_limit_follows_the_token_not_the_address(
    app: Flask, client: FlaskClient, tokens: tuple[str, str]
) -> None:
    app.config["API_INTAKE_RATE_LIMIT"] = "2 per minute"
    first, second = tokens
    # One token from two addresses: one count.
    assert _send(client, first, "10.0.0.1").status_code == 201
    assert _send(client, first, "10.0.0.2").status_code == 201
    assert _send(client, first, "10.0.0.3").status_code == 429
    # Two tokens from one address (kiosks behind one router): two counts.
    assert _send(client, second, "10.0.0.1").status_code == 201
    assert _send(client, second, "10.0.0.1").status_code == 201


def test_requests_without_a_valid_token_count_against_their_address(
    app: Flask, client: FlaskClient, tokens: tuple[str, str]
) -> None:
    app.config["API_INTAKE_RATE_LIMIT"] = "2 per minute"
    first, _second = tokens
    for _ in range(2):
        assert _send(client, "not-a-token", "10.0.0.9").status_code == 401
    assert _send(client, "not-a-token", "10.0.0.9").status_code == 429
    assert _send(client, first, "10.0.0.9").status_code == 201  # the token has its own count
