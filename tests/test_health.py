"""``/healthz`` reports the database honestly."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from config import TestingConfig
from intake import create_app


def test_healthz_ok_when_database_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(tmp_path) -> None:
    broken = type(
        "Broken",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"},
    )
    app: Flask = create_app(broken)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_start_page_shows_crisis_information(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "988" in html and "911" in html
    assert "not for emergencies" in html
