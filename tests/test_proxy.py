"""Behind a reverse proxy (INTAKE_PROXY_COUNT), the client's own address is what counts."""

from __future__ import annotations

from config import TestingConfig
from intake import create_app


def _remote_addr(proxy_count: int, database_url: str) -> str:
    config = type(
        "Proxied",
        (TestingConfig,),
        {"PROXY_COUNT": proxy_count, "SQLALCHEMY_DATABASE_URI": database_url},
    )
    app = create_app(config)
    seen: list[str] = []

    @app.get("/probe-address")
    def probe() -> str:
        from flask import request

        seen.append(request.remote_addr or "")
        return "ok"

    app.test_client().get(
        "/probe-address",
        headers={"X-Forwarded-For": "203.0.113.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    return seen[0]


def test_without_a_proxy_forwarded_headers_are_ignored(database_url: str) -> None:
    assert _remote_addr(0, database_url) == "10.0.0.2"


def test_behind_one_proxy_the_client_address_is_used(database_url: str) -> None:
    assert _remote_addr(1, database_url) == "203.0.113.7"
