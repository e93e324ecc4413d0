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
            "WTF_CSRF_ENABLED": False,
        },
    )
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def _signed_in(app: Flask, *roles: str) -> FlaskClient:
    """A test client signed in as a new staff account holding ``roles``."""
    from intake.auth.sessions import LOGIN_AT, SEEN_AT, SESSION_TOKEN, open_session_record
    from intake.extensions import db
    from intake.services.accounts import create_account

    with app.app_context():
        user = create_account(
            f"{'-'.join(roles)}@bench.example",
            "x" * 16,
            roles,
            check_policy=False,
            must_change_password=False,  # signed in below without the sign-in steps
        )
        user_id = user.get_id()
        token = open_session_record(user)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        now = int(time.time())
        session.update(
            {"_user_id": user_id, SESSION_TOKEN: token, "_fresh": True, LOGIN_AT: now, SEEN_AT: now}
        )
    return client


def _first_render(app: Flask, clinician: FlaskClient) -> int:
    from intake.extensions import db
    from intake.models import RenderedPdf

    with app.app_context():
        db.session.execute(db.delete(RenderedPdf))
        db.session.commit()
    return clinician.get("/clinician/submissions/1.pdf").status_code


def pages(app: Flask) -> dict[str, Callable[[], int]]:
    """The pages to time, by name, over a database holding 1,000 demo submissions."""
    from intake.demo.seed import seed

    with app.app_context():
        seed(1000, seed_value=3)
    patient = app.test_client()
    patient.post("/intake/start")
    front_desk = _signed_in(app, "front_desk")
    clinician = _signed_in(app, "clinician")
    return {
        "start page": lambda: patient.get("/").status_code,
        "wizard step: PHQ-9": lambda: patient.get("/intake/step/phq9").status_code,
        "wizard step: medicines": lambda: patient.get("/intake/step/medications").status_code,
        "wizard step: TMS safety": lambda: patient.get("/intake/step/safety").status_code,
        "staff queue (1,000 submissions)": lambda: front_desk.get("/staff/").status_code,
        "staff submission page": lambda: front_desk.get("/staff/submissions/1").status_code,
        "clinician pathway summary": lambda: clinician.get("/clinician/submissions/1").status_code,
        # Rendered once per version by the job worker (here, with no worker, by the first
        # request), then a send of the stored file: what a clinician's click costs.
        "clinician summary PDF, stored": lambda: (
            clinician.get("/clinician/submissions/1.pdf").status_code
        ),
        # A first render each time (the stored PDFs dropped first): what the worker spends.
        "clinician summary PDF, first render": lambda: _first_render(app, clinician),
        "health check": lambda: patient.get("/healthz").status_code,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(folder)
        print(f"page render times (Flask test client, {ROUNDS} rounds, milliseconds):")
        for name, fetch in pages(app).items():
            rounds = ROUNDS if "first render" not in name else max(5, ROUNDS // 20)
            median, p95 = timed(fetch, rounds)
            print(f"  {name:<40} median {median:6.2f}   p95 {p95:6.2f}")


if __name__ == "__main__":
    main()
