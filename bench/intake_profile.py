"""One API intake in-process, load-independent: ``python -m bench.intake_profile CMD``.

``POST /api/v1/intakes`` through the Flask test client in the production configuration, on
a PostgreSQL database of its own (``BENCH_INTAKE_DB`` on ``BENCH_POSTGRES_URL``'s server,
created, migrated and dropped by each run), with the bodies ``bench.intake_load`` sends (a
patient per intake, an ``Idempotency-Key`` each, one token). What ``bench.intake_load``
measures under gunicorn is this plus the WSGI server and the clients; what this measures
does not move with the neighbours' load as much, and the statement and call counts not at all.

- ``time [N]``: app CPU per intake (``time.process_time``, the mean and median of N, 300 by
  default, after 30 warm-up intakes), and the wall time;
- ``statements``: the SQL statements one intake sends (each printed once, in order);
- ``calls [N]``: Python function calls per intake (cProfile's count);
- ``profile [N]``: cProfile of N intakes, by own and by cumulative CPU time.

The rate limits are counted in memory (``memory://``), not Redis: the Redis round trip is
not the app's CPU. On the shared 2-core machine run two versions side by side and compare.
``BENCH_OWN_CLUSTER=1`` runs on a durable PostgreSQL cluster of its own (fsync on, as
``bench.intake_load``'s) instead, and ``time`` adds what its WAL did per intake: one client,
so each commit waits for its own WAL flush.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.intake_load import intake_body, wal_counters

SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DBNAME = os.environ.get("BENCH_INTAKE_DB", "intake_bench_api_profile")
WARM_UP = 30


def _admin(statement: str) -> None:
    admin = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(statement))
    admin.dispose()


def make_db() -> str:
    _admin(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DBNAME}"')
    return sa.make_url(SERVER).set(database=DBNAME).render_as_string(hide_password=False)


def drop_db() -> None:
    _admin(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')


def make_app(url: str) -> tuple[Any, str]:
    """The production app on ``url`` (migrated) and an ``intakes:write`` token's secret."""
    from flask_migrate import upgrade

    from config import ProductionConfig
    from intake import create_app
    from intake.extensions import db
    from intake.services.api_tokens import create_token

    config = type(
        "IntakeProfileConfig",
        (ProductionConfig,),
        {
            "SECRET_KEY": "p" * 64,
            "SQLALCHEMY_DATABASE_URI": url,
            "SESSION_COOKIE_SECURE": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "HUEY_URL": "memory://",
            "API_INTAKE_RATE_LIMIT": "1000000 per minute",
            "problems": classmethod(lambda cls: []),
        },
    )
    app = create_app(config)
    root = Path(sys.modules["intake"].__file__).resolve().parent.parent  # type: ignore[arg-type]
    with app.app_context():
        upgrade(directory=str(root / "migrations"))
        secret = create_token("bench")
        db.session.commit()
        db.engine.dispose()
    return app, secret


class Kiosk:
    """Sends intake after intake, each a patient and a key of its own."""

    def __init__(self, app: Any, secret: str) -> None:
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {secret}"}
        self.sent = 0

    def send(self) -> None:
        self.sent += 1
        response = self.client.post(
            "/api/v1/intakes",
            data=intake_body(self.sent),
            content_type="application/json",
            headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, (response.status_code, response.get_data())


_TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu() -> float | None:
    """CPU seconds used so far by the PostgreSQL backends connected to the bench's database
    (read from ``/proc``: PostgreSQL on this machine, readable by this user), else None."""
    admin = sa.create_engine(SERVER)
    try:
        with admin.connect() as conn:
            pids = conn.scalars(
                sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                {"name": DBNAME},
            ).all()
    finally:
        admin.dispose()
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def cpu_times(kiosk: Kiosk, n: int) -> tuple[list[float], float]:
    """CPU ms of each of ``n`` intakes, and the wall seconds of all of them."""
    times = []
    wall = time.perf_counter()
    for _ in range(n):
        started = time.process_time()
        kiosk.send()
        times.append((time.process_time() - started) * 1000)
    return times, time.perf_counter() - wall


def statements(app: Any, kiosk: Kiosk) -> list[str]:
    """The SQL one intake sends (BEGIN/COMMIT are not statements SQLAlchemy reports)."""
    from intake.extensions import db

    seen: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        kiosk.send()
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    return seen


def main(argv: list[str]) -> int:
    if os.environ.get("BENCH_OWN_CLUSTER") != "1":
        return run(argv)
    global SERVER  # the run's server, chosen before anything connects
    from bench.intake_load import PG_OPTIONS
    from tests.faults.servers import PostgresCluster

    cluster = PostgresCluster(PG_OPTIONS)
    try:
        cluster.init()
        SERVER = cluster.url.rsplit("/", 1)[0] + "/postgres"
        return run(argv)
    finally:
        cluster.destroy()


def run(argv: list[str]) -> int:
    command = argv[0] if argv else "time"
    n = int(argv[1]) if len(argv) > 1 else 300
    url = make_db()
    try:
        app, secret = make_app(url)
        kiosk = Kiosk(app, secret)
        for _ in range(WARM_UP):
            kiosk.send()
        if command == "time":
            own_cluster = os.environ.get("BENCH_OWN_CLUSTER") == "1"
            wal_before = wal_counters(SERVER, DBNAME) if own_cluster else None
            backend_before = backend_cpu()
            times, wall = cpu_times(kiosk, n)
            backend_after = backend_cpu()
            if wal_before is not None:
                wal = wal_counters(SERVER, DBNAME)
                print(
                    f"WAL per intake: {(wal['wal_bytes'] - wal_before['wal_bytes']) / n:.0f} "
                    f"bytes, {(wal['wal_sync'] - wal_before['wal_sync']) / n:.2f} flushes, "
                    f"{(wal['wal_sync_time'] - wal_before['wal_sync_time']) / n:.3f} ms "
                    f"flushing; {(wal['commits'] - wal_before['commits']) / n:.2f} commits"
                )
            print(
                f"{n} intakes: CPU per intake mean {statistics.mean(times):.2f} ms, "
                f"median {statistics.median(times):.2f} ms, lowest {min(times):.2f} ms; "
                f"wall {wall * 1000 / n:.2f} ms per intake; load {os.getloadavg()[0]:.2f}"
            )
            if backend_before is not None and backend_after is not None:
                backend_ms = (backend_after - backend_before) * 1000 / n
                print(
                    f"PostgreSQL backend CPU per intake {backend_ms:.2f} ms (its connection's "
                    "process; the WAL writer and checkpointer not counted)"
                )
        elif command == "statements":
            sent = statements(app, kiosk)
            for statement in sent:
                print(statement[:160])
            print(f"{len(sent)} statements")
        elif command in ("calls", "profile"):
            prof = cProfile.Profile(time.process_time)
            prof.enable()
            for _ in range(n):
                kiosk.send()
            prof.disable()
            stats = pstats.Stats(prof)
            calls = stats.total_calls  # type: ignore[attr-defined]
            print(f"{calls / n:.0f} Python calls per intake ({n} intakes)")
            if command == "profile":
                stats.sort_stats("tottime").print_stats(40)
                stats.sort_stats("cumulative").print_stats(80)
        else:
            print(__doc__)
            return 2
    finally:
        drop_db()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
