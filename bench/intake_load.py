"""API intakes on PostgreSQL under gunicorn: 50 concurrent kiosks, then the same through one
PostgreSQL restart. ``python -m bench.intake_load`` (also run by ``make bench``).

Everything runs on servers started for the run (a PostgreSQL cluster and a redis-server of its
own, see ``tests/faults/servers.py``), never the shared ones; the cluster is durable (fsync on,
as in production: an acknowledged intake is on disk) unless ``BENCH_FSYNC=0``, and
``BENCH_PG_OPTIONS`` adds settings to it (``-c commit_delay=200 -c commit_siblings=5``).
gunicorn runs in production mode as docs/operations.md "Deploying" runs it (gthread workers,
one per core, 8 threads each; ``BENCH_WORKER_CLASS=sync``: 2 × cores sync workers). Each
client sends intakes with an ``Idempotency-Key`` and, on a 503 or a dropped connection, sends
the same request again after 200 ms, as docs/operations.md tells a kiosk to. Each intake is a
patient of its own (a clinic's kiosks do not send one person thousands of times;
``BENCH_SAME_PATIENT=1`` sends the same one every time, so each intake matches every earlier
one). Printed per phase:
requests/s, latency p50/p95/p99, status counts, retries, errors (anything that is neither 201
nor 503, and dropped connections), the rows stored for the acknowledged intakes (each
acknowledged key must have exactly one row, with the id its 201 gave), the CPU per request of
gunicorn, PostgreSQL's backends, its other processes and redis-server, and the WAL per commit
(bytes, flushes and their time).

The load generator is ``wrk`` (Debian package ``wrk``) with ``bench/intake_load.lua``, one
connection per wrk thread; without wrk, or with ``BENCH_CLIENT=python``, it is Python threads
(urllib). Both cost about 1-2 ms of CPU per request (printed); either way it runs on the same
machine: the figures are for comparing runs here, not a capacity figure
for a real server. Settings: ``BENCH_CLIENTS`` (50), ``BENCH_SECONDS`` per phase (15),
``BENCH_WORKERS`` (gunicorn workers), ``BENCH_WORKER_CLASS`` (``gthread`` or ``sync``),
``BENCH_THREADS`` (8), ``BENCH_CLIENT`` (``wrk`` or ``python``).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
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

from bench import goals
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
#: gunicorn's worker class and threads, as docs/operations.md "Deploying" runs it: ``gthread``
#: keeps a client's connection open between requests (a sync worker closes it after each
#: response, so every intake paid a TCP connect and accept). ``BENCH_WORKER_CLASS=sync`` for
#: the sync workers (``BENCH_THREADS`` is then ignored).
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
#: Workers: one per core with threads; 2 × cores of sync workers (each idles while it waits on
#: PostgreSQL).
WORKERS = int(
    os.environ.get(
        "BENCH_WORKERS", str((os.cpu_count() or 1) * (1 if WORKER_CLASS == "gthread" else 2))
    )
)
SAME_PATIENT = os.environ.get("BENCH_SAME_PATIENT") == "1"
#: The bench's own PostgreSQL is durable as production is (fsync on, every commit flushed to
#: disk before it is acknowledged; ``BENCH_FSYNC=0`` for the fault tests' fsync off), with the
#: WAL's I/O timed. ``BENCH_PG_OPTIONS`` adds settings, e.g. ``-c commit_delay=200``.
FSYNC = os.environ.get("BENCH_FSYNC", "1") == "1"
PG_OPTIONS = (
    f"-c fsync={'on' if FSYNC else 'off'} -c track_wal_io_timing=on "
    + os.environ.get("BENCH_PG_OPTIONS", "")
).strip()
LUA = Path(__file__).with_name("intake_load.lua")


def client_kind() -> str:
    """``wrk`` when installed (unless ``BENCH_CLIENT=python``), else ``python``."""
    wanted = os.environ.get("BENCH_CLIENT", "wrk")
    return "wrk" if wanted == "wrk" and shutil.which("wrk") else "python"


def body_template() -> str:
    """The sample answers as JSON, with ``__LN__``/``__EM__``/``__PH__`` where each intake's
    own last name, e-mail name and phone digits go (``bench/intake_load.lua`` fills them)."""
    document = sample_answers()
    document["patient"].update(
        last_name="__LN__", email="__EM__@example.org", phone="+1 503 __PH__"
    )
    return json.dumps(document)


def _letters(n: int) -> str:
    text = ""
    while True:
        text = chr(97 + n % 26) + text
        n //= 26
        if n == 0:
            return text


def intake_body(n: int) -> bytes:
    """Intake ``n``'s body, as the Lua script makes it."""
    if SAME_PATIENT:
        last, email, phone = "Reyes", "ana", "555 0100"
    else:
        tag = _letters(n)
        last, email = f"Reyes-{tag}", f"ana.{tag}"
        phone = f"{200 + (n // 10000) % 800:03d} {n % 10000:04d}"
    text = body_template().replace("__LN__", last).replace("__EM__", email)
    return text.replace("__PH__", phone).encode()


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
    #: Keys whose 201s gave two different ids (must stay 0: a replay returns the first id).
    conflicting: int = 0
    elapsed: float = 0.0
    note: str = ""
    #: wrk's latency percentiles (ms), when wrk measured them; else from ``latencies``.
    percentiles: tuple[float, float, float] | None = None
    requests: int = 0
    #: CPU seconds gunicorn and PostgreSQL used in the phase (None: not measured).
    server_cpu: float | None = None
    #: The same by process kind (``server_cpu``'s kinds, and redis-server), when measured.
    cpu_by_kind: dict[str, float] = field(default_factory=dict)
    #: What PostgreSQL's WAL did in the phase (``pg_stat_wal``, commits), when measured.
    wal: dict[str, float] = field(default_factory=dict)
    #: CPU seconds the load generator used in the phase.
    client_cpu: float = 0.0

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


