"""The clinic outcomes dashboard over 10,000 courses and 200,000 check-ins on PostgreSQL:
``python -m bench.outcomes_bench`` (``make bench-outcomes``; also run by ``make bench``).

Builds, once, its own database ``intake_bench_courses`` on ``BENCH_POSTGRES_URL``'s server (not
the 1M ``intake_bench``: the courses need only their intakes): ``flask db upgrade``, a clinician
account, ``flask seed-demo --count 10000 --seed 1`` for the intakes, then one patient and one
course per intake and 20 check-ins per course by bulk ``INSERT … SELECT`` (seeded ``random()``):
a completed baseline check-in (PHQ-9 5 to 27) for 90% of the courses, then weekly check-ins
of which the first 12 to 19 are completed, the PHQ-9 drifting down from the baseline, each with
the status the outcome rules give for it; then ``VACUUM ANALYZE``. A finished build is marked
with a comment on the database and reused (upgraded to the newest migration); ``BENCH_REBUILD=1``
rebuilds it. Drop it with ``dropdb -h 127.0.0.1 -U postgres intake_bench_courses``.

Figures, each beside its goal (issue 16, "Done when"): the p95 of ``ROUNDS`` requests of the
dashboard page (``GET /clinician/outcomes``, signed in as the clinician, rendered and its audit
event committed: the whole request through the Flask test client, no network) and of the CSV
download (``POST /clinician/outcomes.csv``), all courses and a one-quarter range; and the p95
of the SQL statements alone. ``--plans`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the dashboard's
statements.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import bench_db
from bench.queue_bench import load, p95

ROOT = Path(__file__).resolve().parent.parent
NAME = "intake_bench_courses"
COURSES = int(os.environ.get("BENCH_COURSES", "10000"))
CHECKINS_PER_COURSE = 20
ROUNDS = int(os.environ.get("BENCH_OUTCOME_ROUNDS", "40"))
GOAL_MS = 200.0
CLINICIAN_EMAIL = "clinician@bench.example.org"
#: A local benchmark database's account; not a secret (the database holds only demo data).
CLINICIAN_PASSWORD = "amber-lantern-Vx4-Pq8z-7Hk"  # noqa: S105
MARK = f"intake bench: {COURSES} courses, {CHECKINS_PER_COURSE} check-ins each, complete"


def url() -> str:
    return sa.engine.make_url(bench_db.SERVER).set(database=NAME).render_as_string(False)


def _flask(*args: str, env: dict[str, str] | None = None) -> str:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    environ |= {"INTAKE_ENV": "development", "INTAKE_DATABASE_URL": url(), **(env or {})}
    done = subprocess.run(  # noqa: S603 - fixed argument list
        [sys.executable, "-m", "flask", "--app", "intake", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


#: The status the outcome rules give a check-in (issue 16's contract), written in SQL for the
#: seed only: the bench needs realistic stored statuses, the app never computes them in SQL.
STATUS_SQL = """
    CASE
      WHEN {base} < 5 THEN 'not_applicable'
      WHEN {total} < 5 THEN 'remission'
      WHEN {total} * 2 <= {base} THEN 'response'
      WHEN {total} * 4 <= {base} * 3 THEN 'partial_response'
      WHEN {total} >= {base} + 5 THEN 'worsening'
      ELSE 'no_response'
    END
