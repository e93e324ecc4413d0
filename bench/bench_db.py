"""The 1M benchmark database: ``make bench-db`` (``python -m bench.bench_db``).

Builds, once, the PostgreSQL database ``intake_bench`` on ``BENCH_POSTGRES_URL``'s server (the
local one by default) the way an operator would: ``flask db upgrade``, a front-desk account
(``frontdesk@bench.example.org``, whose contact attempts acknowledge the older urgent
submissions and which signs the benchmark in), ``flask seed-demo --count 1000000 --seed 1``,
then ``VACUUM ANALYZE`` (what autovacuum does soon after a bulk load). A finished build is
marked with a comment on the database, which also keeps how long the seed took (so a run that
reuses the database still prints the seeder's figure beside its goal); the queue benchmark
reuses a marked database (upgrading it to the newest migration) and rebuilds an unmarked one
(an interrupted build).
``BENCH_REBUILD=1`` rebuilds anyway; ``BENCH_DB_ROWS`` changes the size (another size is another
build). Drop it with ``dropdb -h 127.0.0.1 -U postgres intake_bench``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
NAME = "intake_bench"
ROWS = int(os.environ.get("BENCH_DB_ROWS", "1000000"))
SEED = 1
DESK_EMAIL = "frontdesk@bench.example.org"
#: A local benchmark database's account; not a secret (the database holds only demo data).
DESK_PASSWORD = "violet-harbour-Qm7-Lr9x-2Tz"  # noqa: S105
MARK = f"intake bench: {ROWS} demo submissions, seed {SEED}, complete"
#: What follows MARK in the comment: the seed's measured time (digits, dots, dashes only).
SEEDED = "; seeded in "


def url() -> str:
    """The benchmark database's URL."""
    return sa.engine.make_url(SERVER).set(database=NAME).render_as_string(hide_password=False)


def _flask(*args: str, env: dict[str, str] | None = None, show: bool = False) -> str:
    """``flask --app intake ARGS`` on the benchmark database; its output, also printed if
    ``show``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    environ |= {"INTAKE_ENV": "development", "INTAKE_DATABASE_URL": url(), **(env or {})}
    proc = subprocess.Popen(  # noqa: S603 - fixed argument list
        [sys.executable, "-m", "flask", "--app", "intake", *args],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        if show:
            print(f"    {line.rstrip()}", flush=True)
    if proc.wait() != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{''.join(lines)}")
    return "".join(lines)


def _mark(admin: sa.Engine) -> str | None:
    """The database's comment, or None when there is no such database."""
    with admin.connect() as conn:
        found = conn.execute(
            sa.text(
                "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
                "FROM pg_database WHERE datname = :name"
            ),
            {"name": NAME},
        ).scalar()
    return found


def ensure(*, rebuild: bool = False, say: Callable[[str], None] = print) -> str:
    """The URL of a complete benchmark database, built first if there is none."""
    admin = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    try:
        mark = _mark(admin)
        if mark is not None and mark.partition(SEEDED)[0] == MARK and not rebuild:
            _flask("db", "upgrade")
            say(f"benchmark database {NAME}: reused ({ROWS:,} submissions, seed {SEED})")
            say(f"  {_seed_figure(mark)}")
            _record_seed(mark)
            return url()
        with admin.connect() as conn:
            if mark is not None:
                conn.execute(sa.text(f'DROP DATABASE "{NAME}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{NAME}"'))
        say(f"benchmark database {NAME}: building {ROWS:,} submissions (several minutes)…")
        started = time.perf_counter()
        _flask("db", "upgrade")
        _flask(
            "user", "create", DESK_EMAIL, "--role", "front_desk",
            env={"INTAKE_USER_PASSWORD": DESK_PASSWORD},
        )  # fmt: skip
        seeded = time.perf_counter()
        _flask("seed-demo", "--count", str(ROWS), "--seed", str(SEED), show=True)
        seconds = time.perf_counter() - seeded
        engine = sa.create_engine(url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        finally:
            engine.dispose()
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        record = f"{MARK}{SEEDED}{seconds:.0f} s at load {load} on {time.strftime('%Y-%m-%d')}"
        with admin.connect() as conn:
            conn.execute(sa.text(f"COMMENT ON DATABASE \"{NAME}\" IS '{record}'"))
        say(
            f"  seeded in {seconds:.0f} s (goal < 600 s for 1,000,000); "
            f"built in {time.perf_counter() - started:.0f} s with the vacuum; "
            f"load average {load} (2 shared cores)"
        )
        _record_seed(record)
        return url()
    finally:
        admin.dispose()


def _seed_figure(mark: str) -> str:
    """The seeder's figure a reused database's comment keeps, beside its goal."""
    _, found, rest = mark.partition(SEEDED)
    if not found:
        return "seeder: time not recorded (built before the time was kept; BENCH_REBUILD=1)"
    return f"seeder, when this database was built: {rest} (goal < 600 s for 1,000,000)"


def _record_seed(mark: str) -> None:
    """The seeder's figure for ``make bench``'s closing table (once a run: several benchmarks
    reuse the database)."""
    from bench import goals

    _, found, rest = mark.partition(SEEDED)
    if any(f.target == "seeder, 1M" for f in goals.FIGURES):
        return
    seconds = float(rest.split(" s", 1)[0]) if found else None
    goals.record(
        "seeder, 1M",
        rest if found else "not recorded",
        "< 600 s",
        None if seconds is None else seconds < 600,
    )


def main() -> None:
    ensure(rebuild=os.environ.get("BENCH_REBUILD") == "1")


if __name__ == "__main__":
    main()
