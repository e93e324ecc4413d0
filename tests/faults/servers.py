"""Throwaway servers for fault tests and benchmarks: a PostgreSQL cluster, a redis-server and
gunicorn, each on a free local port, each stopped (killed if need be) whatever happens.

The shared PostgreSQL and Redis of this machine are never touched: faults are done to servers
started here (``initdb`` + ``pg_ctl`` in a temporary directory, ``redis-server`` with no
persistence). Run as root, PostgreSQL's tools run as the ``postgres`` user (``runuser``), which
owns the data directory. No pytest here: ``bench/`` uses these too.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.gunicorn_process import stop, wait_until_ready

ROOT = Path(__file__).resolve().parents[2]


class ServerError(RuntimeError):
    """A server did not start or stop as asked."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding initdb and pg_ctl, else PATH's."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    for path in reversed(candidates):
        if (Path(path) / "initdb").exists() and (Path(path) / "pg_ctl").exists():
            return Path(path)
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    return None


def missing_binaries() -> list[str]:
    """What this machine lacks to run the fault tests (empty when nothing)."""
    missing = []
    if postgres_bin_dir() is None:
        missing.append("initdb/pg_ctl (PostgreSQL server binaries)")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        missing.append("runuser (to run PostgreSQL as the postgres user)")
    return missing


class PostgresCluster:
    """A PostgreSQL cluster of its own, on a free port, trust authentication on 127.0.0.1."""

    def __init__(self, options: str = "") -> None:
        """``options``: more ``-c name=value`` settings, after (so over) the defaults below."""
        self.extra_options = options
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise ServerError("no PostgreSQL server binaries")
        self.bin_dir = bin_dir
        self.port = free_port()
        # Not under pytest's tmp_path: that is private to root, and postgres must reach it.
        self.root = Path(tempfile.mkdtemp(prefix="intake-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            import pwd

            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.root.chmod(0o700)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/intake"

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin_dir / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise ServerError(f"{tool} {' '.join(args)}: {result.stderr or result.stdout}")

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.data} "
            # A process crash keeps written WAL in the OS cache, so fsync=off loses nothing in
            # these tests (an OS crash would), and starts and stops stay quick.
            f"-c fsync=off -c max_connections=100 {self.extra_options}"
        )
        (self.data / "intake-options").write_text(options)
        self.start()
        self.psql_create_database("intake")

    def _options(self) -> str:
        return (self.data / "intake-options").read_text()

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "-o", self._options(), "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends sessions and shuts down cleanly; ``immediate`` is a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self) -> None:
        # -l as for start: without it the new postmaster would hold our output pipes open.
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w",
                  "-t", "60", "-o", self._options(), "restart")  # fmt: skip

    def psql_create_database(self, name: str) -> None:
        import sqlalchemy as sa

        admin = sa.create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres",
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()

    def destroy(self) -> None:
        """Stop the cluster however it is, and delete its files."""
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except (ServerError, subprocess.TimeoutExpired):
                _kill_postmaster(self.data / "postmaster.pid")
        shutil.rmtree(self.root, ignore_errors=True)


def _kill_postmaster(pid_file: Path) -> None:
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError, IndexError):
        pass


class RedisServer:
    """A redis-server of its own on a free port, with no persistence; stop and start it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="intake-faults-redis-"))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerError("no redis-server")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not _answers(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise ServerError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def production_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The documented production environment, for plain HTTP on localhost."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    return {
        **clean,
        "INTAKE_ENV": "production",
        "INTAKE_SECRET_KEY": secrets.token_urlsafe(48),
        "INTAKE_DATABASE_URL": database_url,
        "INTAKE_RATELIMIT_STORAGE_URL": redis_url,
        "INTAKE_SECURE_COOKIES": "0",
        **extra,
    }


def flask(*args: str, env: dict[str, str]) -> str:
    """``flask --app intake ARGS`` as an operator runs it; returns its output."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "intake", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise ServerError(f"flask {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result.stdout


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """gunicorn serving the app on a free port, ready before yielding its base URL; TERM'd
    afterwards and its whole process group killed if it lingers."""
    port = free_port()
    with log.open("ab") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--timeout", "30", "--graceful-timeout", "5",
             "--log-level", "warning", "intake:create_app()"],
            cwd=ROOT, env=env, stdout=log_file, stderr=log_file, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(proc, base, ServerError)
        yield base
    finally:
        stop(proc)
