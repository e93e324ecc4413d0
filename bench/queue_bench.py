"""Queue queries with 100,000+ submissions, on PostgreSQL (and SQLite with ``--sqlite``).

Seeds ``BENCH_QUEUE_ROWS`` synthetic submissions (default 100,000) with the demo seeder into a
throwaway database, then times the queries the front-desk queue runs and prints PostgreSQL's
query plan for the default page, so a missing index shows up as a sequential scan.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable

import sqlalchemy as sa
from flask_migrate import upgrade

from config import TestingConfig
from intake import create_app
from intake.extensions import db
from intake.staff.filters import read_filters

ROWS = int(os.environ.get("BENCH_QUEUE_ROWS", "100000"))
SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _median_ms(run: Callable[[], object], rounds: int = 20) -> float:
    run()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _queries() -> dict[str, Callable[[], object]]:
    from intake.services.queue import (
        listing,
        pinned,
        unacknowledged_urgent_count,
    )

    def page(**filters: str) -> Callable[[], object]:
        f = read_filters(filters)
        return lambda: (pinned(f), listing(f))

    return {
        "default queue page (pinned + page 1)": page(),
        "page 1,000 of the list": page(page="1000"),
        "status in_review": page(status="in_review"),
        "urgent only": page(urgent="yes"),
        "pathway tms_plus_cbt": page(pathway="tms_plus_cbt"),
        "coverage medicare + concern ocd": page(coverage="medicare", concern="ocd"),
        "search by last name prefix": page(q="garc"),
        "search by date of birth": page(q="1980-04-12"),
        "sorted by last name": page(sort="last_name"),
        "header count of unacknowledged urgent": unacknowledged_urgent_count,
    }


def run(url: str, label: str) -> None:
    config = type("QueueBench", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    with app.app_context():
        upgrade()
        from intake.demo.seed import seed

        start = time.perf_counter()
        seed(ROWS, seed_value=1)
        seconds = time.perf_counter() - start
        print(f"queue queries on {label}, {ROWS:,} submissions (seeded in {seconds:.0f} s):")
        if url.startswith("postgresql"):
            # What autovacuum does soon after a bulk load: fresh statistics and a visibility map,
            # without which counts cannot use index-only scans.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE submission"))
        for name, query in _queries().items():
            print(f"  {name:<42} median {_median_ms(query):7.2f} ms")
        if url.startswith("postgresql"):
            _explain_default_page()
        db.session.remove()
        db.engine.dispose()


def _explain_default_page() -> None:
    from intake.models import Submission
    from intake.services.queue import QueueFilters, select_listed

    stmt = select_listed(QueueFilters()).with_only_columns(Submission.id).limit(50)
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = db.session.execute(sa.text(f"EXPLAIN {compiled}")).scalars().all()
    print("  plan of the default page:")
    for line in plan[:6]:
        print(f"    {line}")


def main() -> None:
    admin = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    name = f"intake_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        print("queue queries: PostgreSQL unreachable, skipped (set BENCH_POSTGRES_URL)")
    else:
        try:
            run(sa.engine.make_url(SERVER).set(database=name).render_as_string(False), "PostgreSQL")
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    if "--sqlite" in sys.argv:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/queue.sqlite3", "SQLite")
    admin.dispose()


if __name__ == "__main__":
    main()
