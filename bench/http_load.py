"""Requests per second under gunicorn: the intake app beside a bare Flask endpoint, one run.

Uses ``wrk`` (Debian package ``wrk``) as the load generator in a second process; without it the
benchmark says so and skips. Both apps run with the same gunicorn settings on a throwaway SQLite
database, so the difference is the app's own work.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
DURATION = os.environ.get("BENCH_DURATION", "5s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str]):
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603 - fixed argument list
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def wrk(url: str) -> float:
    """Requests per second wrk measured against ``url``."""
    out = subprocess.run(  # noqa: S603
        ["wrk", "-t2", "-c16", f"-d{DURATION}", url],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out:
        raise RuntimeError(f"wrk did not measure clean 2xx responses:\n{out}")
    return float(match.group(1))


def main() -> None:
    if shutil.which("wrk") is None:
        print("requests/s: skipped (install wrk: apt-get install wrk)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "INTAKE_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "INTAKE_ENV": "development",
        }
        subprocess.run(  # noqa: S603
            [str(ROOT / ".venv/bin/flask"), "--app", "intake", "db", "upgrade"],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
        print(f"requests/s under gunicorn ({WORKERS} workers, wrk -t2 -c16 -d{DURATION}):")
        with gunicorn("bench.bare_app:app", env) as base:
            print(f"  bare Flask endpoint      {wrk(base + '/'):>9.0f}")
        with gunicorn("intake:create_app()", env) as base:
            for path in ("/healthz", "/"):
                print(f"  intake {path:<18}{wrk(base + path):>9.0f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
