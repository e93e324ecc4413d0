"""API intakes on PostgreSQL under gunicorn: 50 concurrent kiosks, then the same through one
PostgreSQL restart. ``python -m bench.intake_load`` (also run by ``make bench``).

Everything runs on servers started for the run (a PostgreSQL cluster and a redis-server of its
own, see ``tests/faults/servers.py``), never the shared ones. gunicorn gets 2 × cores workers
in production mode. Each client sends intakes with an ``Idempotency-Key`` and, on a 503, sends
the same request again after a short pause, as docs/operations.md tells a kiosk to. Printed per
phase: requests/s, latency p50/p95/p99, status counts, retries, errors (anything that is
neither 201 nor 503, and dropped connections), and stored rows against acknowledged intakes.

The load generator is Python threads on the same machine, so it competes with gunicorn for the
CPU: the figures are for comparing runs here, not a capacity figure for a real server.
Settings: ``BENCH_CLIENTS`` (50), ``BENCH_SECONDS`` per phase (15), ``BENCH_WORKERS``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from tests.answer_documents import sample_answers
from tests.faults.servers import (
    PostgresCluster,
    RedisServer,
    flask,
    gunicorn,
    missing_binaries,
    production_env,
)

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1))))


@dataclass
class Phase:
    """What the clients of one phase saw."""

    name: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    connection_errors: int = 0
    retries: int = 0
    acknowledged: dict[str, int] = field(default_factory=dict)  # key -> id from its 201
    elapsed: float = 0.0
    note: str = ""

    def record(self, status: int | None, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if status is None:
                self.connection_errors += 1
            else:
                self.statuses[status] += 1


def _post(base: str, token: str, body: bytes, key: str) -> tuple[int | None, bytes]:
    req = urllib.request.Request(  # noqa: S310 - our own server
        f"{base}/api/v1/intakes",
        data=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return None, b""


def client(base: str, token: str, phase: Phase, until: float) -> None:
    body = json.dumps(sample_answers()).encode()
    while time.monotonic() < until:
        key = str(uuid.uuid4())
        # One intake: the first attempt starts before ``until``; retries may run past it.
        for attempt in range(200):
            if attempt:
                with phase.lock:
                    phase.retries += 1
            started = time.perf_counter()
            status, reply = _post(base, token, body, key)
            phase.record(status, time.perf_counter() - started)
            if status == 201:
                with phase.lock:
                    phase.acknowledged[key] = json.loads(reply)["id"]
                break
            if status not in (503, None):
                break
            time.sleep(0.2)


def run_phase(base: str, token: str, name: str, fault=None) -> Phase:  # type: ignore[no-untyped-def]
    phase = Phase(name)
    started = time.monotonic()
    until = started + SECONDS
    threads = [
        threading.Thread(target=client, args=(base, token, phase, until), daemon=True)
        for _ in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    if fault is not None:
        time.sleep(SECONDS / 2)
        phase.note = fault()
    for thread in threads:
        thread.join()
    phase.elapsed = time.monotonic() - started
    return phase


def stored(url: str, keys: set[str]) -> tuple[int, int]:
    """(rows stored for these keys, keys stored more than once)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            counts = dict(
                conn.execute(
                    sa.text(
                        "SELECT idempotency_key, count(*) FROM submission "
                        "WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key"
                    )
                ).all()
            )
    finally:
        engine.dispose()
    mine = {k: n for k, n in counts.items() if k in keys}
    return sum(mine.values()), sum(1 for n in mine.values() if n > 1)


def report(phase: Phase, rows: int, twice: int) -> None:
    ms = sorted(x * 1000 for x in phase.latencies)
    cuts = statistics.quantiles(ms, n=100) if len(ms) >= 2 else [0.0] * 99
    requests = len(ms)
    errors = phase.connection_errors + sum(
        n for code, n in phase.statuses.items() if code not in (201, 503)
    )
    print(f"\n{phase.name}{f' ({phase.note})' if phase.note else ''}:")
    print(
        f"  {requests} requests in {phase.elapsed:.1f} s = {requests / phase.elapsed:.0f}/s; "
        f"{phase.statuses[201]} × 201 = {phase.statuses[201] / phase.elapsed:.0f} intakes/s"
    )
    print(f"  latency ms: p50 {cuts[49]:.0f}, p95 {cuts[94]:.0f}, p99 {cuts[98]:.0f}")
    print(
        f"  503s {phase.statuses[503]}, retries {phase.retries}, errors {errors} "
        f"(statuses {dict(phase.statuses)}, dropped connections {phase.connection_errors})"
    )
    print(
        f"  acknowledged intakes {len(phase.acknowledged)}, rows stored for them {rows}, "
        f"stored twice {twice}"
    )


def main() -> int:
    missing = missing_binaries()
    if missing:
        print(f"intake load benchmark: skipped (needs {', '.join(missing)})")
        return 0
    print(
        f"API intakes on PostgreSQL: {CLIENTS} clients, gunicorn {WORKERS} workers "
        f"({os.cpu_count()} cores), {SECONDS:.0f} s per phase"
    )
    pg, redis = PostgresCluster(), RedisServer()
    try:
        pg.init()
        redis.start()
        # One token for every client: lift its per-token intake limit (60 a minute by default).
        env = production_env(pg.url, redis.url, INTAKE_API_INTAKE_RATE_LIMIT="1000000 per minute")
        flask("db", "upgrade", env=env)
        token = flask("api-token", "create", "bench", env=env).strip().splitlines()[-1]
        with (
            tempfile.TemporaryDirectory() as tmp,
            gunicorn(env, workers=WORKERS, log=Path(tmp) / "gunicorn.log") as base,
        ):
            for name, fault in (("steady", None), ("one PostgreSQL restart", pg)):
                action = None
                if fault is not None:

                    def action(cluster: PostgresCluster = fault) -> str:
                        started = time.perf_counter()
                        cluster.restart()
                        return f"pg_ctl restart -m fast took {time.perf_counter() - started:.1f} s"

                phase = run_phase(base, token, name, action)
                rows, twice = stored(pg.url, set(phase.acknowledged))
                report(phase, rows, twice)
    finally:
        redis.destroy()
        pg.destroy()
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
