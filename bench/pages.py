"""Page render times through the Flask test client (no network, no server): median and p95.

Each page is rendered once to warm caches, then ``ROUNDS`` times; the figures are the app's own
time to build the response (routing, database, templates), which is what a page costs the server.
A stored PDF's download also prints the statements it sends (its round trips to the database).
"""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from bench import goals
from config import TestingConfig
from intake import create_app

#: Test-client requests per page (``BENCH_CLIENT_ROUNDS``; the HTTP benchmarks' alternating
#: rounds are ``BENCH_HTTP_ROUNDS``, a different thing, so the two have different names).
ROUNDS = int(os.environ.get("BENCH_CLIENT_ROUNDS", "200"))


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


#: ``BENCH_PAGES_POSTGRES``: a PostgreSQL server URL to time the pages on (a database of its
#: own, created and dropped); without it, SQLite in a temporary folder.
POSTGRES = os.environ.get("BENCH_PAGES_POSTGRES", "")


@contextlib.contextmanager
def database() -> Iterator[str]:
    """The URL of a fresh database for one run, removed afterwards."""
    if not POSTGRES:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/pages.sqlite3"
        return
    import secrets

    import sqlalchemy as sa

    server = sa.make_url(POSTGRES)
    name = f"bench_pages_{secrets.token_hex(4)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_app(url: str) -> Flask:
    """An app on a fresh, migrated database at ``url``."""
    config = type(
        "BenchConfig",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": url,
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


def _first_render(app: Flask, client: FlaskClient, url: str) -> int:
    """A download with every stored PDF dropped first: what the worker spends on a render."""
    from intake.extensions import db
    from intake.models import RenderedPdf

    with app.app_context():
        db.session.execute(db.delete(RenderedPdf))
        db.session.commit()
    return _pdf(client, url)


def _pdf(client: FlaskClient, url: str) -> int:
    """The status of a PDF download (500 when the answer is not a PDF: nothing to time)."""
    response = client.get(url)
    return response.status_code if response.mimetype == "application/pdf" else 500


def _course_with_checkins(app: Flask) -> int:
    """A TMS course from submission 1, three weeks in: ten sessions and three check-ins
    answered (the end-of-course report's PDF to time); its id."""
    from datetime import UTC, datetime, time, timedelta

    from intake.extensions import db
    from intake.models import Submission, User
    from intake.rules import RULESET
    from intake.services import courses, patients
    from intake.services.reviews import record_review

    no_asq = {
        "wished_dead": "no",
        "family_better_off": "no",
        "thoughts_of_killing_self": "no",
        "ever_tried": "no",
        "thoughts_right_now": None,
    }
    with app.app_context():
        submission = db.session.get_one(Submission, 1)
        patients.patient_of(submission)
        record_review(
            submission, clinician_id=None, decision="agree", codes=[], note="", ruleset=RULESET
        )
        clinician = db.session.scalars(
            db.select(User).where(User.email == "clinician@bench.example")
        ).one()
        today = courses.clinic_today()
        start = today - timedelta(days=21)
        course = courses.start_course(
            submission,
            kind="standard_tms",
            start_date=start,
            planned_sessions=30,
            taper_sessions=6,
            every_days=7,
            maintenance_months=6,
            by=clinician,
            today=start,
        )
        db.session.commit()
        for week, phq9 in enumerate(([3] * 8 + [0], [2] * 8 + [0], [1] * 8 + [0])):
            day = start + timedelta(days=7 * week)
            for number in range(5 if week else 0):
                courses.record_session(
                    course,
                    delivered_on=day - timedelta(days=number),
                    note="",
                    by=clinician,
                    today=today,
                    expected_version=None,
                )
            courses.sync_checkins(course, day)
            checkin = courses.open_checkin(course)
            assert checkin is not None
            courses.complete_checkin(
                checkin,
                {
                    "phq9": phq9,
                    "gad7": [1] * 7,
                    "asq": no_asq,
                    "side_effects": {"headache": "mild"},
                },
                opened_by="link",
                now=datetime.combine(day, time(18, 0), tzinfo=UTC),
                today=day,
            )
            db.session.commit()
        return course.id


def pages(app: Flask) -> dict[str, Callable[[], int]]:
    """The pages to time, by name, over a database holding 1,000 demo submissions."""
    from intake.demo.seed import seed

    with app.app_context():
        seed(1000, seed_value=3)
    patient = app.test_client()
    patient.post("/intake/start")
    front_desk = _signed_in(app, "front_desk")
    clinician = _signed_in(app, "clinician")
    packet = "/staff/submissions/1/prior-auth.pdf"
    report = f"/clinician/courses/{_course_with_checkins(app)}/report.pdf"
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
        "clinician summary PDF, stored": lambda: _pdf(clinician, "/clinician/submissions/1.pdf"),
        # A first render each time (the stored PDFs dropped first): what the worker spends.
        "clinician summary PDF, first render": lambda: _first_render(
            app, clinician, "/clinician/submissions/1.pdf"
        ),
        # The front desk's prior-authorization packet and a course's report: the same way.
        "prior-auth packet PDF, stored": lambda: _pdf(front_desk, packet),
        "prior-auth packet PDF, first render": lambda: _first_render(app, front_desk, packet),
        "course report PDF, stored": lambda: _pdf(clinician, report),
        "course report PDF, first render": lambda: _first_render(app, clinician, report),
        "health check": lambda: patient.get("/healthz").status_code,
    }


def statements(app: Flask, fetch: Callable[[], int]) -> int:
    """The statements one call of ``fetch`` sends the database (BEGIN and COMMIT counted:
    each is a round trip too), load-independent where the times are not."""
    import sqlalchemy as sa

    from intake.extensions import db

    sent: list[object] = []

    def count(*args: object) -> None:
        sent.append(args)

    with app.app_context():
        engine = db.engine
    events = ("before_cursor_execute", "begin", "commit")
    for name in events:
        sa.event.listen(engine, name, count)
    try:
        fetch()
    finally:
        for name in events:
            sa.event.remove(engine, name, count)
    return len(sent)


def main() -> None:
    with database() as url:
        app = bench_app(url)
        where = "PostgreSQL" if POSTGRES else "SQLite"
        print(f"page render times (Flask test client, {where}, {ROUNDS} rounds, milliseconds):")
        for name, fetch in pages(app).items():
            rounds = ROUNDS if "first render" not in name else max(5, ROUNDS // 20)
            median, p95 = timed(fetch, rounds)
            counted = f"   {statements(app, fetch):3d} statements" if "PDF, stored" in name else ""
            print(f"  {name:<40} median {median:6.2f}   p95 {p95:6.2f}{counted}")
            if "PDF, stored" in name:
                goals.record(f"PDF: {name} ({where})", f"p95 {p95:.1f} ms", "p95 < 50 ms", p95 < 50)
            elif "first render" in name:
                goals.record(
                    f"PDF: {name} ({where}, demo submission)",
                    f"median {median:.0f} ms",
                    "< 500 ms",
                    median < 500,
                )
        with app.app_context():
            from intake.extensions import db

            db.engine.dispose()  # the database is dropped next


if __name__ == "__main__":
    main()
