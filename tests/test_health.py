"""``/healthz`` reports the database and the rate-limit store, each on its own."""

from __future__ import annotations

import socket

from flask import Flask
from flask.testing import FlaskClient

from config import TestingConfig
from intake import create_app
from intake.extensions import db


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_healthz_ok_when_database_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "not used"}


def _app_without_a_database() -> Flask:
    broken = type(
        "Broken",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/x"},
    )
    return create_app(broken)


def test_healthz_503_when_database_unreachable() -> None:
    response = _app_without_a_database().test_client().get("/healthz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json() == {"status": "degraded", "database": "down", "redis": "not used"}


def test_healthz_503_when_redis_unreachable(database_url: str) -> None:
    config = type(
        "NoRedis",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{_closed_port()}/0",
        },
    )
    app = create_app(config)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded", "database": "ok", "redis": "down"}
    with app.app_context():
        db.engine.dispose()


def test_start_page_shows_crisis_information(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "988" in html and "911" in html
    assert "not for emergencies" in html


def test_liveness_needs_no_database() -> None:
    """``/livez`` answers from the worker alone: a database outage must not restart workers."""
    app = _app_without_a_database()
    response = app.test_client().get("/livez")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["database"] == "down"