_counter = iter(range(1, 10**9))


def client(base: str, token: str, phase: Phase, until: float) -> None:
    while time.monotonic() < until:
        key = str(uuid.uuid4())
        with phase.lock:
            body = intake_body(next(_counter))
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


def run_phase(  # type: ignore[no-untyped-def]
    base: str, token: str, name: str, pg: PostgresCluster, redis: RedisServer, fault=None
) -> Phase:
    """One phase with the chosen client, and the servers' CPU and WAL for it (not when
    PostgreSQL restarted in it: the new postmaster does not carry the old one's time)."""
    port = base.rsplit(":", 1)[1]
    pid_file = pg.data / "postmaster.pid"
    postmaster = pid_file.read_text().split()[0]
    redis_pid = redis.proc.pid if redis.proc is not None else None
    before, wal_before = cpu_by_kind(port, pid_file, redis_pid), wal_counters(pg.url)
    client_before = _client_cpu()
    run = run_phase_wrk if client_kind() == "wrk" else run_phase_python
    phase = run(base, token, name, fault)
    phase.client_cpu = _client_cpu() - client_before
    if pid_file.read_text().split()[0] == postmaster:
        after, wal_after = cpu_by_kind(port, pid_file, redis_pid), wal_counters(pg.url)
        phase.cpu_by_kind = {kind: after[kind] - before.get(kind, 0.0) for kind in after}
        phase.server_cpu = sum(
            seconds for kind, seconds in phase.cpu_by_kind.items() if kind != "redis-server"
        )
        phase.wal = {key: wal_after[key] - wal_before[key] for key in wal_after}
    return phase


def wal_counters(url: str, database: str = "intake") -> dict[str, float]:
    """PostgreSQL's WAL counters (``pg_stat_wal``: records, bytes, writes, syncs and their
    milliseconds with ``track_wal_io_timing``) and ``database``'s commits so far."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            wal = conn.execute(
                sa.text(
                    "SELECT wal_records, wal_bytes, wal_write, wal_sync, wal_write_time, "
                    "wal_sync_time FROM pg_stat_wal"
                )
            ).one()
            commits = conn.scalar(
                sa.text("SELECT xact_commit FROM pg_stat_database WHERE datname = :name"),
                {"name": database},
            )
    finally:
        engine.dispose()
    return {**{key: float(value) for key, value in wal._mapping.items()}, "commits": commits}


def _client_cpu() -> float:
    """CPU seconds of this process (the Python clients) and its exited children (wrk)."""
    import resource

    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_phase_python(base: str, token: str, name: str, fault=None) -> Phase:  # type: ignore[no-untyped-def]
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
    phase.requests = len(phase.latencies)
    return phase


def run_phase_wrk(base: str, token: str, name: str, fault=None) -> Phase:  # type: ignore[no-untyped-def]
    """The phase with ``wrk -t CLIENTS -c CLIENTS``; the Lua script logs every response to a
    file per thread, read here into the same ``Phase`` the Python clients fill."""
    phase = Phase(name)
    with tempfile.TemporaryDirectory() as out:
        env = {
            **os.environ,
            "BENCH_BODY_TEMPLATE": body_template(),
            "BENCH_TOKEN": token,
            "BENCH_OUT_DIR": out,
            "BENCH_RUN": uuid.uuid4().hex[:12],
            "BENCH_SAME_PATIENT": "1" if SAME_PATIENT else "0",
        }
        command = ["wrk", f"-t{CLIENTS}", f"-c{CLIENTS}", f"-d{SECONDS:.0f}s", "--timeout",
                   "60s", "-s", str(LUA), f"{base}/api/v1/intakes"]  # fmt: skip
        started = time.monotonic()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
        if fault is not None:
            time.sleep(SECONDS / 2)
            phase.note = fault()
        stdout, _ = proc.communicate(timeout=SECONDS + 120)
        phase.elapsed = time.monotonic() - started
        if proc.returncode != 0:
            raise RuntimeError(f"wrk exited {proc.returncode}:\n{stdout}")
        summary = dict(
            item.split("=")
            for line in stdout.splitlines()
            if line.startswith("BENCH-WRK ")
            for item in line.split()[1:]
        )
        for log_file in Path(out).glob("thread-*.log"):
            for line in log_file.read_text().splitlines():
                status, key, ident, attempt = line.split()
                if int(attempt):
                    phase.retries += 1
                if status == "lost":
                    continue  # counted by wrk as a connect/read/write error
                phase.statuses[int(status)] += 1
                first = phase.acknowledged.setdefault(key, int(ident)) if status == "201" else 0
                if status == "201" and first != int(ident):
                    phase.conflicting += 1
    phase.elapsed = int(summary["duration_us"]) / 1e6
    phase.requests = int(summary["requests"])
    phase.connection_errors = sum(int(summary[k]) for k in ("connect", "read", "write", "timeout"))
    phase.percentiles = tuple(  # type: ignore[assignment]
        int(summary[f"p{p}_us"]) / 1000 for p in (50, 95, 99)
    )
    return phase


_TICK = os.sysconf("SC_CLK_TCK")


def _proc(pid: int) -> tuple[int, float, float, bytes] | None:
    """(parent pid, own CPU seconds, CPU seconds of its exited children, command line)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    own = (int(fields[11]) + int(fields[12])) / _TICK
    reaped = (int(fields[13]) + int(fields[14])) / _TICK
    return int(fields[1]), own, reaped, cmdline


