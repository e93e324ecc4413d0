"""Where a staff page's time goes, in-process: ``python -m bench.profile_pages [PAGE ...]``.

Renders the front-desk queue (``queue``) and the clinician summary (``summary``) through the
Flask test client against the 1,000,000-row benchmark database (``bench/bench_db.py``, built
with ``make bench-db``), signed in as a new account of the page's role, ``BENCH_PROFILE_ROUNDS``
times each (after warm-ups): prints the median and p95 of a whole request (routing, sign-in
checks, queries, template, audit event and commit) and the median CPU time the process spent
on one, then runs it again under cProfile and
prints the functions with the most cumulative and own time. ``--no-profile`` prints only the
times; ``BENCH_PROFILE_URL`` names another database (e.g. a small seeded one). The app runs
with the base configuration (no rate limits, no two-factor step, no job queue: the test client
is signed in directly) and a job queue in a temporary file that nobody consumes (as in
production, the summary looks up its stored PDF on each view; the PDF is rendered first), which
is what the page itself costs a worker. Each page's line also gives how many SQL statements one
request sends.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from bench import bench_db
from config import Config

ROUNDS = int(os.environ.get("BENCH_PROFILE_ROUNDS", "100"))


def _app(url: str, huey_url: str = "memory://") -> Any:
    from intake import create_app

    config = type(
        "ProfileConfig",
        (Config,),
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "REQUIRE_2FA_ROLES": (),
            "HUEY_URL": huey_url,
        },
    )
    return create_app(config)


def _client(app: Any, role: str) -> Any:
    """A test client signed in as a new account holding ``role`` (a new one per run: the
    database outlives a run's passwords)."""
    from intake.auth.sessions import LOGIN_AT, SEEN_AT, SESSION_TOKEN, open_session_record
    from intake.extensions import db
    from intake.services.accounts import create_account

    with app.app_context():
        user = create_account(
            f"profile-{role}-{secrets.token_hex(4)}@bench.example.org",
            secrets.token_urlsafe(24),
            (role,),
            check_policy=False,
            must_change_password=False,
        )
        user_id = user.get_id()
        token = open_session_record(user)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        now = int(time.time())
        session.update({"_user_id": user_id, SESSION_TOKEN: token, LOGIN_AT: now, SEEN_AT: now})
    return client


def summary_id(app: Any) -> int:
    """A full urgent submission (the summary's richest common case: flags, safety, pathways)."""
    from intake.extensions import db
    from intake.models import Submission

    with app.app_context():
        found = db.session.scalar(
            sa.select(Submission.id)
            .where(Submission.urgent.is_(True), Submission.partial.is_(False))
            .order_by(Submission.id.desc())
            .limit(1)
        )
    assert found is not None, "the benchmark database has no urgent submission"
    return int(found)


def pages(app: Any) -> dict[str, Callable[[], int]]:
    desk = _client(app, "front_desk")
    clinician = _client(app, "clinician")
    sid = summary_id(app)
    return {
        "queue": lambda: desk.get("/staff/").status_code,
        "summary": lambda: clinician.get(f"/clinician/submissions/{sid}").status_code,
    }


def statements(app: Any, fetch: Callable[[], int]) -> int:
    """How many SQL statements one request sends (a figure the machine's load does not move)."""
    from intake.extensions import db

    sent = 0

    def count(*_args: Any) -> None:
        nonlocal sent
        sent += 1

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        fetch()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return sent


def timed(fetch: Callable[[], int], rounds: int) -> tuple[float, float, float]:
    """Median and p95 of a whole request (wall clock, ms), and the median CPU time this
    process spent on one (ms): on a shared machine the wall clock moves with the neighbours,
    the CPU time much less (PostgreSQL's own work is not in it)."""
    for _ in range(5):
        assert fetch() == 200
    samples, cpu = [], []
    for _ in range(rounds):
        start, started_cpu = time.perf_counter(), time.process_time()
        status = fetch()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert status == 200, status
    samples.sort()
    return (
        statistics.median(samples),
        samples[max(0, int(len(samples) * 0.95) - 1)],
        statistics.median(cpu),
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    wanted = [a for a in argv if not a.startswith("--")] or ["queue", "summary"]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    url = os.environ.get("BENCH_PROFILE_URL") or bench_db.ensure()
    with tempfile.TemporaryDirectory() as tmp:
        # A job queue, as in production (a file nobody consumes): the summary looks its stored
        # PDF up on every view, which it skips with no queue (``memory://``). The PDF is
        # rendered first, as the worker would after the first view.
        if "summary" in wanted:
            from bench.queue_bench import summary_submission

            summary_submission(url)
        app = _app(url, f"sqlite:///{tmp}/queue.db")
        _profile(app, wanted, argv)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _profile(app: Any, wanted: list[str], argv: list[str]) -> None:
    found = pages(app)
    for name in wanted:
        fetch = found[name]
        median, p95, cpu = timed(fetch, ROUNDS)
        print(
            f"{name}: median {median:.2f} ms, p95 {p95:.2f} ms, this process's CPU "
            f"{cpu:.2f} ms median ({ROUNDS} requests, in-process); "
            f"{statements(app, fetch)} SQL statements a request"
        )
        if "--no-profile" in argv:
            continue
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(ROUNDS):
            fetch()
        profile.disable()
        stats = pstats.Stats(profile).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