"""

SEED_SQL = [
    "SELECT setseed(0.16)",
    "INSERT INTO patient (id, created_at) SELECT id, submitted_at FROM submission",
    "UPDATE submission SET patient_id = id",
    """
    INSERT INTO course (id, patient_id, submission_id, kind, start_date, planned_sessions,
        taper_sessions, checkin_every_days, maintenance_months, status, ended_on, end_reason,
        started_by_id, created_at, version)
    SELECT s.id, s.id, s.id,
        (ARRAY['standard_tms','standard_tms','standard_tms','accelerated_tms','deep_tms_ocd',
               'psychotherapy','medication_management'])[1 + floor(random() * 7)::int],
        DATE '2025-01-06' + (floor(random() * 640))::int, 30, 6, 7, 6,
        CASE WHEN random() < 0.55 THEN 'completed' WHEN random() < 0.5 THEN 'active'
             WHEN random() < 0.7 THEN 'stopped_early' ELSE 'transferred' END,
        NULL, '', :clinician, now(), 1
    FROM submission s
    """,
    "UPDATE course SET ended_on = start_date + 140 WHERE status <> 'active'",
    "SELECT setval(pg_get_serial_sequence('course', 'id'), (SELECT max(id) FROM course))",
    # Per course: a baseline PHQ-9 (90% have done the baseline check-in), how many weekly
    # check-ins are done (12 to 19) and how fast the PHQ-9 falls.
    """
    CREATE TEMPORARY TABLE seed_course AS
    SELECT id, start_date, random() < 0.9 AS baseline_done,
        5 + floor(random() * 23)::int AS base, 12 + floor(random() * 8)::int AS done,
        random() AS pace
    FROM course
    """,
    f"""
    INSERT INTO checkin (course_id, kind, due_on, created_at, completed_at, session, opened_by,
        answers, phq9_total, gad7_total, status, flags, urgent, acute, outcome_version,
        outcome_sha256, acknowledge_note, sign_off_note, version)
    SELECT c.id, 'baseline', c.start_date, now(),
        CASE WHEN c.baseline_done THEN c.start_date + time '15:00' END, NULL,
        CASE WHEN c.baseline_done THEN 'link' END,
        CASE WHEN c.baseline_done THEN '{{"phq9": [], "gad7": []}}'::jsonb END,
        CASE WHEN c.baseline_done THEN c.base END,
        CASE WHEN c.baseline_done THEN 10 END,
        CASE WHEN c.baseline_done THEN {STATUS_SQL.format(base="c.base", total="c.base")} END,
        CASE WHEN c.baseline_done THEN '[]'::jsonb END, false, false,
        CASE WHEN c.baseline_done THEN 'bench' END, NULL, '', '', 1
    FROM seed_course c
    """,  # noqa: S608 - fixed text of this file, no input
    f"""
    INSERT INTO checkin (course_id, kind, due_on, created_at, completed_at, session, opened_by,
        answers, phq9_total, gad7_total, status, flags, urgent, acute, outcome_version,
        outcome_sha256, acknowledge_note, sign_off_note, version)
    SELECT c.id, 'interval', c.start_date + 7 * w, now(),
        CASE WHEN w <= c.done THEN c.start_date + 7 * w + time '15:00' END,
        CASE WHEN w <= c.done THEN least(w * 2, 36) END,
        CASE WHEN w <= c.done THEN 'link' END,
        CASE WHEN w <= c.done THEN '{{"phq9": [], "gad7": []}}'::jsonb END,
        CASE WHEN w <= c.done THEN t.total END,
        CASE WHEN w <= c.done THEN 8 END,
        CASE WHEN w <= c.done THEN {STATUS_SQL.format(base="b.base", total="t.total")} END,
        CASE WHEN w <= c.done THEN '[]'::jsonb END, false, false,
        CASE WHEN w <= c.done THEN 'bench' END, NULL, '', '', 1
    FROM seed_course c
    CROSS JOIN generate_series(1, {CHECKINS_PER_COURSE - 1}) AS w
    CROSS JOIN LATERAL (SELECT CASE WHEN c.baseline_done THEN c.base
                                    ELSE (SELECT phq9_total FROM submission
                                          WHERE id = c.id) END AS base) AS b
    CROSS JOIN LATERAL (SELECT greatest(0, least(27, round(
        b.base * (1 - c.pace * w / 19.0) + (random() * 6 - 3)))::int) AS total) AS t
    """,  # noqa: S608 - fixed text of this file, no input
]


def ensure(*, rebuild: bool = False) -> str:
    """The URL of a complete courses benchmark database, built first if there is none."""
    admin = sa.create_engine(bench_db.SERVER, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            mark = conn.execute(
                sa.text(
                    "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
                    "FROM pg_database WHERE datname = :name"
                ),
                {"name": NAME},
            ).scalar()
        if mark == MARK and not rebuild:
            _flask("db", "upgrade")
            print(f"benchmark database {NAME}: reused ({COURSES:,} courses)")
            return url()
        with admin.connect() as conn:
            if mark is not None:
                conn.execute(sa.text(f'DROP DATABASE "{NAME}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{NAME}"'))
        print(f"benchmark database {NAME}: building {COURSES:,} courses…", flush=True)
        started = time.perf_counter()
        _flask("db", "upgrade")
        _flask(
            "user", "create", CLINICIAN_EMAIL, "--role", "clinician",
            env={"INTAKE_USER_PASSWORD": CLINICIAN_PASSWORD},
        )  # fmt: skip
        _flask("seed-demo", "--count", str(COURSES), "--seed", "1")
        engine = sa.create_engine(url())
        try:
            with engine.begin() as conn:
                clinician = conn.execute(
                    sa.text("SELECT id FROM staff_user WHERE email = :e"), {"e": CLINICIAN_EMAIL}
                ).scalar_one()
                for statement in SEED_SQL:
                    conn.execute(sa.text(statement), {"clinician": clinician})
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
                counts = conn.execute(
                    sa.text("SELECT (SELECT count(*) FROM course), (SELECT count(*) FROM checkin)")
                ).one()
        finally:
            engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f"COMMENT ON DATABASE \"{NAME}\" IS '{MARK}'"))
        print(
            f"  {counts[0]:,} courses, {counts[1]:,} check-ins; "
            f"built in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        return url()
    finally:
        admin.dispose()


def _app(database_url: str) -> Any:
    from config import Config
    from intake import create_app

    config = type(
        "OutcomesBench",
        (Config,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "SESSION_COOKIE_SECURE": False},
    )
    return create_app(config)


def _signed_in_client(app: Any) -> Any:
    """A test client signed in as the bench's clinician (a real session record; no password or
    2FA step, as the test suite's ``login_as``)."""
    from intake.auth.sessions import LOGIN_AT, SEEN_AT, SESSION_TOKEN, open_session_record
    from intake.extensions import db
    from intake.models import User

    client = app.test_client()
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == CLINICIAN_EMAIL))
        # ``user create`` asks for a new password at the first sign-in; the bench signs in
        # without the password step, so it skips that one too (a bench database's account).
        user.must_change_password = False
        token = open_session_record(user)
        db.session.commit()
        user_id = user.get_id()
    now = int(time.time())
    with client.session_transaction() as sess:
        sess[SESSION_TOKEN] = token
        sess["_user_id"] = user_id
        sess["_fresh"] = True
        sess[LOGIN_AT] = now
        sess[SEEN_AT] = now
    return client


