"""Page render times through the Flask test client (no network, no server): median and p95.

Each page is rendered once to warm caches, then ``ROUNDS`` times; the figures are the app's own
time to build the response (routing, database, templates), which is what a page costs the server.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestingConfig
from intake import create_app

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))


def timed(fetch: Callable[[], int], rounds: int = ROUNDS) -> tuple[float, float]:
    """Median and 95th percentile of ``fetch`` in milliseconds; every response must be 2xx/3xx."""
    status = fetch()
    assert status < 400, status
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        status = fetch()
        samples.append((time.perf_counter() - start) * 1000)
        assert status < 400, status
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def bench_app(folder: str) -> Flask:
    """An app on a fresh, migrated SQLite database in ``folder``."""
    config = type(
        "BenchConfig",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/pages.sqlite3",
            "RATELIMIT_ENABLED": False,
        },
    )
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def pages(client: FlaskClient) -> dict[str, Callable[[], int]]:
    """The pages to time, by name."""
    return {
        "start page (GET /)": lambda: client.get("/").status_code,
        "health check (GET /healthz)": lambda: client.get("/healthz").status_code,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(folder)
        client = app.test_client()
        print(f"page render times (Flask test client, {ROUNDS} rounds, milliseconds):")
        for name, fetch in pages(client).items():
            median, p95 = timed(fetch)
            print(f"  {name:<40} median {median:6.2f}   p95 {p95:6.2f}")


if __name__ == "__main__":
    main()