def cpu_by_kind(port: str, postmaster_pid_file: Path, redis_pid: int | None) -> dict[str, float]:
    """CPU seconds used so far by gunicorn on ``port``, the benchmark's PostgreSQL (its
    backends, the processes serving the app's connections, apart from the rest: the WAL
    writer, checkpointer, autovacuum, the postmaster) and its redis-server: each master with
    its exited children, plus its live children's own time. Read before and after a phase, the
    difference is each one's CPU for it, whatever else the machine runs."""
    try:
        postmaster = int(postmaster_pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        postmaster = -1
    procs = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (info := _proc(int(entry.name))) is not None:
            procs[int(entry.name)] = info
    bind = f"127.0.0.1:{port}".encode()
    masters = {postmaster} | {
        pid
        for pid, (parent, _own, _reaped, cmd) in procs.items()
        if b"gunicorn" in cmd and bind in cmd and bind not in procs.get(parent, (0, 0, 0, b""))[3]
    }
    kinds: dict[str, float] = dict.fromkeys(
        ("gunicorn", "PostgreSQL backends", "PostgreSQL other", "redis-server"), 0.0
    )
    for pid, (parent, own, reaped, cmd) in procs.items():
        if pid == redis_pid:
            kinds["redis-server"] += own + reaped
        elif pid in masters or parent in masters:
            if pid == postmaster or parent == postmaster:
                # A backend's title names its client: "postgres: postgres intake 127.0.0.1(…)".
                kind = "PostgreSQL backends" if b"127.0.0.1(" in cmd else "PostgreSQL other"
            else:
                kind = "gunicorn"
            kinds[kind] += own + (reaped if pid in masters else 0.0)
    return kinds


def stored(url: str, acknowledged: dict[str, int]) -> tuple[int, int, int]:
    """(rows stored for these keys, keys stored more than once, keys whose row is not the id
    their 201 gave)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            counts = dict(
                (key, (n, low))
                for key, n, low in conn.execute(
                    sa.text(
                        "SELECT idempotency_key, count(*), min(id) FROM submission "
                        "WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key"
                    )
                ).all()
            )
    finally:
        engine.dispose()
    mine = {k: v for k, v in counts.items() if k in acknowledged}
    wrong = sum(1 for k, (_n, low) in mine.items() if low != acknowledged[k])
    missing = len(set(acknowledged) - set(mine))
    twice = sum(1 for n, _low in mine.values() if n > 1)
    return sum(n for n, _low in mine.values()), twice, wrong + missing


def report(phase: Phase, rows: int, twice: int, wrong: int) -> None:
    if phase.percentiles is not None:
        p50, p95, p99 = phase.percentiles
    else:
        ms = sorted(x * 1000 for x in phase.latencies)
        cuts = statistics.quantiles(ms, n=100) if len(ms) >= 2 else [0.0] * 99
        p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    requests = phase.requests
    errors = phase.connection_errors + sum(
        n for code, n in phase.statuses.items() if code not in (201, 503)
    )
    print(f"\n{phase.name}{f' ({phase.note})' if phase.note else ''}:")
    print(
        f"  {requests} requests in {phase.elapsed:.1f} s = {requests / phase.elapsed:.0f}/s; "
        f"{phase.statuses[201]} × 201 = {phase.statuses[201] / phase.elapsed:.0f} intakes/s"
    )
    print(f"  latency ms: p50 {p50:.0f}, p95 {p95:.0f}, p99 {p99:.0f}")
    print(
        f"  503s {phase.statuses[503]}, retries {phase.retries}, errors {errors} "
        f"(statuses {dict(phase.statuses)}, dropped connections {phase.connection_errors})"
    )
    print(
        f"  acknowledged intakes {len(phase.acknowledged)}, rows stored for them {rows}, "
        f"stored twice {twice}, missing or not the acknowledged id {wrong}, "
        f"keys acknowledged with two ids {phase.conflicting}"
    )
    if phase.server_cpu is not None and requests:
        print(
            f"  server CPU (gunicorn + PostgreSQL) {phase.server_cpu:.1f} s = "
            f"{phase.server_cpu * 1000 / requests:.1f} ms per request ("
            + ", ".join(
                f"{kind} {seconds * 1000 / requests:.2f}"
                for kind, seconds in phase.cpu_by_kind.items()
            )
            + ")"
        )
    stored_now = phase.statuses[201]
    if phase.wal and stored_now:
        wal = phase.wal
        print(
            f"  PostgreSQL per intake: {wal['wal_bytes'] / stored_now:.0f} WAL bytes, "
            f"{wal['wal_records'] / stored_now:.1f} WAL records, "
            f"{wal['wal_sync'] / stored_now:.2f} WAL flushes ({wal['wal_sync']:.0f} in all, "
            f"{wal['wal_sync_time'] / max(wal['wal_sync'], 1):.3f} ms each, busy "
            f"{wal['wal_sync_time'] / phase.elapsed / 10:.1f}% of the phase); "
            f"{wal['commits']:.0f} commits in the database"
        )
    if requests:
        print(
            f"  client CPU ({client_kind()}) {phase.client_cpu:.1f} s = "
            f"{phase.client_cpu * 1000 / requests:.1f} ms per request"
        )
    print(f"  load average {os.getloadavg()[0]:.2f} (1 min)")
    intakes = phase.statuses[201] / phase.elapsed
    sound = errors == 0 and twice == 0 and wrong == 0 and phase.conflicting == 0
    # Throughput and latency are goals of the steady phase; through a restart, only that
    # nothing is lost or doubled.
    steady = phase.name == "steady"
    goals.record(
        f"API at {CLIENTS} clients, {phase.name}",
        f"{intakes:.0f} intakes/s, p95 {p95:.0f} ms, errors {errors}, "
        f"stored twice {twice}, missing {wrong}",
        ("≥ 200/s, p95 < 250 ms, " if steady else "") + "errors 0, each 201 stored once",
        sound and (intakes >= 200 and p95 < 250 if steady else True),
    )


def gunicorn_args(given: str) -> str:
    """``GUNICORN_CMD_ARGS`` for the run: the worker class (and threads) chosen, then whatever
    was already given (gunicorn reads the variable besides its command line, which
    ``tests.faults.servers.gunicorn`` builds with the workers and the address)."""
    chosen = f"--worker-class {WORKER_CLASS}"
    if WORKER_CLASS == "gthread":
        chosen += f" --threads {THREADS}"
    return f"{chosen} {given}".strip()


def main() -> int:
    missing = missing_binaries()
    if missing:
        print(f"intake load benchmark: skipped (needs {', '.join(missing)})")
        return 0
    print(
        f"API intakes on PostgreSQL: {CLIENTS} clients, gunicorn {WORKERS} {WORKER_CLASS} "
        f"workers{f' of {THREADS} threads' if WORKER_CLASS == 'gthread' else ''} "
        f"({os.cpu_count()} cores), {SECONDS:.0f} s per phase, client {client_kind()}, "
        f"{'one patient' if SAME_PATIENT else 'a patient per intake'}"
    )
    print(f"PostgreSQL settings of the run: {PG_OPTIONS}")
    pg, redis = PostgresCluster(PG_OPTIONS), RedisServer()
    try:
        pg.init()
        redis.start()
        # One token for every client: lift its per-token intake limit (60 a minute by default).
        env = production_env(pg.url, redis.url, INTAKE_API_INTAKE_RATE_LIMIT="1000000 per minute")
        env["GUNICORN_CMD_ARGS"] = gunicorn_args(env.get("GUNICORN_CMD_ARGS", ""))
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

                phase = run_phase(base, token, name, pg, redis, action)
                rows, twice, wrong = stored(pg.url, phase.acknowledged)
                report(phase, rows, twice, wrong)
    finally:
        redis.destroy()
        pg.destroy()
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