def _csrf(client: Any) -> str:
    import re

    html = client.get("/clinician/outcomes").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the dashboard"
    return match.group(1)


def _time(run: Any) -> list[float]:
    run()  # warm: the first request compiles templates and fills the caches
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def figures(database_url: str, plans: bool = False) -> list[tuple[str, list[float]]]:
    """(scenario, the samples in ms) for the dashboard and the CSV, whole requests and SQL
    alone."""
    from intake.extensions import db
    from intake.services import outcomes

    app = _app(database_url)
    client = _signed_in_client(app)
    token = _csrf(client)
    quarter = {"date_from": "2026-04-01", "date_to": "2026-06-30"}

    def get(args: dict[str, str]) -> Any:
        def run() -> None:
            response = client.get("/clinician/outcomes", query_string=args)
            assert response.status_code == 200, response.status_code

        return run

    def csv(data: dict[str, str]) -> Any:
        def run() -> None:
            response = client.post("/clinician/outcomes.csv", data={"csrf_token": token, **data})
            assert response.status_code == 200, response.status_code
            response.get_data()  # the streamed body: the query runs as it is read

        return run

    results = [
        ("dashboard page, all courses", _time(get({}))),
        ("dashboard page, one quarter", _time(get(quarter))),
        ("CSV by quarter, all courses", _time(csv({}))),
        ("CSV by month, all courses", _time(csv({"by": "month"}))),
    ]
    with app.app_context():
        everything = outcomes.Cohort()
        results.append(("SQL only: dashboard", _time(lambda: outcomes.dashboard(everything))))
        results.append(("SQL only: CSV rows", _time(lambda: outcomes.registry_rows(everything))))
        if plans:
            kept: list[str] = []

            def keep(state: Any) -> None:
                compiled = state.statement.compile(
                    dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}
                )
                if not str(compiled).startswith("SET"):
                    kept.append(str(compiled))

            sa.event.listen(db.session, "do_orm_execute", keep)
            outcomes.dashboard(everything)
            sa.event.remove(db.session, "do_orm_execute", keep)
            db.session.execute(sa.text("SET LOCAL jit = off"))
            for statement in kept:
                plan = db.session.execute(sa.text(f"EXPLAIN (ANALYZE, BUFFERS) {statement}"))
                print("\n".join(row[0] for row in plan), "\n")
    return results


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    print(f"outcomes benchmark; load average at start: {load()} (2 shared cores)")
    try:
        database_url = ensure(rebuild=os.environ.get("BENCH_REBUILD") == "1")
    except sa.exc.OperationalError as exc:
        print(f"outcomes benchmark: PostgreSQL unreachable, skipped ({str(exc).splitlines()[0]})")
        return
    for name, samples in figures(database_url, plans="--plans" in argv):
        ms = p95(samples)
        verdict = "ok" if ms < GOAL_MS else "OVER"
        print(
            f"  {name:<28} median {statistics.median(samples):6.1f} ms, "
            f"p95 {ms:6.1f} ms (goal < {GOAL_MS:.0f} ms) {verdict}"
        )
    print(f"load average at the end: {load()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
